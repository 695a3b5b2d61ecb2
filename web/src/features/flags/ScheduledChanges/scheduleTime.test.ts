import { describe, expect, it } from 'vitest';
import { fromLocalInput, inZones, runAtProblem, toLocalInput } from './scheduleTime';

describe('schedule times', () => {
  it('reads back the instant a datetime-local value was made from', () => {
    const at = new Date(2026, 11, 5, 2, 30);
    expect(fromLocalInput(toLocalInput(at))?.getTime()).toBe(at.getTime());
  });

  it('reads an empty or malformed value as no time', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('next monday')).toBeNull();
    expect(fromLocalInput('2026-13-45T99:99')).toBeNull();
  });

  it('shows one instant in the given zone and in UTC', () => {
    const { local, utc } = inZones('2026-12-05T02:00:00.000Z', 'Europe/Berlin');
    expect(local).toMatch(/03:00/);
    expect(utc).toMatch(/02:00/);
    expect(utc).toMatch(/UTC/);
    expect(inZones('2026-12-05T02:00:09.000Z', 'UTC').utc).toMatch(/02:00:09/);
  });

  it('refuses times in the past and more than a year ahead', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(runAtProblem(new Date(now - 1000), now)).toMatch(/future/);
    expect(runAtProblem(new Date(now + 400 * 24 * 3600_000), now)).toMatch(/year/);
    expect(runAtProblem(new Date(now + 60_000), now)).toBeNull();
    expect(runAtProblem(null, now)).toMatch(/Pick/);
  });
});
