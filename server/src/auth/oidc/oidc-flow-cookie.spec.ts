import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { OIDC_FLOW_TTL_MS, openFlow, sealFlow } from './oidc-flow-cookie.js';

const box = new SecretBox('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
const flow = { state: 'state-1', nonce: 'nonce-1', codeVerifier: 'verifier-1' };

describe('the OIDC flow cookie', () => {
  it('gives the flow back within 10 minutes of the start, and nothing after', () => {
    const started = Date.parse('2026-12-05T08:00:00Z');
    const sealed = sealFlow(box, flow, started);
    expect(OIDC_FLOW_TTL_MS).toBe(10 * 60_000);
    expect(openFlow(box, sealed, started + OIDC_FLOW_TTL_MS - 1)).toEqual(flow);
    expect(openFlow(box, sealed, started + OIDC_FLOW_TTL_MS + 1)).toBeNull();
  });

  it('keeps the state, nonce and verifier from the browser, and refuses a cookie it did not seal', () => {
    const sealed = sealFlow(box, flow, Date.now());
    for (const secret of Object.values(flow)) expect(sealed).not.toContain(secret);
    const other = new SecretBox('fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210');
    expect(openFlow(other, sealed, Date.now())).toBeNull();
    // Changed in the middle: the last characters may carry only padding bits, which decode to the same bytes.
    for (const at of [0, Math.floor(sealed.length / 2), sealed.length - 3]) {
      const tampered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
      expect(openFlow(box, tampered, Date.now())).toBeNull();
    }
    expect(openFlow(box, undefined, Date.now())).toBeNull();
  });
});
