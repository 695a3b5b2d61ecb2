import type { ApiToken } from '../../../api/access';

/** The furthest ahead the server lets a token expire (it checks too): five years. */
export const MAX_EXPIRY_DAYS = 5 * 365;

const DAY_MS = 86_400_000;

/** A local calendar day (`yyyy-mm-dd`, as a date input gives it) → the end of that day, in the user's time zone; undefined when not a date. */
const endOfDay = (day: string): Date | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const end = new Date(year, month, date, 23, 59, 59, 999);
  // Rejects days that do not exist (2026-02-30 would roll over into March).
  return end.getFullYear() === year && end.getMonth() === month && end.getDate() === date ? end : undefined;
};

/** `yyyy-mm-dd` of a moment in the user's time zone, for the date input's min and max. */
export const localDay = (at: Date): string => `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;

/** The days the date input offers: from tomorrow to the last day that is still within five years. */
export const expiryBounds = (now: number): { min: string; max: string } => ({
  min: localDay(new Date(now + DAY_MS)),
  max: localDay(new Date(now + (MAX_EXPIRY_DAYS - 1) * DAY_MS)),
});

/**
 * The expiry the form sends for the day picked: the end of that day, as ISO-8601 ('' = never
 * expires), or why the day cannot be used.
 */
export const expiryOf = (day: string, now = Date.now()): { expiresAt: string | undefined } | { problem: string } => {
  if (day.trim() === '') return { expiresAt: undefined };
  const end = endOfDay(day.trim());
  if (!end) return { problem: 'pick a date, or leave it empty for a token that never expires' };
  if (end.getTime() <= now) return { problem: 'pick a day after today' };
  if (end.getTime() > now + MAX_EXPIRY_DAYS * DAY_MS) return { problem: 'a token can expire at most 5 years ahead' };
  return { expiresAt: end.toISOString() };
};

/** Whether a listed token has passed its expiry; the server refuses it from then on. */
export const isExpired = (token: Pick<ApiToken, 'expiresAt'>, now = Date.now()): boolean =>
  token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now;
