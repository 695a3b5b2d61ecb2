import { describe, expect, it } from 'vitest';
import { seriesOf } from '../../test/telemetry-records.js';
import { ParsedBuckets, validateEvents } from './dto/events-body.pipe.js';
import type { TelemetryBatchDto } from './dto/events.dto.js';
import { Buckets, RollupBuffer } from './rollup-buffer.js';

const ENV = '00000000-0000-4000-8000-000000000001';
const batch = (at: string, values: number[], evaluations = 1): TelemetryBatchDto =>
  ({
    windowStart: at,
    windowEnd: at,
    series: [seriesOf('f', 'v1', 'latency_ms', values), seriesOf(null, null, 'queue', [])],
    evaluations: [{ flag: 'f', variant: 'v1', reason: 'SPLIT', count: evaluations }],
  }) as TelemetryBatchDto;

describe('RollupBuffer', () => {
  it('merges every batch of a minute into one row per key, and files each minute apart', () => {
    const buffer = new RollupBuffer();
    const received = Date.parse('2026-03-09T12:05:00Z');
    buffer.add(ENV, batch('2026-03-09T12:00:10Z', [10, 20]), received, 'sdk/1');
    buffer.add(ENV, batch('2026-03-09T12:00:50Z', [30], 4), received, 'sdk/1');
    buffer.add(ENV, batch('2026-03-09T12:01:00Z', [40]), received, 'sdk/1');
    expect(buffer.batches).toBe(3);
    const pending = buffer.drain();
    expect(buffer.isEmpty).toBe(true);
    expect(pending.metrics.map((r) => [r.minute.toISOString(), r.count, r.sum, r.sumSquares])).toEqual([
      ['2026-03-09T12:00:00.000Z', 3, 60, 1400],
      ['2026-03-09T12:01:00.000Z', 1, 40, 1600],
    ]);
    expect(pending.metrics[0]!.histogram).toEqual(seriesOf('f', 'v1', 'latency_ms', [10, 20, 30]).histogram.buckets);
    expect(pending.evaluations.map((r) => r.count)).toEqual([5, 1]);
    expect(pending.lastEvaluated).toEqual([{ environmentId: ENV, flagKey: 'f', flagId: null, at: new Date('2026-03-09T12:01:00Z') }]);
    // Series of a flag wait for attribution with their batch's own start; empty series are not written.
    expect(pending.attributable.map((log) => [log.windowStarts.length, log.length])).toEqual([[3, 3]]);
    expect([0, 1, 2, 3].map((n) => pending.attributable[0]!.numbers.at(n))).toEqual([2, 30, 500, 0]);
  });

  it("leaves the request's histogram as it was sent", () => {
    const buffer = new RollupBuffer();
    const first = batch('2026-03-09T12:00:10Z', [10]);
    const sent = structuredClone(first.series[0]!.histogram.buckets);
    buffer.add(ENV, first, Date.now(), 'sdk/1');
    buffer.add(ENV, batch('2026-03-09T12:00:20Z', [10, 10]), Date.now(), 'sdk/1');
    expect(first.series[0]!.histogram.buckets).toEqual(sent);
  });

  it('keeps apart what was accepted under different flags of one key (a flag deleted and created again)', () => {
    const buffer = new RollupBuffer();
    const at = '2026-03-09T12:00:10Z';
    buffer.add(ENV, batch(at, [10]), Date.now(), 'sdk/1', () => 'old-flag');
    buffer.add(ENV, batch(at, [20]), Date.now(), 'sdk/1', () => 'new-flag');
    buffer.add(ENV, batch(at, [30]), Date.now(), 'sdk/1', () => 'new-flag');
    const pending = buffer.drain();
    const flagged = pending.metrics.filter((r) => r.flagKey === 'f');
    expect(flagged.map((r) => [r.flagId, r.count, r.sum]).sort()).toEqual([
      ['new-flag', 2, 50],
      ['old-flag', 1, 10],
    ]);
    expect(pending.evaluations.map((r) => [r.flagId, r.count]).sort()).toEqual([
      ['new-flag', 2],
      ['old-flag', 1],
    ]);
    expect(pending.attributable[0]!.series.map((s) => s.flag.flagId)).toEqual(['old-flag', 'new-flag', 'new-flag']);
  });

  it('takes back what a failed write drained, merged with what came since', () => {
    const buffer = new RollupBuffer();
    buffer.add(ENV, batch('2026-03-09T12:00:10Z', [10]), Date.now(), 'sdk/1');
    const failed = buffer.drain();
    buffer.add(ENV, batch('2026-03-09T12:00:20Z', [20], 2), Date.now(), 'sdk/1');
    buffer.restore(failed);
    const pending = buffer.drain();
    expect(pending.batches).toBe(2);
    expect(pending.metrics.map((r) => [r.count, r.sum])).toEqual([[2, 30]]);
    expect(pending.evaluations.map((r) => r.count)).toEqual([3]);
    expect(pending.attributable.map((log) => log.length)).toEqual([1, 1]);
  });

  it('merges histograms by bucket index, however far apart the buckets are', () => {
    const buckets = Buckets.of({ '100': 1, '-3': 2 });
    buckets.addAll({ '100': 4, '101': 1 });
    // Past the array's room on both sides, then wider than an array is kept for.
    buckets.add(60, 1);
    buckets.add(140, 1);
    expect(buckets.toObject()).toEqual({ '-3': 2, '60': 1, '100': 5, '101': 1, '140': 1 });
    buckets.add(-1024, 3);
    buckets.add(1023, 1);
    buckets.add(100, 1);
    expect(buckets.toObject()).toEqual({ '-1024': 3, '-3': 2, '60': 1, '100': 6, '101': 1, '140': 1, '1023': 1 });
  });

  it('keeps the same histogram when a row starts from the buckets the validation read, however wide the first series', () => {
    const parsed = new ParsedBuckets();
    const first = [
      [-40, 1],
      [0, 2],
      [150, 3],
    ];
    const wide = [
      [-600, 1],
      [600, 2],
    ];
    for (const [index, count] of [...first, ...wide]) {
      parsed.indexes.push(index!);
      parsed.counts.push(count!);
    }
    const buckets = Buckets.ofParsed(parsed, 0, 3);
    buckets.add(-60, 1);
    buckets.add(230, 1);
    expect(buckets.toObject()).toEqual({ '-60': 1, '-40': 1, '0': 2, '150': 3, '230': 1 });
    expect(Buckets.ofParsed(parsed, 3, 5).toObject()).toEqual({ '-600': 1, '600': 2 });
    const again = Buckets.ofParsed(parsed, 0, 3);
    again.add(400, 1);
    expect(again.toObject()).toEqual({ '-40': 1, '0': 2, '150': 3, '400': 1 });
  });

  it('merges the same from the buckets the validation read as from the histogram objects', async () => {
    const at = new Date(Date.now() - 30_000).toISOString();
    const body = () => ({
      sdk: 'sdk/1',
      dropped: 0,
      batches: [
        { windowStart: at, windowEnd: at, series: [seriesOf('f', 'v1', 'latency_ms', [10, 20, 3000]), seriesOf(null, null, 'queue', [])], evaluations: [] },
        { windowStart: at, windowEnd: at, series: [seriesOf(null, null, 'queue', [5]), seriesOf('f', 'v1', 'latency_ms', [0.5, 20])], evaluations: [] },
      ],
    });
    const drained = async (parsed?: ParsedBuckets) => {
      const buffer = new RollupBuffer();
      const payload = await validateEvents(body(), Date.now(), parsed);
      for (const b of payload.batches) buffer.add(ENV, b, Date.now(), payload.sdk, () => 'id', parsed);
      const { metrics, attributable } = buffer.drain();
      const log = attributable[0]!;
      return { metrics, buckets: Array.from({ length: log.bucketIndexes.length }, (_, i) => [log.bucketIndexes.at(i), log.bucketCounts.at(i)]) };
    };
    const parsed = new ParsedBuckets();
    const fromParsed = await drained(parsed);
    expect(parsed.complete).toBe(true);
    expect(parsed.cursor).toBe(4);
    expect(fromParsed).toEqual(await drained());
    expect(fromParsed.metrics.find((r) => r.flagKey === 'f')!.histogram).toEqual(seriesOf('f', 'v1', 'latency_ms', [10, 20, 3000, 0.5, 20]).histogram.buckets);
  });
});
