import { describe, expect, it } from 'vitest';
import { checkTotp, hashRecoveryCode, newRecoveryCode, newTotpSecret, totpCode, totpUri } from './totp.js';

describe('totp', () => {
  const secret = newTotpSecret();
  const at = 1_790_000_000;
  const code = (epoch: number) => totpCode({ secret, epoch });

  it('accepts the current code and the ones a step either side, and says which step it was', async () => {
    const step = Math.floor(at / 30);
    expect(await checkTotp(secret, await code(at), null, at)).toEqual({ ok: true, step });
    expect(await checkTotp(secret, await code(at - 30), null, at)).toEqual({ ok: true, step: step - 1 });
    expect(await checkTotp(secret, await code(at + 30), null, at)).toEqual({ ok: true, step: step + 1 });
  });

  it('refuses a code two steps away, a malformed code and a code from another secret', async () => {
    expect(await checkTotp(secret, await code(at - 90), null, at)).toEqual({ ok: false, failure: 'wrong-code' });
    expect(await checkTotp(secret, '12345', null, at)).toEqual({ ok: false, failure: 'wrong-code' });
    expect(await checkTotp(secret, await totpCode({ secret: newTotpSecret(), epoch: at }), null, at)).toMatchObject({ ok: false });
  });

  it('refuses as a replay a right code whose step is not after the last accepted one', async () => {
    const step = Math.floor(at / 30);
    expect(await checkTotp(secret, await code(at), step, at)).toEqual({ ok: false, failure: 'replayed-code' });
    expect(await checkTotp(secret, await code(at - 30), step, at)).toEqual({ ok: false, failure: 'replayed-code' });
    expect(await checkTotp(secret, await code(at + 30), step, at)).toEqual({ ok: true, step: step + 1 });
  });

  it('builds an otpauth URI naming Signalbox and the account', () => {
    const uri = new URL(totpUri(secret, 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Signalbox');
    expect(decodeURIComponent(uri.pathname)).toContain('ada@example.com');
  });

  it('makes distinct recovery codes whose hash ignores case, spaces and dashes', () => {
    const codes = Array.from({ length: 50 }, newRecoveryCode);
    expect(new Set(codes).size).toBe(50);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const c = codes[0]!;
    expect(hashRecoveryCode(` ${c.toUpperCase().replace(/-/g, ' ')} `)).toBe(hashRecoveryCode(c));
    expect(hashRecoveryCode(codes[1]!)).not.toBe(hashRecoveryCode(c));
  });
});
