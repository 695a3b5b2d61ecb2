import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKey } from './secret-key.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('loadSecretKey', () => {
  it('uses SIGNALBOX_SECRET_KEY when set, and writes no file', () => {
    const dir = tempDir();
    expect(loadSecretKey('e'.repeat(40), dir)).toEqual({ material: 'e'.repeat(40), source: { kind: 'environment' } });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('creates a random key file readable by the owner only, then keeps using it', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const first = loadSecretKey(undefined, dir);
    expect(first.source).toEqual({ kind: 'file', path: path.join(dir, 'secret.key'), created: true });
    expect(first.material.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const again = loadSecretKey(undefined, dir);
    expect(again.material).toBe(first.material);
    expect(again.source).toMatchObject({ created: false });
    expect(loadSecretKey(undefined, tempDir()).material).not.toBe(first.material);
  });

  it('refuses a key file that holds no usable key instead of sealing with it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'secret.key'), 'short\n');
    expect(() => loadSecretKey(undefined, dir)).toThrow(/holds no usable key/);
  });
});
