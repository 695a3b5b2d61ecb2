import { createClient, type SignalboxClient } from '@signalbox/sdk';
import pg from 'pg';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinaries, type PrivatePostgres, startPrivatePostgres } from '../../test/private-postgres.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, TEST_SECRET_KEY } from '../../test/test-app.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
const hasBinaries = Boolean(await postgresBinaries());

/** What a socket.io handshake with this key gets: 'connected', or the refusal's data. */
const handshake = (url: string, sdkKey: string): Promise<unknown> =>
  new Promise((resolve) => {
    const socket = io(`${url}/sdk`, { auth: { sdkKey }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
    socket.on('connect', () => (socket.close(), resolve('connected')));
    socket.on('connect_error', (err: Error & { data?: unknown }) => (socket.close(), resolve(err.data ?? err.message)));
  });

// A cluster of the test's own, so it can be restarted, stopped and frozen (never the shared server).
describe.runIf(hasBinaries)('two instances while their PostgreSQL restarts, stops and freezes', () => {
  let cluster: PrivatePostgres;
  let a: ServerProcess;
  let b: ServerProcess;
  let sdkKey: string;
  let version = 0;
  const sdks: SignalboxClient[] = [];

  const listenSessions = async (): Promise<number> => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      return Number(
        (await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'signalbox-listen' OR query LIKE 'LISTEN %'`)).rows[0].n,
      );
    } finally {
      await client.end();
    }
  };
  const ready = async (server: ServerProcess) => (await fetch(`${server.url}/readyz`)).status;
  /** Turns the flag on or off through `via`, retrying while the database comes back. */
  const setFlag = async (via: ServerProcess, on: boolean) => {
    await expect
      .poll(
        async () => {
          const res = await fetch(`${via.url}/api/v1/projects/outage/flags/outage.flag/environments/development`, {
            method: 'PATCH',
            headers: admin,
            body: JSON.stringify({ version, on }),
          });
          if (res.status === 200) version++;
          return res.status;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(200);
  };
  const sdkOn = (url: string) => {
    const sdk = createClient({ url, sdkKey, logger: quiet });
    sdks.push(sdk);
    return sdk;
  };

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    const env = { DATABASE_URL: cluster.url, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    const created = await fetch(`${a.url}/api/v1/projects`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'outage', name: 'Outage', environments: [{ key: 'development', name: 'Development' }] }),
    });
    sdkKey = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys.development!;
    await fetch(`${a.url}/api/v1/projects/outage/flags`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ key: 'outage.flag', name: 'Outage flag', kind: 'boolean' }),
    });
  }, 180_000);
  afterAll(async () => {
    await Promise.all(sdks.map((s) => s.close()));
    await a?.stop('SIGKILL');
    await b?.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('hears changes made through the other instance again after `pg_ctl restart -m fast`', async () => {
    const sdk = sdkOn(a.url);
    expect(await sdk.waitForReady()).toBe('ready');
    expect(await listenSessions()).toBe(2);
    await cluster.restart();
    await expect.poll(() => listenSessions(), { timeout: 15_000, interval: 200 }).toBe(2);
    await expect.poll(() => ready(a), { timeout: 10_000 }).toBe(200);
    await expect.poll(() => ready(b), { timeout: 10_000 }).toBe(200);
    await setFlag(b, true);
    await expect.poll(() => sdk.boolean('outage.flag', { key: 'u' }, false), { timeout: 5000 }).toBe(true);
    expect(sdk.status).toBe('ready');
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^signalbox_listen_up 1$/m);
    expect(Number(/^signalbox_listen_reconnects_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('answers 503 with Retry-After, refuses handshakes as UNAVAILABLE and is unready while PostgreSQL is down; SDKs never give up', async () => {
    const before = sdkOn(a.url);
    expect(await before.waitForReady()).toBe('ready');
    await cluster.stop();
    try {
      // Reads that need the database: a listing, and a key this instance has not seen (no cache).
      const listing = await fetch(`${a.url}/api/v1/projects`, { headers: admin });
      expect(listing.status).toBe(503);
      expect(listing.headers.get('retry-after')).toBe('1');
      expect(await listing.json()).toMatchObject({ error: 'UNAVAILABLE' });
      const unknownKey = `sbk_${'x'.repeat(40)}`;
      const config = await fetch(`${b.url}/api/v1/sdk/config`, { headers: bearer(unknownKey) });
      expect(config.status).toBe(503);
      expect(config.headers.get('retry-after')).toBe('1');
      expect(await handshake(b.url, unknownKey)).toMatchObject({ error: 'UNAVAILABLE', retryAfterMs: expect.any(Number) });
      // OFREP says the same in its own error shape; a key and config this instance holds still evaluate.
      const ofrep = (url: string, key: string) =>
        fetch(`${url}/ofrep/v1/evaluate/flags/outage.flag`, {
          method: 'POST',
          headers: { ...bearer(key), 'content-type': 'application/json' },
          body: JSON.stringify({ context: { targetingKey: 'u' } }),
        });
      const refused = await ofrep(b.url, unknownKey);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ errorDetails: expect.any(String) });
      const served = await ofrep(a.url, sdkKey);
      expect(served.status).toBe(200);
      expect(await served.json()).toMatchObject({ key: 'outage.flag', value: expect.any(Boolean) });
      const readiness = await fetch(`${a.url}/readyz`);
      expect(readiness.status).toBe(503);
      expect(((await readiness.json()) as { message: string }).message).toMatch(/database/i);
      await expect.poll(async () => ((await (await fetch(`${a.url}/readyz`)).json()) as { message?: string }).message, { timeout: 10_000 }).toMatch(/LISTEN/);
      // A client that starts now is told to come back, not that its key is wrong.
      const during = sdkOn(b.url);
      await new Promise((r) => setTimeout(r, 2000));
      expect(during.status).not.toBe('error');
      expect(before.status).not.toBe('error');
      // A key this instance has served keeps working past its 5 s cache of it: a new SDK gets the
      // config the instance holds, and config reads and OFREP still answer.
      await new Promise((r) => setTimeout(r, 5_500));
      const late = sdkOn(a.url);
      expect(await late.waitForReady({ timeoutMs: 10_000 })).toBe('ready');
      const held = before.boolean('outage.flag', { key: 'u' }, false);
      expect(late.boolean('outage.flag', { key: 'u' }, !held)).toBe(held);
      expect((await fetch(`${a.url}/api/v1/sdk/config`, { headers: bearer(sdkKey) })).status).toBe(200);
      expect((await ofrep(a.url, sdkKey)).status).toBe(200);
    } finally {
      await cluster.start();
    }
    await expect.poll(() => ready(a), { timeout: 15_000 }).toBe(200);
    await expect.poll(() => ready(b), { timeout: 15_000 }).toBe(200);
    const current = before.boolean('outage.flag', { key: 'u' }, false);
    await setFlag(a, !current);
    for (const sdk of sdks) await expect.poll(() => sdk.boolean('outage.flag', { key: 'u' }, current), { timeout: 15_000 }).toBe(!current);
    for (const sdk of sdks) expect(sdk.status).toBe('ready');
    expect(a.output() + b.output()).not.toMatch(/"level":50.*INTERNAL|Something went wrong/);
  }, 90_000);

  it('is unready while PostgreSQL is frozen and recovers when it thaws', async () => {
    const sdk = sdkOn(a.url);
    expect(await sdk.waitForReady()).toBe('ready');
    const frozenAt = Date.now();
    cluster.freeze();
    try {
      await expect.poll(() => ready(a), { timeout: 15_000, interval: 250 }).toBe(503);
      // The README says within 2 s (the readiness ping is given 1 s); some slack for a busy machine.
      expect(Date.now() - frozenAt).toBeLessThan(4_000);
      // A key the instance has served still connects past its 5 s cache: the lookup that never
      // answers is given a second, then the key is taken as the instance knew it.
      await new Promise((r) => setTimeout(r, 5_500));
      const late = sdkOn(a.url);
      expect(await late.waitForReady({ timeoutMs: 10_000 })).toBe('ready');
      expect((await fetch(`${a.url}/api/v1/sdk/config`, { headers: bearer(sdkKey), signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    } finally {
      cluster.thaw();
    }
    await expect.poll(() => ready(a), { timeout: 20_000 }).toBe(200);
    const current = sdk.boolean('outage.flag', { key: 'u' }, false);
    await setFlag(b, !current);
    await expect.poll(() => sdk.boolean('outage.flag', { key: 'u' }, current), { timeout: 10_000 }).toBe(!current);
  }, 60_000);
});
