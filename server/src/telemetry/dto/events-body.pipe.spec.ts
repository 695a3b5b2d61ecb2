import { describe, expect, it } from 'vitest';
import { DomainError, type FieldProblem } from '../../common/errors/domain-error.js';
import { seriesOf } from '../../../test/telemetry-records.js';
import { validateEvents } from './events-body.pipe.js';

const now = Date.now();
const series = (value: number) => seriesOf('f', 'v', 'm', [value]);
const body = (items: unknown[], evaluations: unknown[] = []) => ({
  sdk: 'test/1',
  dropped: 0,
  batches: [{ windowStart: new Date(now).toISOString(), windowEnd: new Date(now).toISOString(), series: items, evaluations }],
});
const problemsOf = async (value: unknown): Promise<FieldProblem[]> => {
  const refused = await validateEvents(value, now).then(
    () => null,
    (err: unknown) => err,
  );
  expect(refused).toBeInstanceOf(DomainError);
  return (refused as DomainError).details as FieldProblem[];
};

describe('validateEvents, the full way, over long arrays', () => {
  it('names the element and field of each problem among 1,500 series, as for a short body', async () => {
    const items = Array.from({ length: 1_500 }, () => series(1));
    items[1_234] = { ...series(1), count: 1.7976931348623157e308 };
    items[7] = { ...series(1), metric: 42 } as unknown as ReturnType<typeof series>;
    const problems = await problemsOf(body(items));
    expect(problems.map((p) => p.field)).toEqual(expect.arrayContaining(['batches[0].series[7].metric', 'batches[0].series[1234].count']));
    expect(problems.every((p) => /^batches\[0\]\.series\[(7|1234)\]\./.test(p.field))).toBe(true);
    // The same element alone in a short body gets the same words.
    const short = await problemsOf(body([{ ...series(1), count: 1.7976931348623157e308 }]));
    expect(problems.filter((p) => p.field === 'batches[0].series[1234].count').map((p) => p.reason)).toEqual(short.map((p) => p.reason));
  });

  it('names each element that is not an object, as for a short array, and accepts a long valid array it did not take the one pass for', async () => {
    const items: unknown[] = Array.from({ length: 300 }, () => series(1));
    items[250] = 5;
    items[251] = 'x';
    const reason = 'each value in nested property series must be either object or array';
    expect(await problemsOf(body(items))).toEqual([
      { field: 'batches[0].series[250]', reason },
      { field: 'batches[0].series[251]', reason },
    ]);
    expect(await problemsOf(body([series(1), 5]))).toEqual([{ field: 'batches[0].series[1]', reason }]);
    // An unknown field sends a body the full way; once it is dropped, the long arrays come back whole as DTOs.
    const valid = { ...body(Array.from({ length: 300 }, () => series(2))), extra: true };
    await expect(validateEvents(valid, now)).rejects.toThrow(/extra/);
  });

  it('says a missing field is required, once, and a value of the wrong type only that, in a long array as in a short one', async () => {
    // Validation takes plain values out of what it reads (see holdPlainValues): each body is made afresh.
    const items = (length: number): unknown[] => {
      const { metric: _metric, ...noMetric } = series(1);
      const made: unknown[] = Array.from({ length }, () => series(1));
      made[3] = noMetric;
      made[4] = { ...series(1), metric: 42 };
      return made;
    };
    const expected = [
      { field: 'batches[0].series[3].metric', reason: 'metric is required' },
      { field: 'batches[0].series[4].metric', reason: 'metric must be a string' },
    ];
    expect(await problemsOf(body(items(300)))).toEqual(expected);
    expect(await problemsOf(body(items(5)))).toEqual(expected);
    expect(await problemsOf({ sdk: 'test/1', batches: [] })).toEqual([{ field: 'dropped', reason: 'dropped is required' }]);
  });

  it('lets other work run while it validates a long body, instead of blocking the event loop for all of it', async () => {
    let turns = 0;
    const tick = setInterval(() => (turns += 1), 0);
    const items = Array.from({ length: 1_500 }, () => ({ ...series(1), count: -1 }));
    await problemsOf(body(items));
    clearInterval(tick);
    // One chunk of 100 elements between turns: at least a dozen turns for 1,500 (one pass would allow none).
    expect(turns).toBeGreaterThanOrEqual(10);
  });
});
