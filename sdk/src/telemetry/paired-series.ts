/**
 * Paired observations and breakdowns, carried in ordinary series under reserved names so the wire
 * format keeps its shape: a server that knows nothing of them stores them as plain metrics, and an
 * SDK that never sends them changes nothing. The server's experiment analysis reads them back.
 *
 * A pair (y, x) per unit (a batch, a request, a user) is sent as three series of one flag variant:
 * `<pair>#y` (values y: count n, Σy, Σy²), `<pair>#x` (values x: Σx, Σx²) and `<pair>#xy` (values
 * x·y: Σxy). Those six sums are all the delta method (ratio metrics) and CUPED need.
 *
 * - Ratio metric `numerator / denominator` (errors per row): pair `ratio:<numerator>/<denominator>`.
 * - CUPED covariate of metric `m` (a pre-exposure value of the same unit): pair `cuped:<m>`.
 * - Breakdown by a context attribute: series `<metric>@<attribute>=<value>`, at most
 *   {@link MAX_SEGMENT_VALUES} values per (metric, attribute) in one SDK process; later values go to
 *   {@link SEGMENT_OTHER}.
 */

/** Series names are 1–128 characters on the wire. */
export const MAX_SERIES_NAME_LENGTH = 128;
/** Distinct values one SDK process reports per (metric, attribute) before folding the rest. */
export const MAX_SEGMENT_VALUES = 20;
/** Where values past {@link MAX_SEGMENT_VALUES} go. */
export const SEGMENT_OTHER = '(other)';
/** The value of a unit whose context lacks the attribute. */
export const SEGMENT_NONE = '(none)';
/** Longest segment value kept; longer ones are cut. */
export const MAX_SEGMENT_VALUE_LENGTH = 64;

export type PairPart = 'y' | 'x' | 'xy';
export const PAIR_PARTS: readonly PairPart[] = ['y', 'x', 'xy'];

export const ratioPairName = (numerator: string, denominator: string): string => `ratio:${numerator}/${denominator}`;
export const cupedPairName = (metric: string): string => `cuped:${metric}`;
export const pairSeriesName = (pair: string, part: PairPart): string => `${pair}#${part}`;

/** The prefix of every breakdown series of `metric` by `attribute`; the value follows it. */
export const segmentPrefix = (metric: string, attribute: string): string => `${metric}@${attribute}=`;
export const segmentSeriesName = (metric: string, attribute: string, value: string): string => `${segmentPrefix(metric, attribute)}${value}`;

/** Whether the longest name a pair sends fits on the wire. */
export const pairFits = (pair: string): boolean => pairSeriesName(pair, 'xy').length <= MAX_SERIES_NAME_LENGTH;

/** A context attribute's value as a segment name: strings as they are, numbers and booleans as text. */
export const segmentValueOf = (value: unknown): string => {
  if (value === undefined || value === null || value === '') return SEGMENT_NONE;
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : SEGMENT_OTHER;
  // Control characters are refused on the wire; such a value is not a readable segment anyway.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return SEGMENT_OTHER;
  return text.slice(0, MAX_SEGMENT_VALUE_LENGTH);
};

/**
 * The segment values one SDK process reports, capped per (metric, attribute) so a high-cardinality
 * attribute (a user id by mistake) cannot turn into thousands of series.
 */
export class SegmentValueCap {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly maxValues = MAX_SEGMENT_VALUES,
    private readonly maxKeys = 1_000,
  ) {}

  /** The value to report: `value` while the cap allows, {@link SEGMENT_OTHER} after. */
  admit(metric: string, attribute: string, value: string): string {
    const key = `${metric}\u0000${attribute}`;
    let values = this.seen.get(key);
    if (values === undefined) {
      if (this.seen.size >= this.maxKeys) return SEGMENT_OTHER;
      values = new Set();
      this.seen.set(key, values);
    }
    if (values.has(value)) return value;
    if (values.size >= this.maxValues) return SEGMENT_OTHER;
    values.add(value);
    return value;
  }
}
