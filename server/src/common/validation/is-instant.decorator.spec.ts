import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { IsInstant } from './is-instant.decorator.js';

class Schedule {
  runAt: unknown;
}
// Applied by hand: the tests run without a decorator transform.
IsInstant()(Schedule.prototype, 'runAt');

const accepts = (runAt: unknown): boolean => validateSync(Object.assign(new Schedule(), { runAt })).length === 0;

describe('IsInstant', () => {
  it('takes a date and time with Z or an offset', () => {
    for (const value of ['2026-12-05T02:00:00Z', '2026-12-05T02:00Z', '2026-12-05T02:00:00.123Z', '2026-12-05T02:00:00+02:00', '2026-12-05T02:00:00-0530'])
      expect(accepts(value), value).toBe(true);
  });

  it('refuses what leaves the zone to the server, and what is not a date-time at all', () => {
    for (const value of [
      '2026-12-05T02:00:00',
      '2026-12-05',
      '2026-12-05T02:00',
      'tomorrow',
      '2026-13-05T02:00:00Z',
      '2026-12-05T25:00:00Z',
      '',
      1_764_900_000_000,
      null,
    ])
      expect(accepts(value), String(value)).toBe(false);
  });

  it('says what it wants', () => {
    const [error] = validateSync(Object.assign(new Schedule(), { runAt: '2026-12-05T02:00:00' }));
    expect(error?.constraints).toEqual({ isInstant: 'runAt must be an ISO 8601 date-time with a zone, e.g. 2026-12-05T02:00:00Z' });
  });
});
