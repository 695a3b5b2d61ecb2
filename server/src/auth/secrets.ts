import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Kinds of bearer secret, told apart by prefix so a leaked one is recognisable (and scannable). */
export const SECRET_PREFIX = { session: 'sbs_', apiToken: 'sbt_', sdkKey: 'sbk_', trigger: 'sbx_' } as const;

export interface IssuedSecret {
  /** Shown to the caller once; never stored. */
  secret: string;
  /** SHA-256, hex: secrets are 256 random bits, so a fast hash is enough and allows lookup by hash. */
  hash: string;
  /** Enough of the secret to tell secrets apart in a list. */
  prefix: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export const issueSecret = (prefix: string): IssuedSecret => {
  const secret = prefix + randomBytes(32).toString('base64url');
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, prefix.length + 4) };
};

/** Compares without leaking, through timing, how much of the secret matched. */
export const secretsEqual = (a: string, b: string): boolean => timingSafeEqual(Buffer.from(hashSecret(a), 'hex'), Buffer.from(hashSecret(b), 'hex'));
