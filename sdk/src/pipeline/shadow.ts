import { describeError } from '../client/logger.js';
import { METRICS } from '../telemetry/metric-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { deepEqual } from './deep-equal.js';
import { sampleValue } from './sample-value.js';

/** What to run in a shadowed call, and how. */
export interface ShadowOptions<A extends unknown[], T> {
  /** What is served: its result (or error) is the call's result. */
  primary: (...args: A) => T | PromiseLike<T>;
  /** Runs beside the primary; its result is only compared, never served. */
  candidate: (...args: A) => T | PromiseLike<T>;
  /** Whether the candidate agreed with the primary; default {@link deepEqual}. */
  compare?: (primary: T, candidate: T) => boolean;
  /** Fraction of the calls the flag enables that actually run the candidate, 0–1; default 1. */
  sampleRate?: number;
  /** The candidate's time budget in ms; a slower candidate counts as failed (timed out). Default 1 000. */
  budgetMs?: number;
  /** Keep the call's arguments in disagreement samples; default true. Turn off for sensitive inputs. */
  sampleInput?: boolean;
}

/** Where a shadowed call's observations go. */
export interface ShadowTarget {
  flag: string;
  variant: string | null;
  telemetry: Telemetry;
  /** Candidates still running, so `close()` can let them finish within their budget. */
  pending: Set<Promise<void>>;
}

type Settled<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number; timedOut: boolean };

const settle = <T>(run: () => T | PromiseLike<T>): Promise<Settled<T>> => {
  const started = performance.now();
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(run());
  } catch (error) {
    promise = Promise.reject(error);
  }
  return promise.then(
    (value) => ({ ok: true, value, ms: performance.now() - started }),
    (error: unknown) => ({ ok: false, error, ms: performance.now() - started, timedOut: false }),
  );
};

/**
 * Runs `primary` and, beside it, `candidate`; resolves with the primary's result (or rejects with
 * its error) as soon as the primary settles. The candidate starts on a later turn of the event
 * loop, so even a synchronous candidate cannot delay the primary; it is abandoned after
 * `budgetMs`. Nothing about the candidate can throw into the caller.
 */
export function runShadowed<A extends unknown[], T>(target: ShadowTarget, options: ShadowOptions<A, T>, args: A): Promise<T> {
  const primary = settle(() => options.primary(...args));
  const budgetMs = Math.max(0, options.budgetMs ?? 1_000);
  let release: () => void = () => undefined;
  const candidate = new Promise<Settled<T>>((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      resolve({ ok: false, error: new Error(`the candidate took longer than its ${budgetMs} ms budget`), ms: budgetMs, timedOut: true });
    }, budgetMs);
    release = () => clearTimeout(timer);
    setImmediate(() => {
      if (done) return;
      void settle(() => options.candidate(...args)).then((outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  });
  const observed = Promise.all([primary, candidate])
    .then(([p, c]) => observe(target, options, args, p, c))
    .catch(() => undefined)
    .finally(() => {
      release();
      target.pending.delete(observed);
    });
  target.pending.add(observed);
  return primary.then((p) => (p.ok ? p.value : Promise.reject(p.error)));
}

function observe<A extends unknown[], T>(target: ShadowTarget, options: ShadowOptions<A, T>, args: A, primary: Settled<T>, candidate: Settled<T>): void {
  const { telemetry, flag, variant } = target;
  telemetry.record(flag, variant, METRICS.shadowPrimary, primary.ms, !primary.ok);
  telemetry.record(flag, variant, METRICS.shadowCandidate, candidate.ms, !candidate.ok);
  const at = new Date().toISOString();
  const input = options.sampleInput === false ? undefined : sampleValue(args.length === 1 ? args[0] : args);
  if (!candidate.ok) {
    telemetry.record(flag, variant, METRICS.shadowCandidateErrors, 1, true);
    telemetry.offerSample({ kind: 'shadow.candidate_error', flag, variant, at, input, error: describeError(candidate.error).slice(0, 500) });
    return;
  }
  if (!primary.ok) return;
  let agreed: boolean;
  try {
    agreed = (options.compare ?? deepEqual)(primary.value, candidate.value) === true;
  } catch (error) {
    telemetry.record(flag, variant, METRICS.shadowCandidateErrors, 1, true);
    telemetry.offerSample({ kind: 'shadow.candidate_error', flag, variant, at, input, error: `compare threw: ${describeError(error)}`.slice(0, 500) });
    return;
  }
  telemetry.record(flag, variant, METRICS.shadowAgreement, agreed ? 1 : 0);
  if (!agreed)
    telemetry.offerSample({
      kind: 'shadow.disagreement',
      flag,
      variant,
      at,
      input,
      primary: sampleValue(primary.value),
      candidate: sampleValue(candidate.value),
    });
}
