import { Injectable } from '@nestjs/common';
import type { AttributeClause, Segment } from '@signalbox/sdk/core';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { conflict, type FieldProblem, notFound, validationFailed, versionConflict } from '../common/errors/domain-error.js';
import { Database } from '../database/database.service.js';
import { ChangesService } from '../changes/changes.service.js';
import { SegmentUsageReadModel } from '../flags/segment-usage.read-model.js';
import { clauseProblems } from '../targeting/clause.validator.js';
import type { ProjectEntity } from '../projects/project.entity.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { SegmentResponse } from './dto/segment.response.js';
import type { NewSegment, SegmentChange, SegmentRuleInput } from './segment-changes.js';
import type { SegmentEntity } from './segment.entity.js';
import { SegmentsRepository } from './segments.repository.js';

export const toCoreSegment = (s: SegmentEntity): Segment => ({ key: s.key, included: s.included, excluded: s.excluded, rules: s.rules });

const toView = (s: SegmentEntity): SegmentResponse => ({
  ...toCoreSegment(s),
  name: s.name,
  description: s.description,
  version: s.version,
  updatedAt: s.updatedAt.toISOString(),
});

@Injectable()
export class SegmentsService {
  constructor(
    private readonly repository: SegmentsRepository,
    private readonly projects: ProjectsService,
    private readonly changes: ChangesService,
    private readonly audit: AuditService,
    private readonly db: Database,
    // Which flags use a segment is read from the flags' configs, which the flags domain owns.
    private readonly usage: SegmentUsageReadModel,
  ) {}

  async list(projectKey: string): Promise<SegmentResponse[]> {
    const project = await this.projects.project(projectKey);
    return (await this.repository.list(project.id)).map(toView);
  }

  async get(projectKey: string, key: string): Promise<SegmentResponse> {
    const project = await this.projects.project(projectKey);
    const segment = await this.repository.find(project.id, key);
    if (!segment) throw notFound('Segment', key);
    return toView(segment);
  }

  /** Every segment of a project, in evaluation shape. */
  async forProject(projectId: string): Promise<Segment[]> {
    return (await this.repository.list(projectId)).map(toCoreSegment);
  }

  async keys(projectId: string): Promise<Set<string>> {
    return new Set((await this.repository.list(projectId)).map((s) => s.key));
  }

  async create(actor: Actor, projectKey: string, input: NewSegment): Promise<SegmentResponse> {
    const rules = this.checkedRules(input.rules ?? []);
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      if (await this.repository.find(project.id, input.key)) throw conflict(`A segment with key '${input.key}' already exists in ${projectKey}`);
      const segment = await this.repository.save({
        projectId: project.id,
        key: input.key,
        name: input.name,
        description: input.description ?? '',
        included: input.included ? [...input.included] : [],
        excluded: input.excluded ? [...input.excluded] : [],
        rules,
        version: 1,
      });
      await this.publish(project, segment.key, toCoreSegment(segment));
      await this.audit.record({
        actor,
        action: 'segment.created',
        resourceType: 'segment',
        resourceKey: segment.key,
        projectKey,
        reason: input.reason,
        after: toView(segment),
      });
      return toView(segment);
    });
  }

  async update(actor: Actor, projectKey: string, key: string, input: SegmentChange): Promise<SegmentResponse> {
    const rules = input.rules === undefined ? undefined : this.checkedRules(input.rules);
    return this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const segment = await this.repository.findForUpdate(project.id, key);
      if (!segment) throw notFound('Segment', key);
      if (segment.version !== input.basedOnVersion) throw versionConflict(`Segment '${key}'`, segment.version, toView(segment));
      const before = toView(segment);
      if (input.name !== undefined) segment.name = input.name;
      if (input.description !== undefined) segment.description = input.description;
      if (input.included !== undefined) segment.included = [...input.included];
      if (input.excluded !== undefined) segment.excluded = [...input.excluded];
      if (rules !== undefined) segment.rules = rules;
      segment.version += 1;
      const saved = await this.repository.save(segment);
      await this.publish(project, key, toCoreSegment(saved));
      await this.audit.record({
        actor,
        action: 'segment.updated',
        resourceType: 'segment',
        resourceKey: key,
        projectKey,
        reason: input.reason,
        before,
        after: toView(saved),
      });
      return toView(saved);
    });
  }

  async delete(actor: Actor, projectKey: string, key: string, reason?: string): Promise<void> {
    await this.db.transaction(async () => {
      const project = await this.projects.project(projectKey);
      const segment = await this.repository.findForUpdate(project.id, key);
      if (!segment) throw notFound('Segment', key);
      const users = await this.usage.flagsUsing(project.id, key);
      if (users.length > 0) throw conflict(`Segment '${key}' is used by flags: ${users.join(', ')}`, { flags: users });
      await this.repository.delete(segment.id);
      await this.publish(project, key, null);
      await this.audit.record({ actor, action: 'segment.deleted', resourceType: 'segment', resourceKey: key, projectKey, reason, before: toView(segment) });
    });
  }

  // Segments are shared by every environment of the project, so each environment's log gets the change.
  private async publish(project: ProjectEntity, key: string, segment: Segment | null): Promise<void> {
    for (const environment of await this.projects.environments(project.id)) {
      await this.changes.append(environment.id, 'segment', key, segment);
    }
  }

  private checkedRules(rules: readonly SegmentRuleInput[]): Segment['rules'] {
    const problems: FieldProblem[] = [];
    const converted = rules.map((rule, i) => ({
      clauses: rule.clauses.map((clause, j) => {
        const path = `rules[${i}].clauses[${j}]`;
        if (clause.op === 'segment') problems.push({ field: `${path}.op`, reason: 'segment rules cannot refer to other segments' });
        else problems.push(...clauseProblems(clause, path, { segmentKeys: new Set() }));
        return clause as AttributeClause;
      }),
    }));
    if (problems.length > 0) throw validationFailed(problems);
    return converted;
  }
}
