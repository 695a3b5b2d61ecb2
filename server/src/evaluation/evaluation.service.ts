import { Injectable } from '@nestjs/common';
import {
  evaluate,
  evaluateAll,
  type EvaluationContext,
  type EvaluationResult,
  explain,
  type Explanation,
  type FlagKind,
  type FlagValue,
} from '@signalbox/sdk/core';
import { notFound } from '../common/errors/domain-error.js';
import { ProjectsService } from '../projects/projects.service.js';
import { SnapshotsService, type Snapshot } from '../snapshots/snapshots.service.js';

/** Remote evaluation and explanations: the SDK's own evaluation core, run on the server's snapshot. */
@Injectable()
export class EvaluationService {
  constructor(
    private readonly snapshots: SnapshotsService,
    private readonly projects: ProjectsService,
  ) {}

  async evaluateFlag(
    environmentId: string,
    flagKey: string,
    context: EvaluationContext,
    defaultValue: FlagValue,
    type?: FlagKind,
  ): Promise<EvaluationResult & { flagKey: string; sequence: number }> {
    const snapshot = await this.snapshot(environmentId);
    return { flagKey, ...evaluate(snapshot.compiled, flagKey, context, defaultValue, type), sequence: snapshot.config.sequence };
  }

  async evaluateAll(environmentId: string, context: EvaluationContext): Promise<{ sequence: number; flags: Record<string, EvaluationResult> }> {
    const snapshot = await this.snapshot(environmentId);
    return { sequence: snapshot.config.sequence, flags: evaluateAll(snapshot.compiled, context) };
  }

  async explain(projectKey: string, flagKey: string, environmentKey: string, context: EvaluationContext): Promise<Explanation & { sequence: number }> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    const snapshot = await this.snapshot(environment.id);
    if (!snapshot.compiled.flags.has(flagKey)) throw notFound('Flag', flagKey);
    return { ...explain(snapshot.compiled, flagKey, context), sequence: snapshot.config.sequence };
  }

  private async snapshot(environmentId: string): Promise<Snapshot> {
    const snapshot = await this.snapshots.current(environmentId);
    if (!snapshot) throw notFound('Environment', environmentId);
    return snapshot;
  }
}
