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

describe('validateEvents, times', () => {
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const zoneless = (iso: string) => iso.slice(0, 19);
  const sample = (time: string) => ({ kind: 'shadow.disagreement', flag: 'f', variant: 'v', at: time, primary: 1, candidate: 2 });
  const withTimes = (windowStart: string, windowEnd: string, samples: unknown[] = []) => ({
    sdk: 'test/1',
    dropped: 0,
    batches: [{ windowStart, windowEnd, series: [series(1)], evaluations: [], samples }],
  });
  const reason = (field: string) => `${field} must be an ISO 8601 date-time with a zone, e.g. 2026-12-05T02:00:00Z`;

  it('refuses a time without a zone, which the server would read in its own, naming the field', async () => {
    expect(await problemsOf(withTimes(zoneless(at(-60_000)), at(0)))).toEqual([{ field: 'batches[0].windowStart', reason: reason('windowStart') }]);
    expect(await problemsOf(withTimes(at(-60_000), zoneless(at(0))))).toEqual([{ field: 'batches[0].windowEnd', reason: reason('windowEnd') }]);
    expect(await problemsOf(withTimes(at(-60_000), at(0), [sample(zoneless(at(0)))]))).toEqual([{ field: 'batches[0].samples[0].at', reason: reason('at') }]);
    // A date alone is no instant either.
    expect((await problemsOf(withTimes(at(-60_000).slice(0, 10), at(0)))).map((p) => p.field)).toEqual(['batches[0].windowStart']);
  });

  it('accepts SDKs’ own form, and a zone given as an offset, for the same instant', async () => {
    await expect(validateEvents(withTimes(at(-60_000), at(0), [sample(at(0))]), now)).resolves.toBeDefined();
    const start = new Date(now - 60_000);
    // The same instant an hour east of UTC.
    const east = new Date(start.getTime() + 3_600_000).toISOString().slice(0, 23) + '+01:00';
    expect(Date.parse(east)).toBe(start.getTime());
    await expect(validateEvents(withTimes(east, at(0)), now)).resolves.toBeDefined();
  });
});
