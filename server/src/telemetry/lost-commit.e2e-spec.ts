import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, TEST_SECRET_KEY } from '../../test/test-app.js';
import { evaluationsPayload, postEvents } from '../../test/telemetry-records.js';
import { cloneTemplate, testDatabaseUrl, type TestDatabase } from '../../test/test-database.js';

const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
const COMMIT_DONE = Buffer.from('COMMIT\0');

/**
 * A TCP hop between the server and PostgreSQL that, once armed, cuts the connection of the next
 * telemetry write as the database answers its COMMIT: the write committed, and the server never
 * hears so (as when a restart or a network cut lands between the two).
 */
const commitCutter = async (target: string) => {
  const { hostname, port } = new URL(target);
  const state = { armed: false, cuts: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    let doomed = false;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      if (state.armed && chunk.includes('INSERT INTO telemetry_flushes')) {
        state.armed = false;
        doomed = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (doomed && chunk.includes(COMMIT_DONE)) {
        state.cuts += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    state,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
};

/** A telemetry write whose COMMIT's answer is lost is not written a second time: every acknowledged evaluation is stored once. */
describe.runIf(testDatabaseUrl())('telemetry when the answer to its COMMIT is lost', () => {
  let db: TestDatabase | undefined;
  let cutter: Awaited<ReturnType<typeof commitCutter>> | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    cutter?.close();
    await db?.drop();
  });

  it('looks the write up before writing it again, and stores each evaluation once', async () => {
    db = await cloneTemplate();
    cutter = await commitCutter(db.databaseUrl!);
    server = await startServerProcess({ DATABASE_URL: cutter.url, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY }, 120_000);
    const created = await fetch(`${server.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'lost', name: 'Lost', environments: [{ key: 'production', name: 'Production' }] }),
    });
    const sdkKey = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys.production!;
    const post = (flag: string, count: number) => postEvents(server!.url, sdkKey, evaluationsPayload(flag, count));
    const stored = async (flag: string): Promise<number> => {
      const query = new URLSearchParams({ flag, from: new Date(Date.now() - 600_000).toISOString() });
      const res = await fetch(`${server!.url}/api/v1/projects/lost/environments/production/telemetry/evaluations?${query}`, { headers: admin });
      expect(res.status).toBe(200);
      return ((await res.json()) as { evaluations: Array<{ count: number }> }).evaluations.reduce((n, e) => n + e.count, 0);
    };
    // The instance's first writes (partitions, first evaluations) out of the way.
    expect((await post('lost.warm-up', 1)).status).toBe(202);
    await expect.poll(() => stored('lost.warm-up'), { timeout: 10_000 }).toBe(1);

    cutter.state.armed = true;
    expect((await post('lost.flag', 11)).status).toBe(202);
    await expect.poll(() => cutter!.state.cuts, { timeout: 10_000, interval: 50 }).toBe(1);
    // The write committed and the server was told it failed: it must find that out, not write it again.
    await expect.poll(() => stored('lost.flag'), { timeout: 10_000, interval: 250 }).toBe(11);
    expect((await post('lost.flag', 4)).status).toBe(202);
    await expect.poll(() => stored('lost.flag'), { timeout: 10_000, interval: 250 }).toBe(15);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await stored('lost.flag')).toBe(15);
  }, 180_000);
});
