import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from './secret-box.js';

const KEY = 'k'.repeat(16) + '0123456789abcdef';

describe('SecretBox', () => {
  it('opens what it sealed, and never stores the plaintext', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('sbw_the-signing-secret', 'webhook-1');
    expect(sealed).not.toContain('the-signing-secret');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(box.open(sealed, 'webhook-1')).toBe('sbw_the-signing-secret');
  });

  it('seals the same secret differently each time (random IV)', () => {
    const box = new SecretBox(KEY);
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
  });

  it('refuses a value sealed for another context, tampered with, or under another key', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', 'webhook-1');
    expect(() => box.open(sealed, 'webhook-2')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url'), parts[4]].join('.'), 'webhook-1')).toThrow(/does not authenticate/);
    const other = new SecretBox('x'.repeat(40));
    expect(() => other.open(sealed, 'webhook-1')).toThrow(new RegExp(`another key \\(key id ${box.keyId}`));
    expect(() => box.open('sbw_plaintext', 'webhook-1')).toThrow(/not sealed/);
  });

  it('derives the same key from the same material (several instances share one key)', () => {
    expect(new SecretBox(KEY).open(new SecretBox(KEY).seal('shared', 'c'), 'c')).toBe('shared');
    expect(() => new SecretBox('short')).toThrow(/at least 32/);
    expect(() => new SecretBox(KEY, ['short'])).toThrow(/at least 32/);
  });

  it('opens values sealed under a previous key after a rotation, and tells which to seal again', () => {
    const before = new SecretBox(KEY);
    const old = before.seal('sbw_secret', 'webhook-1');
    const after = new SecretBox('n'.repeat(40), [KEY]);
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.open(old, 'webhook-1')).toBe('sbw_secret');
    expect(after.sealedWithCurrentKey(old)).toBe(false);
    const resealed = after.seal(after.open(old, 'webhook-1'), 'webhook-1');
    expect(after.sealedWithCurrentKey(resealed)).toBe(true);
    // The new key alone can no longer open the old value.
    expect(() => new SecretBox('n'.repeat(40)).open(old, 'webhook-1')).toThrow(/another key/);
    expect(after.sealedWithCurrentKey('sbw_plaintext')).toBe(false);
  });
});
