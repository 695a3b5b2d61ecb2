import { describeError, type Logger } from '../client/logger.js';
import { TelemetryAggregator } from './aggregator.js';
import { pairFits, pairSeriesName, SegmentValueCap, segmentSeriesName, segmentValueOf } from './paired-series.js';
import type { TelemetryOptions } from './telemetry-options.js';
import type { SampleRecord, TelemetryBatch } from './wire.js';

/** Requests stay under the server's 1 MB body limit with room to spare. */
const MAX_REQUEST_BYTES = 900 * 1024;
const RETRY_DELAY_MAX_MS = 60_000;

/** Counters describing what telemetry did so far. */
export interface TelemetryStats {
  /** Windows waiting to be sent. */
  queuedBatches: number;
  /** Windows accepted by the server. */
  sentBatches: number;
  /** Windows discarded: queue full, refused by the server, or over a size limit. */
  droppedBatches: number;
  /** Values and evaluations not aggregated because a series limit was reached. */
  overflowed: number;
  /** The last send failure, if the last attempt failed. */
  lastError: string | undefined;
}

/** Where and how a {@link Telemetry} sends. */
export interface TelemetryTarget {
  eventsUrl: string;
  sdkKey: string;
  sdkName: string;
  logger: Logger;
}

interface QueuedBatch {
  batch: TelemetryBatch;
  /** The batch's JSON, built once. */
  json: string;
}

/**
 * Aggregates metric values and evaluation counts in memory and sends them in windows
 * (`POST /api/v1/sdk/events`): every `flushIntervalMs`, on `flush()` and on `close()`.
 * Recording never blocks, never throws and never does I/O. Sends happen one at a time; when the
 * server cannot be reached windows queue up to `maxQueuedBatches`, then the oldest are dropped
 * and counted, and the next request reports them as `dropped`.
 */
export class Telemetry {
  readonly aggregator: TelemetryAggregator;
  private readonly queue: QueuedBatch[] = [];
  private readonly flushIntervalMs: number;
  private readonly maxQueuedBatches: number;
  private readonly maxSeriesPerBatch: number;
  private readonly requestTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly sending: boolean;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private windowStart = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private inFlight: AbortController | undefined;
  private unreportedDrops = 0;
  private retryDelayMs = 0;
  private retryAt = 0;
  private refused = false;
  private closed = false;
  private readonly counters = { sent: 0, dropped: 0, lastError: undefined as string | undefined };
  private readonly segmentValues = new SegmentValueCap();

  constructor(
    private readonly target: TelemetryTarget | undefined,
    options: TelemetryOptions = {},
  ) {
    this.aggregator = new TelemetryAggregator({
      maxSeries: options.maxSeries ?? 10_000,
      maxEvaluationCounters: options.maxSeries ?? 10_000,
      maxSamples: options.maxSamples ?? 20,
    });
    this.flushIntervalMs = Math.max(10, options.flushIntervalMs ?? 5_000);
    this.maxQueuedBatches = Math.max(1, options.maxQueuedBatches ?? 120);
    this.maxSeriesPerBatch = Math.max(1, options.maxSeriesPerBatch ?? 500);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.sending = target !== undefined && options.send !== false;
    this.fetchImpl = options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
    if (this.sending) {
      this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Records a metric value for a flag variant (or `null`s). Ignores non-finite values. */
  record(flag: string | null, variant: string | null, metric: string, value: number, failed = false): void {
    this.aggregator.record(flag, variant, metric, value, failed);
  }

  /**
   * Records one unit's pair (y, x) under `pair` (see `paired-series.ts`): the sums a ratio metric's
   * delta method or a CUPED adjustment needs. Ignored when either value is not finite or the pair's
   * name is too long for the wire.
   */
  recordPair(flag: string | null, variant: string | null, pair: string, y: number, x: number): void {
    if (!Number.isFinite(y) || !Number.isFinite(x) || !Number.isFinite(x * y) || !pairFits(pair)) return;
    this.aggregator.record(flag, variant, pairSeriesName(pair, 'y'), y);
    this.aggregator.record(flag, variant, pairSeriesName(pair, 'x'), x);
    this.aggregator.record(flag, variant, pairSeriesName(pair, 'xy'), x * y);
  }

  /**
   * Records a value in the breakdown of `metric` by `attribute` (`metric@attribute=value`), with the
   * value capped per (metric, attribute) so the number of series stays bounded.
   */
  recordSegment(flag: string | null, variant: string | null, metric: string, attribute: string, attributeValue: unknown, value: number, failed = false): void {
    const segment = this.segmentValues.admit(metric, attribute, segmentValueOf(attributeValue));
    const name = segmentSeriesName(metric, attribute, segment);
    if (name.length > 128) return;
    this.aggregator.record(flag, variant, name, value, failed);
  }

  /** Counts one evaluation of `flag`. */
  recordEvaluation(flag: string, variant: string | null, reason: string): void {
    this.aggregator.recordEvaluation(flag, variant, reason);
  }

  /** Offers an example for the window's bounded reservoir. */
  offerSample(sample: SampleRecord): void {
    this.aggregator.offerSample(sample);
  }

  get stats(): TelemetryStats {
    return {
      queuedBatches: this.queue.length,
      sentBatches: this.counters.sent,
      droppedBatches: this.counters.dropped,
      overflowed: this.aggregator.overflowed,
      lastError: this.counters.lastError,
    };
  }

  /**
   * Ends the current window and returns its batches without sending them (for `send: false`, and
   * tests). Queued, unsent batches are not included.
   */
  drain(): TelemetryBatch[] {
    return this.cut().map((q) => q.batch);
  }

  /**
   * Ends the current window and sends everything queued. Resolves when the attempt is over,
   * whatever its outcome; never rejects. A no-op when sending is off.
   */
  flush(): Promise<void> {
    if (!this.sending || this.closed) return Promise.resolve();
    this.enqueue(this.cut());
    this.chain = this.chain.then(() => this.sendQueued());
    return this.chain;
  }

  /** Stops the timer and makes one last send (at most `closeTimeoutMs`). Idempotent; never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (!this.sending) {
      this.closed = true;
      return;
    }
    this.retryAt = 0;
    const last = this.flush();
    this.closed = true;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([last, new Promise<void>((resolve) => (timeout = setTimeout(resolve, this.closeTimeoutMs)))]);
    clearTimeout(timeout);
    this.inFlight?.abort();
  }

  private cut(): QueuedBatch[] {
    const windowEnd = Date.now();
    const windowStart = this.windowStart;
    this.windowStart = windowEnd;
    if (this.aggregator.isEmpty) return [];
    const { series, evaluations, samples } = this.aggregator.drain();
    const start = new Date(windowStart).toISOString();
    const end = new Date(Math.max(windowEnd, windowStart)).toISOString();
    const batches: QueuedBatch[] = [];
    // Big windows are split so one batch stays well under the request limit.
    const parts = Math.max(1, Math.ceil(series.length / this.maxSeriesPerBatch), Math.ceil(evaluations.length / this.maxSeriesPerBatch));
    for (let i = 0; i < parts; i++) {
      const batch: TelemetryBatch = {
        windowStart: start,
        windowEnd: end,
        series: series.slice(i * this.maxSeriesPerBatch, (i + 1) * this.maxSeriesPerBatch),
        evaluations: evaluations.slice(i * this.maxSeriesPerBatch, (i + 1) * this.maxSeriesPerBatch),
      };
      if (i === 0 && samples.length > 0) batch.samples = samples;
      batches.push({ batch, json: JSON.stringify(batch) });
    }
    return batches;
  }

  private enqueue(batches: QueuedBatch[]): void {
    for (const batch of batches) {
      if (Buffer.byteLength(batch.json) > MAX_REQUEST_BYTES) {
        this.drop(1, 'a window is larger than a request may be');
        continue;
      }
      this.queue.push(batch);
    }
    const excess = this.queue.length - this.maxQueuedBatches;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.drop(excess, `the server is unreachable; dropped the ${excess} oldest telemetry window(s)`);
    }
  }

  private drop(count: number, why: string): void {
    this.counters.dropped += count;
    this.unreportedDrops += count;
    this.target?.logger.debug(why);
  }

  /** Sends queued batches until the queue is empty or a send fails. Never throws. */
  private async sendQueued(): Promise<void> {
    while (this.queue.length > 0 && !this.refused && this.fetchImpl !== undefined && this.target !== undefined) {
      if (Date.now() < this.retryAt) return;
      const take = this.requestSize();
      const body = `{"sdk":${JSON.stringify(this.target.sdkName)},"batches":[${this.queue
        .slice(0, take)
        .map((q) => q.json)
        .join(',')}],"dropped":${this.unreportedDrops}}`;
      const reportedDrops = this.unreportedDrops;
      const status = await this.post(body);
      if (status === 202 || status === 200) {
        this.queue.splice(0, take);
        this.counters.sent += take;
        this.unreportedDrops -= reportedDrops;
        this.counters.lastError = undefined;
        this.retryDelayMs = 0;
      } else if (status === 401 || status === 403) {
        this.refused = true;
        this.target.logger.warn(`the server refused telemetry (${status}); metrics are no longer sent`);
        this.drop(this.queue.length, 'telemetry refused');
        this.queue.length = 0;
      } else if (status === 400 || status === 413) {
        // The server will not take these whatever we do: drop them rather than retry forever.
        this.queue.splice(0, take);
        this.drop(take, `the server rejected ${take} telemetry window(s) (${status})`);
      } else {
        this.retryDelayMs = Math.min(RETRY_DELAY_MAX_MS, Math.max(this.flushIntervalMs, this.retryDelayMs * 2));
        this.retryAt = Date.now() + this.retryDelayMs * (0.5 + Math.random() / 2);
        return;
      }
    }
  }

  /** How many queued batches the next request carries: as many as fit in one request. */
  private requestSize(): number {
    let bytes = 128;
    let take = 0;
    for (const queued of this.queue) {
      bytes += Buffer.byteLength(queued.json) + 1;
      if (take > 0 && bytes > MAX_REQUEST_BYTES) break;
      take += 1;
    }
    return take;
  }

  /** The response status, or 0 when there was none. */
  private async post(body: string): Promise<number> {
    const controller = new AbortController();
    this.inFlight = controller;
    const timeout = setTimeout(() => controller.abort(), this.requestTimeoutMs);
    try {
      const response = await this.fetchImpl!(this.target!.eventsUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.target!.sdkKey}`, 'content-type': 'application/json', 'x-signalbox-client': this.target!.sdkName },
        body,
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status !== 202 && response.status !== 200) this.counters.lastError = `POST ${this.target!.eventsUrl} answered ${response.status}`;
      return response.status;
    } catch (error) {
      this.counters.lastError = `cannot send telemetry to ${this.target!.eventsUrl}: ${controller.signal.aborted ? `no answer within ${this.requestTimeoutMs} ms` : describeError(error)}`;
      this.target!.logger.debug(this.counters.lastError);
      return 0;
    } finally {
      clearTimeout(timeout);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }
}
