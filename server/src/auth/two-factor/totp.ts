import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

const ISSUER = 'Signalbox';
const PERIOD_SECONDS = 30;
// One step either side: an authenticator's clock a little off, or a code typed as it rolled over.
const TOLERANCE_SECONDS = PERIOD_SECONDS;

/** A new TOTP secret: 160 random bits, base32 (what authenticator apps take). */
export const newTotpSecret = (): string => generateSecret();

/** The `otpauth://` URI an authenticator app reads from a QR code. */
export const totpUri = (secret: string, account: string): string => generateURI({ issuer: ISSUER, label: account, secret });

/** The current code for a secret; tests and the enrolment check use it. */
export { generate as totpCode } from 'otplib';

export type TotpCheck = { ok: true; step: number } | { ok: false; failure: 'wrong-code' | 'replayed-code' };

/**
 * Whether `code` is the secret's code now (± one step). A code whose step is not after
 * `lastStep`, the step of the last code accepted, is a replay: within its window a code
 * overheard or typed twice must not work again.
 */
export const checkTotp = async (secret: string, code: string, lastStep: number | null, epochSeconds?: number): Promise<TotpCheck> => {
  if (!/^\d{6}$/.test(code)) return { ok: false, failure: 'wrong-code' };
  const result = await verify({ secret, token: code, epochTolerance: TOLERANCE_SECONDS, ...(epochSeconds === undefined ? {} : { epoch: epochSeconds }) });
  // The TOTP strategy's result names the step (HOTP's, in the same union type, does not).
  if (!result.valid || !('timeStep' in result)) return { ok: false, failure: 'wrong-code' };
  if (lastStep !== null && result.timeStep <= lastStep) return { ok: false, failure: 'replayed-code' };
  return { ok: true, step: result.timeStep };
};

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export const RECOVERY_CODE_COUNT = 10;

/** 80 random bits as `xxxx-xxxx-xxxx-xxxx`: too many to guess, so a plain SHA-256 is enough to store it. */
export const newRecoveryCode = (): string => {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
};

/** Case, spaces and dashes as typed do not matter. */
export const hashRecoveryCode = (code: string): string =>
  createHash('sha256')
    .update(code.toLowerCase().replace(/[^a-z0-9]/g, ''), 'utf8')
    .digest('hex');
