import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SECRET_KEY_FILE = 'secret.key';

export type SecretKeySource = { kind: 'environment' } | { kind: 'file'; path: string; created: boolean };

/**
 * The key material that seals stored secrets: SIGNALBOX_SECRET_KEY when set, else a random key
 * kept in `<dataDir>/secret.key` (created on first start, readable by the server's user only), so
 * a copy of the database alone never reveals a secret.
 */
export function loadSecretKey(secretKey: string | undefined, dataDir: string): { material: string; source: SecretKeySource } {
  if (secretKey !== undefined) return { material: secretKey, source: { kind: 'environment' } };
  const file = path.join(dataDir, SECRET_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': two processes starting at once cannot both create it; the loser reads the winner's key.
    fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    return { material: readKeyFile(file), source: { kind: 'file', path: file, created: true } };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { material: readKeyFile(file), source: { kind: 'file', path: file, created: false } };
  }
}

function readKeyFile(file: string): string {
  const material = fs.readFileSync(file, 'utf8').trim();
  if (material.length < 32) throw new Error(`${file} holds no usable key (fewer than 32 characters); restore it from a backup or set SIGNALBOX_SECRET_KEY`);
  return material;
}
