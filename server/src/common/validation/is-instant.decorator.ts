import { ValidateBy, isISO8601, type ValidationOptions } from 'class-validator';

/** A date and time of day followed by `Z` or an offset: nothing left for the server's own time zone to decide. */
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * An ISO 8601 instant: a date, a time and a zone (`2026-12-05T02:00:00Z`, `…+01:00`). class-validator's
 * `IsISO8601` also takes `2026-12-05` and `2026-12-05T02:00:00`, which JavaScript reads as midnight
 * UTC and as the server's local time: a schedule that fires hours away from what was meant.
 */
export const isInstant = (value: unknown): value is string => typeof value === 'string' && WITH_ZONE.test(value) && isISO8601(value, { strict: true });

export const IsInstant = (options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: isInstant,
        defaultMessage: () => '$property must be an ISO 8601 date-time with a zone, e.g. 2026-12-05T02:00:00Z',
      },
    },
    options,
  );
