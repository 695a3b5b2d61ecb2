import { describe, expect, it } from 'vitest';
import { invalidAllowlistEntries, isHostName, parseAddressRange } from './address-list.js';

describe('address lists', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1', 32],
    ['10.0.0.0/8', '10.0.0.0', 8],
    ['::1', '::1', 128],
    ['fd00::/8', 'fd00::', 8],
  ])('reads %s as a range', (entry, address, bits) => {
    const range = parseAddressRange(entry);
    expect(range && [range[0].toString(), range[1]]).toEqual([address, bits]);
  });

  it.each(['10.0.0.0/40', 'hooks.internal', 'http://x', ''])('reads %j as no range', (entry) => {
    expect(parseAddressRange(entry)).toBeNull();
  });

  it.each([
    ['hooks.internal', true],
    ['localhost', true],
    ['-bad.host', false],
    ['a b', false],
    ['x'.repeat(254), false],
  ])('host name %s: %s', (entry, expected) => {
    expect(isHostName(entry)).toBe(expected);
  });

  it('names allowlist entries that are neither *, an IP, a CIDR range nor a host name', () => {
    expect(invalidAllowlistEntries(['*', '10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'hooks.internal', 'localhost'])).toEqual([]);
    expect(invalidAllowlistEntries(['10.0.0.0/40', 'http://x', 'a b', '-bad.host', ''])).toEqual(['10.0.0.0/40', 'http://x', 'a b', '-bad.host', '']);
  });
});
