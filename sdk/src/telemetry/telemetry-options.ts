/** Options of the telemetry a {@link createFlags} instance aggregates and sends. All optional. */
export interface TelemetryOptions {
  /**
   * Send aggregates to the server. Default true, except with `transport: 'none'` (nothing is
   * sent; aggregates stay readable through `telemetry.drain()`).
   */
  send?: boolean;
  /** Aggregation window and send period; default 5 000 ms. Also sent on `flush()` and `close()`. */
  flushIntervalMs?: number;
  /**
   * Windows kept while the server cannot be reached; beyond it the oldest are dropped and counted
   * (sent as `dropped`). Default 120 (ten minutes at the default period).
   */
  maxQueuedBatches?: number;
  /** Series per batch; a window with more is split. Default 500. */
  maxSeriesPerBatch?: number;
  /** Distinct (flag, variant, metric) series aggregated at once; default 10 000. */
  maxSeries?: number;
  /** Examples (shadow disagreements) kept per window; default 20. */
  maxSamples?: number;
  /** Give up on one send after this long; default 10 000 ms. */
  requestTimeoutMs?: number;
  /** How long `close()` waits for the last send; default 5 000 ms. */
  closeTimeoutMs?: number;
  /** The `fetch` used to send; default the global one. */
  fetch?: typeof fetch;
}
