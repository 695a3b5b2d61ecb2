import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer } from '../../test/test-app.js';

const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };

// The built server (`npm start`) on the embedded database, with the settings it opens it with.
describe('the server on the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-restart-'));
  const env = { SIGNALBOX_DATA_DIR: dataDir, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every change it acknowledged when it is killed (SIGKILL) and started again', async () => {
    // The first start creates the database (initdb in a worker thread) and migrates it.
    server = await startServerProcess(env, 180_000);
    const created = await fetch(`${server.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'durable', name: 'Durable', environments: [{ key: 'production', name: 'Production' }] }),
    });
    expect(created.status).toBe(201);
    expect(
      (
        await fetch(`${server.url}/api/v1/projects/durable/flags`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ key: 'durable.flag', name: 'Durable flag', kind: 'boolean' }),
        })
      ).status,
    ).toBe(201);
    const config = (url: string) => `${url}/api/v1/projects/durable/flags/durable.flag/environments/production`;
    let version = 0;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(config(server.url), { method: 'PATCH', headers: admin, body: JSON.stringify({ version, on: i % 2 === 0 }) });
      expect(res.status).toBe(200);
      version++;
    }
    // Killed right after the last acknowledgement: no shutdown, no checkpoint.
    await server.stop('SIGKILL');

    server = await startServerProcess(env, 120_000);
    const after = await fetch(config(server.url), { headers: admin });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ version, on: false });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 360_000);
});
