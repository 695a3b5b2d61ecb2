import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'sbw_test-secret';
  const body = JSON.stringify({ event: 'flag.killed', data: { flag: 'model.sentiment' } });
  const now = 1_763_880_000_000;
  const timestamp = String(now / 1000);

  it('signs timestamp + "." + body with HMAC-SHA256, as hex behind sha256=', () => {
    // Computed independently: printf '%s' '1.x' | openssl dgst -sha256 -hmac key
    expect(signPayload('key', '1', 'x')).toBe('sha256=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec');
    expect(signPayload(secret, timestamp, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('verifies what it signed', () => {
    const signature = signPayload(secret, timestamp, body);
    expect(verifySignature(secret, { signature, timestamp }, body, { now })).toBe(true);
  });

  it('refuses another secret, another body, another timestamp and a stale timestamp', () => {
    const signature = signPayload(secret, timestamp, body);
    expect(verifySignature('other', { signature, timestamp }, body, { now })).toBe(false);
    expect(verifySignature(secret, { signature, timestamp }, `${body} `, { now })).toBe(false);
    expect(verifySignature(secret, { signature, timestamp: String(Number(timestamp) + 1) }, body, { now })).toBe(false);
    expect(verifySignature(secret, { signature, timestamp }, body, { now: now + 301_000 })).toBe(false);
    expect(verifySignature(secret, { signature: undefined, timestamp }, body, { now })).toBe(false);
  });
});
