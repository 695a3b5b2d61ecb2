/**
 * Telemetry: in-memory aggregation of metric values and evaluation counts, sent in batches.
 * Also the shared wire format and `log2-16` histogram scheme the server merges with.
 */
export {
  HISTOGRAM_MAX_INDEX,
  HISTOGRAM_MIN_INDEX,
  HISTOGRAM_RELATIVE_ERROR,
  HISTOGRAM_SCHEME,
  HISTOGRAM_SUB_BUCKETS,
  histogramBucketLow,
  histogramBucketValue,
  histogramIndex,
  histogramQuantiles,
  mergeHistogramBuckets,
  type HistogramBuckets,
} from './histogram.js';
export type { EvaluationCountRecord, EventsPayload, SampleRecord, SeriesRecord, TelemetryBatch } from './wire.js';
export { TelemetryAggregator, DEFAULT_AGGREGATOR_LIMITS, type AggregatorLimits, type WindowAggregates } from './aggregator.js';
export { MetricSeries } from './metric-series.js';
export { Telemetry, type TelemetryStats, type TelemetryTarget } from './telemetry.js';
export type { TelemetryOptions } from './telemetry-options.js';
export { METRICS } from './metric-names.js';
export {
  cupedPairName,
  MAX_SEGMENT_VALUES,
  MAX_SEGMENT_VALUE_LENGTH,
  PAIR_PARTS,
  pairSeriesName,
  ratioPairName,
  SEGMENT_NONE,
  SEGMENT_OTHER,
  SegmentValueCap,
  segmentPrefix,
  segmentSeriesName,
  segmentValueOf,
  type PairPart,
} from './paired-series.js';
