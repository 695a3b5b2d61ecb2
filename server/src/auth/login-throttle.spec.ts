import { describe, expect, it } from 'vitest';
import { crossSiteRefusal } from './auth.guard.js';
import { ACCOUNT_BACKOFF, ADDRESS_BACKOFF, addressKeyOf, charge, waitAfter, waitLeft } from './login-throttle.js';
import type { FailureCounter } from './login-throttle.repository.js';

describe('sign-in backoff', () => {
  it('lets an account fail 5 times, then waits 1 s, 2 s, 4 s … after each failure, never more than 15 minutes', () => {
    const waits = Array.from({ length: 20 }, (_, i) => waitAfter(i + 1, ACCOUNT_BACKOFF) / 1000);
    expect(waits).toEqual([0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900]);
    expect(waitAfter(10_000, ACCOUNT_BACKOFF)).toBe(15 * 60_000);
  });

  it('lets an address fail 20 times before the same waits', () => {
    expect(waitAfter(19, ADDRESS_BACKOFF)).toBe(0);
    expect(waitAfter(20, ADDRESS_BACKOFF)).toBe(1000);
    expect(waitAfter(24, ADDRESS_BACKOFF)).toBe(16_000);
  });

  it('counts from the latest failure, and starts afresh after an hour without one', () => {
    let counter: FailureCounter | null = null;
    for (let i = 0; i < 5; i++) counter = charge(counter, 1_000 + i, ACCOUNT_BACKOFF);
    expect(counter).toEqual({ failures: 5, lastFailureAt: 1_004, blockedUntil: 2_004 });
    expect(waitLeft(counter, 1_500)).toBe(504);
    expect(waitLeft(counter, 2_004)).toBe(0);
    expect(charge(counter, 2_004 + 59 * 60_000, ACCOUNT_BACKOFF).failures).toBe(6);
    expect(charge(counter, 1_004 + 60 * 60_000, ACCOUNT_BACKOFF)).toEqual({ failures: 1, lastFailureAt: 1_004 + 60 * 60_000, blockedUntil: null });
    expect(waitLeft(null, 0)).toBe(0);
  });

  it('keys addresses as one client holds them: IPv4 (mapped or not) whole, IPv6 by its /64', () => {
    expect(addressKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKeyOf('2001:db8:1:2:aaaa::1')).toBe(addressKeyOf('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKeyOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8:1:3::1')).not.toBe(addressKeyOf('2001:db8:1:2::1'));
    expect(addressKeyOf(undefined)).toBe('unknown');
    expect(addressKeyOf('not an address')).toBe('unknown');
  });
});

describe('cross-site check for cookie-authenticated requests', () => {
  const check = (method: string, headers: Record<string, string>) => crossSiteRefusal({ method, headers });

  it.each([
    ['Origin of this host', { host: 'flags.example.com', origin: 'https://flags.example.com' }],
    ['Origin with the default port spelled out in Host', { host: 'flags.example.com:443', origin: 'https://flags.example.com' }],
    ['Origin with a port', { host: 'localhost:4000', origin: 'http://localhost:4000' }],
    ['Referer of this host when there is no Origin', { host: 'localhost:4000', referer: 'http://localhost:4000/projects/demo/flags' }],
    ['the host a proxy forwards', { host: '10.0.0.5:4000', 'x-forwarded-host': 'flags.example.com', origin: 'https://flags.example.com' }],
    ['host names in any case', { host: 'Flags.Example.com', origin: 'https://FLAGS.example.COM' }],
  ])('accepts a write with %s', (_, headers) => {
    expect(check('POST', headers)).toBeNull();
  });

  it.each([
    ['another origin', { host: 'localhost:4000', origin: 'http://evil.example' }],
    ['another port', { host: 'localhost:4000', origin: 'http://localhost:5000' }],
    ['a look-alike host', { host: 'flags.example.com', origin: 'https://flags.example.com.evil.example' }],
    ['an opaque origin', { host: 'localhost:4000', origin: 'null' }],
    ['a non-web scheme', { host: 'localhost:4000', origin: 'file://localhost:4000' }],
    ['another origin even with a same-host Referer', { host: 'localhost:4000', origin: 'http://evil.example', referer: 'http://localhost:4000/' }],
    ['neither Origin nor Referer', { host: 'localhost:4000' }],
  ])('refuses a write from %s', (_, headers) => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(check(method, headers)).toMatch(/origin/i);
  });

  it('leaves reads alone', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(check(method, { host: 'localhost:4000', origin: 'http://evil.example' })).toBeNull();
  });
});
