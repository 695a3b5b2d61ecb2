// Realistic SDK telemetry payloads, built by the SDK's own aggregator so every record is what an
// SDK really sends (consistent sums, sums of squares and log2-16 histograms). One payload is one
// SDK process's window: it evaluated a subset of the environment's flags, served one to three
// variants of each, and recorded a few metrics per variant plus some metrics of no flag. The flags
// and their variants are the environment's own (the bench's 200-flag environment, see run.mjs).
import { TelemetryAggregator } from '@signalbox/sdk/telemetry';

const METRICS_PER_VARIANT = ['step.duration_ms', 'model.latency_ms', 'rows.rejected'];
const UNFLAGGED_METRICS = ['pipeline.run_ms', 'queue.depth'];
const REASONS = ['SPLIT', 'TARGETING_MATCH', 'DEFAULT'];

/** A small deterministic generator, so two runs send the same data. */
export const random = (seed) => {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
};

/**
 * One request body: `flagsPerSdk` of `environmentFlags` ({ key, variants: [variant keys] }), each
 * with one to all of its variants served and `METRICS_PER_VARIANT` recorded per variant,
 * `valuesPerSeries` values each. Returns the body and what it adds up to.
 */
export const buildPayload = ({ rand, environmentFlags, flagsPerSdk, valuesPerSeries, windowStart, windowEnd }) => {
  const aggregator = new TelemetryAggregator();
  const flags = new Set();
  while (flags.size < Math.min(flagsPerSdk, environmentFlags.length)) flags.add(Math.floor(rand() * environmentFlags.length));
  let evaluations = 0;
  for (const f of flags) {
    const { key, variants: keys } = environmentFlags[f];
    const flagKey = () => key;
    const variants = 1 + Math.floor(rand() * keys.length);
    for (let v = 0; v < variants; v++) {
      const variant = keys[v];
      const reason = REASONS[Math.floor(rand() * REASONS.length)];
      const served = 1 + Math.floor(rand() * 50);
      for (let n = 0; n < served; n++) aggregator.recordEvaluation(flagKey(), variant, reason);
      evaluations += served;
      for (const metric of METRICS_PER_VARIANT) {
        for (let n = 0; n < valuesPerSeries; n++) {
          const value = metric === 'rows.rejected' ? Math.floor(rand() * 3) : 5 + rand() * rand() * 400;
          aggregator.record(flagKey(), variant, metric, value, rand() < 0.02);
        }
      }
    }
  }
  for (const metric of UNFLAGGED_METRICS) for (let n = 0; n < valuesPerSeries; n++) aggregator.record(null, null, metric, 1 + rand() * 1000);
  const { series, evaluations: counts } = aggregator.drain();
  const payload = {
    sdk: 'signalbox-sdk-js/bench',
    batches: [{ windowStart: new Date(windowStart).toISOString(), windowEnd: new Date(windowEnd).toISOString(), series, evaluations: counts }],
    dropped: 0,
  };
  return { body: JSON.stringify(payload), series: series.length, evaluationRecords: counts.length, evaluations };
};
