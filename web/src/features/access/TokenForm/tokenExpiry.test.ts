import { describe, expect, it } from 'vitest';
import { expiryBounds, expiryOf, isExpired, localDay } from './tokenExpiry';

// Noon local time, so "tomorrow" and "today" do not depend on the time zone the tests run in.
const now = new Date(2026, 5, 15, 12, 0, 0).getTime();

describe('expiryOf', () => {
  it('sends no expiry for an empty day', () => {
    expect(expiryOf('', now)).toEqual({ expiresAt: undefined });
  });

  it('expires at the end of the picked day, in local time', () => {
    const result = expiryOf('2026-06-16', now);
    expect(result).toEqual({ expiresAt: new Date(2026, 5, 16, 23, 59, 59, 999).toISOString() });
  });

  it('refuses today, past days, days that do not exist and more than five years ahead', () => {
    expect(expiryOf('2026-06-14', now)).toEqual({ problem: 'pick a day after today' });
    expect(expiryOf('2026-02-30', now)).toEqual({ problem: 'pick a date, or leave it empty for a token that never expires' });
    expect(expiryOf('next week', now)).toEqual({ problem: 'pick a date, or leave it empty for a token that never expires' });
    expect(expiryOf('2031-06-16', now)).toEqual({ problem: 'a token can expire at most 5 years ahead' });
    expect(expiryOf('2031-06-12', now)).toHaveProperty('expiresAt');
  });
});

describe('localDay', () => {
  it('formats a moment as the local yyyy-mm-dd a date input takes', () => {
    expect(localDay(new Date(2026, 0, 5, 23, 30))).toBe('2026-01-05');
  });
});

describe('expiryBounds', () => {
  it('offers tomorrow to the last day within five years, each of which expiryOf accepts', () => {
    const { min, max } = expiryBounds(now);
    expect(min).toBe('2026-06-16');
    expect(expiryOf(min, now)).toHaveProperty('expiresAt');
    expect(expiryOf(max, now)).toHaveProperty('expiresAt');
  });
});

describe('isExpired', () => {
  it('is true from the expiry on, false before it and for a token without one', () => {
    expect(isExpired({ expiresAt: null }, now)).toBe(false);
    expect(isExpired({ expiresAt: new Date(now + 1000).toISOString() }, now)).toBe(false);
    expect(isExpired({ expiresAt: new Date(now).toISOString() }, now)).toBe(true);
    expect(isExpired({ expiresAt: new Date(now - 1000).toISOString() }, now)).toBe(true);
  });
});
