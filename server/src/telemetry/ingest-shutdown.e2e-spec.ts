import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { cloneTemplate, type TestDatabase } from '../../test/test-database.js';
import { ADMIN_TOKEN, bearer, TEST_SECRET_KEY } from '../../test/test-app.js';
import { evaluationsPayload, postEvents } from '../../test/telemetry-records.js';

const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
const SENDERS = 16;

/**
 * The built server as a separate process, taking telemetry from 16 concurrent senders when it gets
 * SIGTERM: every request it answered 202 is in the rollups after it exits, and no request is left
 * without an answer or a refused connection (which an SDK keeps queued and sends again).
 */
describe('telemetry ingest at SIGTERM', () => {
  let db: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.drop();
  });

  it('keeps every batch it acknowledged, however many were in flight', async () => {
    db = await cloneTemplate();
    const env = {
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY } : { SIGNALBOX_DATA_DIR: db.dataDir! }),
    };
    server = await startServerProcess(env, 180_000);
    const created = await fetch(`${server.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'drain', name: 'Drain', environments: [{ key: 'production', name: 'Production' }] }),
    });
    expect(created.status).toBe(201);
    const sdkKey = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys.production!;

    const started = Date.now();
    let acknowledged = 0;
    let refused = 0;
    let stopping = false;
    const sender = async (n: number) => {
      for (let i = 0; ; i++) {
        const count = 1 + ((n * 7 + i) % 13);
        try {
          const res = await postEvents(server!.url, sdkKey, evaluationsPayload(`drain.flag-${(n + i) % 40}`, count, 'SPLIT', 1_000));
          await res.arrayBuffer();
          if (res.status === 202) acknowledged += count;
          else refused += 1;
        } catch {
          // Connection refused or cut: not acknowledged, so an SDK would send it again.
          refused += 1;
          if (stopping) return;
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, (_, n) => sender(n));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stopping = true;
    const exitCode = await server.stop('SIGTERM');
    await Promise.all(senders);
    server = undefined;
    expect(exitCode).toBe(0);
    expect(acknowledged).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);

    server = await startServerProcess(env, 180_000);
    const query = new URLSearchParams({ from: new Date(started - 120_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
    const res = await fetch(`${server.url}/api/v1/projects/drain/environments/production/telemetry/evaluations?${query}`, { headers: admin });
    expect(res.status).toBe(200);
    const { evaluations } = (await res.json()) as { evaluations: Array<{ count: number }> };
    expect(evaluations.reduce((sum, e) => sum + e.count, 0)).toBe(acknowledged);
  }, 360_000);
});
