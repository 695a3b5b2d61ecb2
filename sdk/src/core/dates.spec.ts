import { describe, expect, it } from 'vitest';
import { isValidDateValue, parseDateValue } from './dates.js';

describe('parseDateValue', () => {
  it.each([
    ['2024-01-01', Date.UTC(2024, 0, 1)],
    ['2024-01-01T00:00:00Z', Date.UTC(2024, 0, 1)],
    ['2024-02-29T12:30:00.123Z', Date.UTC(2024, 1, 29, 12, 30, 0, 123)],
    ['2024-02-29T12:30:00.123456Z', Date.UTC(2024, 1, 29, 12, 30, 0, 123)],
    ['2024-06-01T10:00:00+02:00', Date.UTC(2024, 5, 1, 8)],
    ['2024-06-01T10:00:00-0130', Date.UTC(2024, 5, 1, 11, 30)],
    ['2024-06-01T10:00', Date.UTC(2024, 5, 1, 10)],
    ['2024-06-01T10:00:00', Date.UTC(2024, 5, 1, 10)],
    [1_700_000_000_000, 1_700_000_000_000],
    [0, 0],
  ])('reads %j as epoch milliseconds (a date-time without a zone is UTC)', (text, expected) => {
    expect(parseDateValue(text)).toBe(expected);
  });

  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-01-32',
    '2024-01-01T24:00:00Z',
    'yesterday',
    'Mon, 01 Jan 2024 00:00:00 GMT',
    '',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    null,
    {},
  ])('rejects %j', (value) => expect(isValidDateValue(value)).toBe(false));
});
