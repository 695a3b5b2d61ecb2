import { describe, expect, it } from 'vitest';
import { formatClock } from './clock';

describe('formatClock', () => {
  const at = new Date(2026, 11, 4, 9, 5, 7);

  it('shows hours, minutes and seconds on a 24-hour clock', () => {
    expect(formatClock(at.getTime())).toMatch(/^09\D05\D07$/);
    expect(formatClock(new Date(2026, 11, 4, 21, 30, 0))).toMatch(/^21\D30\D00$/);
  });

  it('leaves the seconds out when asked', () => {
    expect(formatClock(at.toISOString(), { seconds: false })).toMatch(/^09\D05$/);
  });

  it('says nothing useful rather than "Invalid Date" for a bad time', () => {
    expect(formatClock('not a time')).toBe('—');
  });
});
