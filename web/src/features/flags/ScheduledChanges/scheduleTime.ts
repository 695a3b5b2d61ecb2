// Times a user types and reads in their own zone; the server stores and runs UTC instants.

const pad = (n: number) => String(n).padStart(2, '0');

/** A `datetime-local` input's value (the user's zone) for an instant. */
export const toLocalInput = (at: Date): string =>
  `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;

/** The instant a `datetime-local` value names in the user's zone; null for an empty or unreadable one. */
export const fromLocalInput = (value: string): Date | null => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
};

const STYLE: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/** An instant in the user's zone (named) and in UTC, e.g. "Sat, Dec 5, 2026, 03:00 GMT+1" and "Sat, Dec 5, 2026, 02:00 UTC". */
export const inZones = (iso: string, timeZone?: string): { local: string; utc: string } => {
  const at = new Date(iso);
  // Seconds only where they were set: "02:00" reads better than "02:00:00".
  const style: Intl.DateTimeFormatOptions = at.getUTCSeconds() === 0 ? STYLE : { ...STYLE, second: '2-digit' };
  return {
    local: at.toLocaleString(undefined, { ...style, timeZone, timeZoneName: 'short' }),
    utc: at.toLocaleString(undefined, { ...style, timeZone: 'UTC', timeZoneName: 'short' }),
  };
};

/** Why a run time cannot be used, or null; the server checks the same (in the future, at most 366 days ahead). */
export const runAtProblem = (at: Date | null, now = Date.now()): string | null => {
  if (at === null) return 'Pick a date and time';
  if (at.getTime() <= now) return 'Pick a time in the future';
  if (at.getTime() - now > 366 * 24 * 3600_000) return 'Pick a time at most a year ahead';
  return null;
};
