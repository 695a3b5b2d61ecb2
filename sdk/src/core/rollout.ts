import { readAttribute, unitValueOf, isInheritedName, type ContextRecord } from './context.js';
import { bucketWithPrefix } from './bucket.js';
import { hashPrefix, type HashPrefix } from './murmur3.js';
import type { Outcome } from './outcome.js';

/** A weighted split ready to bucket: the salt's hash state and cumulative weights. */
export class CompiledRollout {
  private readonly ownOnly: boolean;
  private readonly byTargetingKey: boolean;
  /** The salt's hash state, made on the first bucketing: most rollouts of a config are never reached by a short-lived process. */
  private prefix: HashPrefix | undefined;

  /**
   * @param cumulative running weight totals in listed order; the last is `BUCKET_COUNT`
   * @param outcomes what each slice serves
   * @param unitMissing what is served when the context has no usable `bucketBy` value
   */
  constructor(
    readonly salt: string,
    readonly bucketBy: string,
    readonly cumulative: readonly number[],
    readonly outcomes: readonly Outcome[],
    readonly unitMissing: Outcome,
  ) {
    this.ownOnly = isInheritedName(bucketBy);
    this.byTargetingKey = bucketBy === 'targetingKey';
    this.prefix = undefined;
  }

  /** The unit value this rollout hashes for the context, or `undefined` when there is none. */
  unitOf(context: ContextRecord): string | undefined {
    // A named load of the usual attribute is cheaper than a keyed one.
    return unitValueOf(this.byTargetingKey ? context.targetingKey : readAttribute(context, this.bucketBy, this.ownOnly));
  }

  /** The unit's bucket in [0, BUCKET_COUNT): murmur3_x86_32(utf8(salt + "." + unit)) mod 100000. */
  bucketOf(unit: string): number {
    return bucketWithPrefix((this.prefix ??= hashPrefix(`${this.salt}.`)), unit);
  }

  /** The slice that serves `bucket`: the first whose cumulative weight exceeds it. */
  outcomeFor(bucket: number): Outcome {
    const cumulative = this.cumulative;
    for (let i = 0; i < cumulative.length; i++) {
      if (bucket < cumulative[i]!) return this.outcomes[i]!;
    }
    // Unreachable when weights sum to BUCKET_COUNT, which compilation guarantees.
    return this.unitMissing;
  }

  /** What the rollout serves for the context. */
  serve(context: ContextRecord): Outcome {
    const unit = this.unitOf(context);
    if (unit === undefined) return this.unitMissing;
    return this.outcomeFor(this.bucketOf(unit));
  }
}
