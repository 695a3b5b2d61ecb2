import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../../test/server-process.js';

const signIn = (url: string, password: string) =>
  fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@signalbox.local', password }),
  });

/**
 * The quick start's first run: with no SIGNALBOX_ADMIN_PASSWORD (or token) the server makes the first
 * admin, prints the one-time password, and never prints it again; the password signs in.
 */
describe('the first admin on a new database', () => {
  it('is printed once with a one-time password that signs in, and not on the next start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-first-admin-'));
    try {
      const first = await startServerProcess({ SIGNALBOX_DATA_DIR: dataDir });
      const printed = /Signalbox created the first admin\.\n\s+email:\s+admin@signalbox\.local\n\s+password:\s+(\S+)\n\s+It is shown only this once/.exec(
        first.output(),
      );
      let password: string;
      try {
        expect(printed).not.toBeNull();
        password = printed![1]!;
        expect(password.length).toBeGreaterThanOrEqual(16);
        const session = await signIn(first.url, password);
        expect(session.status).toBe(200);
        expect((await signIn(first.url, `${password}x`)).status).toBe(401);
        // Printed for the terminal, not logged: nothing else carries it.
        expect(first.output().split(password).length - 1).toBe(1);
      } finally {
        expect(await first.stop()).toBe(0);
      }
      const second = await startServerProcess({ SIGNALBOX_DATA_DIR: dataDir });
      try {
        expect(second.output()).not.toContain('created the first admin');
        expect(second.output()).not.toContain(password);
        expect((await signIn(second.url, password)).status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
