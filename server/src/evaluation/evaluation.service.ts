import { Injectable } from '@nestjs/common';
import {
  evaluate,
  evaluateAll,
  type EvaluationContext,
  type EvaluationResult,
  explain,
  type FlagConfig,
  type Explanation,
  type FlagKind,
  type FlagValue,
} from '@signalbox/sdk/core';
import { notFound } from '../common/errors/domain-error.js';
import type { EnvironmentEvaluationResponse, FlagEvaluationResponse } from './dto/environment-evaluation.response.js';
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

  /** Every flag of a project's environment for one context, by flag key, with the rule that decided. */
  async evaluateEnvironment(projectKey: string, environmentKey: string, context: EvaluationContext): Promise<EnvironmentEvaluationResponse> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    const snapshot = await this.snapshot(environment.id);
    const results = evaluateAll(snapshot.compiled, context);
    const flags = [...snapshot.compiled.flags.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((flag) => flagEvaluation(flag.source, results[flag.key]!));
    return { environment: environment.key, sequence: snapshot.config.sequence, flags };
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

const flagEvaluation = (flag: FlagConfig, result: EvaluationResult): FlagEvaluationResponse => {
  const rule = result.ruleIndex === undefined ? undefined : flag.rules[result.ruleIndex];
  return {
    flagKey: flag.key,
    kind: flag.kind,
    // A served default is the caller's; with no caller here there is none to show.
    value: result.variant === undefined ? null : result.value,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
    reason: result.reason,
    rule:
      rule && result.ruleIndex !== undefined
        ? { index: result.ruleIndex, ...(rule.id ? { id: rule.id } : {}), ...(rule.description ? { description: rule.description } : {}) }
        : null,
    ...(result.errorCode ? { errorCode: result.errorCode } : {}),
    version: flag.version,
  };
};
