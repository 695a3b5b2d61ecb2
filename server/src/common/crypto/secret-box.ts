import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'sb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that cannot be opened: wrong key, tampered, or not sealed at all. */
export class SecretBoxError extends Error {}

/**
 * Encrypts secrets the server must use again (webhook signing secrets) but must not store in the
 * clear: AES-256-GCM with a random IV, bound to what it belongs to (`context`, e.g. the webhook
 * id) so a sealed value copied to another row does not open. Sealed form:
 * `sb1.<key id>.<iv>.<ciphertext>.<tag>` (base64url), the key id telling which key sealed it.
 */
export class SecretBox {
  readonly keyId: string;
  private readonly key: Buffer;
  /** Every key that can open: the current one and earlier ones (for rotation), by key id. */
  private readonly openers = new Map<string, Buffer>();

  /**
   * `keyMaterial`: any high-entropy string (≥ 32 characters); the AES key is derived from it with
   * HKDF-SHA256. `previousKeyMaterial`: keys this one replaced; values they sealed still open, and
   * `sealedWithCurrentKey` tells which to seal again.
   */
  constructor(keyMaterial: string, previousKeyMaterial: readonly string[] = []) {
    [this.key, this.keyId] = deriveKey(keyMaterial);
    for (const material of previousKeyMaterial) {
      const [key, id] = deriveKey(material);
      this.openers.set(id, key);
    }
    this.openers.set(this.keyId, this.key);
  }

  /** False for a value sealed under a previous key (or not sealed): seal it again. */
  sealedWithCurrentKey(sealed: string): boolean {
    return sealed.split('.')[1] === this.keyId && SecretBox.isSealed(sealed);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('the value is not sealed');
    const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    const key = this.openers.get(keyId);
    if (key === undefined) throw new SecretBoxError(`it was sealed with another key (key id ${keyId}; this server's is ${this.keyId})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('it does not authenticate (tampered, or sealed for something else)');
    }
  }

  static isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}.`);
  }
}

function deriveKey(material: string): [Buffer, string] {
  if (material.length < 32) throw new Error('a secret key must be at least 32 characters');
  const key = Buffer.from(hkdfSync('sha256', material, 'signalbox', 'secret-box v1', 32));
  return [key, createHash('sha256').update(key).digest('hex').slice(0, 8)];
}
