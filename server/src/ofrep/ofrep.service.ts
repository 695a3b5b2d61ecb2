import { Injectable } from '@nestjs/common';
import { evaluate, evaluateAll, type EnvironmentConfig, type EvaluationContext } from '@signalbox/sdk/core';
import { type Snapshot, SnapshotsService } from '../snapshots/snapshots.service.js';
import type { OfrepBulkEvaluationSuccess, OfrepFlagResult } from './dto/ofrep.dto.js';
import { failureStatus, isFailure, toOfrepResult } from './ofrep.mapping.js';
import { contextHash, etagMatches } from './ofrep-http.js';
import { OfrepRefusal } from './ofrep-request.js';

export type SingleAnswer = { status: number; body: OfrepFlagResult };
export type BulkAnswer = { status: 200; etag: string; body: OfrepBulkEvaluationSuccess } | { status: 304; etag: string };

/**
 * OFREP evaluation on the same compiled snapshot as `/api/v1/sdk/evaluate`: the SDK's own
 * evaluator, no second one, and no database read while the snapshot is cached.
 */
@Injectable()
export class OfrepService {
  /** Flag versions by key, built once per snapshot config (for `metadata.flagVersion`). */
  private readonly versions = new WeakMap<EnvironmentConfig, ReadonlyMap<string, number>>();

  constructor(private readonly snapshots: SnapshotsService) {}

  async evaluateFlag(environmentId: string, key: string, context: EvaluationContext): Promise<SingleAnswer> {
    const snapshot = await this.snapshot(environmentId);
    const body = toOfrepResult(key, evaluate(snapshot.compiled, key, context, null), this.versionsOf(snapshot.config).get(key));
    return { status: isFailure(body) ? failureStatus(body.errorCode) : 200, body };
  }

  /**
   * Every flag for one context. The ETag is the snapshot's sequence plus a hash of the environment
   * and the context, so it changes with any change to the environment or to the context, and a
   * matching `If-None-Match` is answered 304 before anything is evaluated.
   */
  async evaluateAll(environmentId: string, context: EvaluationContext, ifNoneMatch: string | undefined): Promise<BulkAnswer> {
    const snapshot = await this.snapshot(environmentId);
    const sequence = snapshot.config.sequence;
    const etag = `"${sequence}-${contextHash(environmentId, context)}"`;
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) return { status: 304, etag };
    const versions = this.versionsOf(snapshot.config);
    const flags: OfrepFlagResult[] = [];
    for (const [key, result] of Object.entries(evaluateAll(snapshot.compiled, context))) flags.push(toOfrepResult(key, result, versions.get(key)));
    return { status: 200, etag, body: { flags, metadata: { sequence } } };
  }

  private async snapshot(environmentId: string): Promise<Snapshot> {
    const snapshot = await this.snapshots.current(environmentId);
    // The key was valid a moment ago but its environment is gone: the key no longer grants anything.
    if (!snapshot) throw new OfrepRefusal(401, { errorDetails: 'the environment of this SDK key no longer exists' });
    return snapshot;
  }

  private versionsOf(config: EnvironmentConfig): ReadonlyMap<string, number> {
    let versions = this.versions.get(config);
    if (!versions) {
      versions = new Map(config.flags.map((flag) => [flag.key, flag.version]));
      this.versions.set(config, versions);
    }
    return versions;
  }
}
