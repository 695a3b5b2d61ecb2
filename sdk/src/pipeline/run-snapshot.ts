import { evaluate, type CompiledEnvironment } from '../core/index.js';
import type { EvaluationContext, EvaluationResult, FlagKind, FlagValue } from '../core/types.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { FlagScope } from './flag-scope.js';
import type { ConfigAgeSource } from './freshness.js';

const NOT_READY: Readonly<EvaluationResult> = Object.freeze({
  value: null,
  reason: 'ERROR',
  errorCode: 'GENERAL',
  errorMessage: 'no config was served when the run was pinned',
});
const MAX_PREREQUISITE_HOPS = 16;

/** Where a snapshot reads the live config, to let kills through. */
export interface LiveConfigSource extends ConfigAgeSource {
  readonly compiledEnvironment: CompiledEnvironment | undefined;
}

/**
 * One pipeline run's view of the flags: every evaluation uses the config as it was when the run
 * was pinned, so a change mid-run cannot split a batch between two behaviours. A kill still
 * pierces it: a flag killed after the pin (or whose prerequisite was) is served as killed.
 * Contexts get `runId` (and `targetingKey`, unless given) set to the run's id.
 *
 * ```ts
 * const run = flags.pinRun(runId);
 * const transform = run.boolean('etl.transform-v2', {}, false) ? transformV2 : transformV1;
 * await run.step('etl.validate', {}, () => validate(rows));
 * ```
 */
export class RunSnapshot extends FlagScope {
  /** When the run was pinned (epoch ms). */
  readonly pinnedAt = Date.now();

  constructor(
    /** The run's id, added to every context. */
    readonly runId: string,
    private readonly pinned: CompiledEnvironment | undefined,
    private readonly live: LiveConfigSource,
    telemetry: Telemetry,
    pendingShadows: Set<Promise<void>>,
  ) {
    super(telemetry, live, pendingShadows);
  }

  /** The change-log sequence of the pinned config (-1 when none was served at pin time). */
  get sequence(): number {
    return this.pinned?.sequence ?? -1;
  }

  protected resolve(
    flagKey: string,
    context: EvaluationContext | undefined,
    defaultValue: FlagValue,
    kind: FlagKind | undefined,
    count: boolean,
  ): Readonly<EvaluationResult> {
    const runContext: EvaluationContext = { targetingKey: this.runId, runId: this.runId, ...context };
    const live = this.live.compiledEnvironment;
    const source = live !== undefined && live !== this.pinned && killedSince(live, flagKey) ? live : this.pinned;
    const result = source === undefined ? { ...NOT_READY, value: defaultValue } : evaluate(source, flagKey, runContext, defaultValue, kind);
    if (count) this.telemetry.recordEvaluation(flagKey, result.variant ?? null, result.reason);
    return result;
  }
}

/** True when the live config kills `flagKey` or a flag it depends on through prerequisites. */
function killedSince(live: CompiledEnvironment, flagKey: string): boolean {
  let frontier = [flagKey];
  const seen = new Set<string>();
  for (let hop = 0; hop < MAX_PREREQUISITE_HOPS && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const key of frontier) {
      if (seen.has(key)) continue;
      seen.add(key);
      const flag = live.flags.get(key);
      if (flag === undefined) continue;
      if (flag.killed) return true;
      for (const ref of flag.prerequisiteRefs) next.push(ref.flag);
    }
    frontier = next;
  }
  return false;
}
