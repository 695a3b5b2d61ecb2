import { describe, expect, it } from 'vitest';
import { MAX_SEGMENT_VALUES, SEGMENT_NONE, SEGMENT_OTHER, SegmentValueCap, segmentValueOf } from './paired-series.js';
import { Telemetry } from './telemetry.js';

const bySeries = (telemetry: Telemetry) => Object.fromEntries(telemetry.drain().flatMap((b) => b.series.map((s) => [s.metric, s])));

describe('paired series: the six sums a ratio metric or a CUPED covariate needs, in ordinary series', () => {
  it('records n, Σy, Σy², Σx, Σx² and Σxy under the pair name, per flag variant', () => {
    const telemetry = new Telemetry(undefined);
    const pairs: Array<[number, number]> = [
      [3, 1000],
      [0, 250],
      [7, 640],
    ];
    for (const [errors, rows] of pairs) telemetry.recordPair('etl.dedupe', 'on', 'ratio:pipeline.errors/pipeline.rows', errors, rows);
    const series = bySeries(telemetry);
    const y = series['ratio:pipeline.errors/pipeline.rows#y']!;
    const x = series['ratio:pipeline.errors/pipeline.rows#x']!;
    const xy = series['ratio:pipeline.errors/pipeline.rows#xy']!;
    expect([y.count, x.count, xy.count]).toEqual([3, 3, 3]);
    expect([y.sum, y.sumSquares]).toEqual([10, 9 + 49]);
    expect([x.sum, x.sumSquares]).toEqual([1890, 1000 ** 2 + 250 ** 2 + 640 ** 2]);
    expect(xy.sum).toBe(3 * 1000 + 7 * 640);
    expect(y).toMatchObject({ flag: 'etl.dedupe', variant: 'on' });
  });

  it('keeps the three parts in step: a pair with a non-finite value, or a name too long for the wire, records nothing', () => {
    const telemetry = new Telemetry(undefined);
    telemetry.recordPair('f', 'on', 'cuped:score', Number.NaN, 1);
    telemetry.recordPair('f', 'on', 'cuped:score', 1, Number.POSITIVE_INFINITY);
    telemetry.recordPair('f', 'on', 'cuped:score', 1e200, 1e200);
    telemetry.recordPair('f', 'on', `cuped:${'m'.repeat(125)}`, 1, 1);
    expect(telemetry.drain()).toEqual([]);
  });
});

describe('segment breakdowns stay bounded', () => {
  it(`reports at most ${MAX_SEGMENT_VALUES} values per (metric, attribute) and folds the rest into '${SEGMENT_OTHER}'`, () => {
    const telemetry = new Telemetry(undefined);
    for (let i = 0; i < 50; i++) telemetry.recordSegment('f', 'on', 'converted', 'user', `u-${i}`, 1);
    telemetry.recordSegment('f', 'on', 'converted', 'user', 'u-3', 1);
    const series = bySeries(telemetry);
    expect(Object.keys(series)).toHaveLength(MAX_SEGMENT_VALUES + 1);
    expect(series['converted@user=(other)']!.count).toBe(30);
    expect(series['converted@user=u-3']!.count).toBe(2);
    // Another attribute of the same metric has its own allowance.
    telemetry.recordSegment('f', 'on', 'converted', 'region', 'eu', 1);
    expect(bySeries(telemetry)['converted@region=eu']!.count).toBe(1);
  });

  it('names values readably: missing → (none), numbers and booleans as text, objects and control characters → (other), long ones cut', () => {
    expect(segmentValueOf(undefined)).toBe(SEGMENT_NONE);
    expect(segmentValueOf('')).toBe(SEGMENT_NONE);
    expect(segmentValueOf(3)).toBe('3');
    expect(segmentValueOf(true)).toBe('true');
    expect(segmentValueOf({ a: 1 })).toBe(SEGMENT_OTHER);
    expect(segmentValueOf('a\nb')).toBe(SEGMENT_OTHER);
    expect(segmentValueOf('x'.repeat(200))).toHaveLength(64);
    const cap = new SegmentValueCap(2, 1);
    expect(cap.admit('m', 'a', 'one')).toBe('one');
    expect(cap.admit('m', 'b', 'one')).toBe(SEGMENT_OTHER);
  });
});
