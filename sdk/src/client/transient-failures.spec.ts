import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
// The server's socket.io (a workspace sibling's dependency), to play the server's side of the handshake.
import { Server as IoServer } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { aFlag, anEnvironment } from '../../test/builders.js';
import type { ClientStatus } from './status.js';
import { createClient, type SignalboxClient } from './client.js';
import type { Logger } from './logger.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const config = { ...anEnvironment([aFlag('enabled').with({ on: true }).build()]), sequence: 7 };

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('the SDK after a transient refusal', () => {
  const closers: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  const track = (client: SignalboxClient) => {
    const statuses: ClientStatus[] = [];
    client.on('status', (status: ClientStatus) => statuses.push(status));
    closers.push(() => client.close());
    return statuses;
  };

  it('polls again no sooner than Retry-After after a 503, and becomes ready', async () => {
    const requests: number[] = [];
    const server = createServer((req, res) => {
      requests.push(Date.now());
      if (requests.length === 1) {
        res
          .writeHead(503, { 'Retry-After': '2', 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'UNAVAILABLE', message: 'The database is unavailable' }));
        return;
      }
      res.writeHead(200, { ETag: `"${config.sequence}"`, 'Content-Type': 'application/json' }).end(JSON.stringify(config));
    });
    closers.push(() => new Promise((r) => server.close(r)));
    const client = createClient({ url: await listen(server), sdkKey: 'sbk_test', transport: 'poll', pollIntervalMs: 5_000, logger: silent });
    const statuses = track(client);
    expect(await client.waitForReady({ timeoutMs: 5_000 })).toBe('ready');
    // The backoff alone would retry after 0.5–1.5 s; the server asked for 2 s.
    expect(requests[1]! - requests[0]!).toBeGreaterThanOrEqual(1950);
    expect(statuses).not.toContain('error');
    expect(client.boolean('enabled', { key: 'u' }, false)).toBe(true);
  });

  it('retries a socket handshake refused as UNAVAILABLE, and stops for good on UNAUTHENTICATED', async () => {
    const http = createServer();
    const io = new IoServer(http, { transports: ['websocket'] });
    closers.push(() => new Promise((r) => io.close(() => r(undefined))));
    let handshakes = 0;
    io.of('/sdk').use((socket, next) => {
      handshakes++;
      const key = (socket.handshake.auth as { sdkKey?: string }).sdkKey;
      if (key === 'sbk_revoked') return next(Object.assign(new Error('refused'), { data: { error: 'UNAUTHENTICATED', message: 'The SDK key is unknown' } }));
      if (handshakes <= 2)
        return next(Object.assign(new Error('unavailable'), { data: { error: 'UNAVAILABLE', message: 'could not check the key', retryAfterMs: 100 } }));
      next();
    });
    io.of('/sdk').on('connection', (socket) => socket.emit('snapshot', { type: 'snapshot', sequence: config.sequence, config }));
    const url = await listen(http);

    const client = createClient({ url, sdkKey: 'sbk_good', reconnectionDelayMs: 50, reconnectionDelayMaxMs: 200, logger: silent });
    const statuses = track(client);
    expect(await client.waitForReady({ timeoutMs: 5_000 })).toBe('ready');
    expect(handshakes).toBe(3);
    expect(statuses).not.toContain('error');

    const refused = createClient({ url, sdkKey: 'sbk_revoked', reconnectionDelayMs: 50, reconnectionDelayMaxMs: 200, logger: silent });
    track(refused);
    expect(await refused.waitForReady({ timeoutMs: 5_000 })).toBe('error');
    const after = handshakes;
    await new Promise((r) => setTimeout(r, 500));
    expect(handshakes).toBe(after);
  });

  it('waits at least the retryAfterMs a refused handshake asks for, however short its own backoff', async () => {
    const http = createServer();
    const io = new IoServer(http, { transports: ['websocket'] });
    closers.push(() => new Promise((r) => io.close(() => r(undefined))));
    const at: number[] = [];
    io.of('/sdk').use((_socket, next) => {
      at.push(performance.now());
      if (at.length <= 2)
        return next(Object.assign(new Error('unavailable'), { data: { error: 'UNAVAILABLE', message: 'could not check the key', retryAfterMs: 400 } }));
      next();
    });
    io.of('/sdk').on('connection', (socket) => socket.emit('snapshot', { type: 'snapshot', sequence: config.sequence, config }));
    const url = await listen(http);

    // A 10 ms backoff would come back within tens of milliseconds; the server asked for 400.
    const client = createClient({ url, sdkKey: 'sbk_good', reconnectionDelayMs: 10, reconnectionDelayMaxMs: 2_000, logger: silent });
    track(client);
    expect(await client.waitForReady({ timeoutMs: 10_000 })).toBe('ready');
    expect(at).toHaveLength(3);
    // 1 ms of slack for timer granularity.
    for (const gap of [at[1]! - at[0]!, at[2]! - at[1]!]) expect(gap).toBeGreaterThanOrEqual(399);
  });

  it('stops for good on FORBIDDEN (not an SDK key), as on UNAUTHENTICATED', async () => {
    const http = createServer();
    const io = new IoServer(http, { transports: ['websocket'] });
    closers.push(() => new Promise((r) => io.close(() => r(undefined))));
    let handshakes = 0;
    io.of('/sdk').use((_socket, next) => {
      handshakes++;
      next(Object.assign(new Error('forbidden'), { data: { error: 'FORBIDDEN', message: 'Use an SDK key' } }));
    });
    const url = await listen(http);

    const client = createClient({ url, sdkKey: 'sbk_admin-token', reconnectionDelayMs: 10, reconnectionDelayMaxMs: 20, logger: silent });
    const statuses = track(client);
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    expect(await client.waitForReady({ timeoutMs: 5_000 })).toBe('error');
    expect(statuses).toEqual(['error']);
    expect(errors.map((error) => error.name)).toEqual(['SignalboxRefusedError']);
    // At a 10-20 ms backoff a retry would have happened many times over by now.
    await new Promise((r) => setTimeout(r, 300));
    expect(handshakes).toBe(1);
    expect(client.status).toBe('error');
  });
});

describe('the SDK reconnecting with its default backoff', () => {
  it('tries again after about 500 ms, doubling, never more than 5 s apart (±50% jitter), while every connection is cut', async () => {
    // A listener that takes each connection and cuts it at once, as an instance that keeps crashing.
    const attempts: number[] = [];
    const cutter = createNetServer((socket) => {
      attempts.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => cutter.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(cutter.address() as AddressInfo).port}`;
    const client = createClient({ url, sdkKey: 'sbk_backoff', logger: silent });
    try {
      await new Promise((resolve) => setTimeout(resolve, 14_000));
    } finally {
      await client.close();
      await new Promise<void>((resolve) => cutter.close(() => resolve()));
    }
    // An attempt may open more than one connection (a few milliseconds apart): one attempt is a burst.
    const tries = attempts.filter((at, i) => i === 0 || at - attempts[i - 1]! > 100);
    const gaps = tries.slice(1).map((at, i) => at - tries[i]!);
    // Waits of 500, 1000, 2000, 4000, then 5000 ms at most, each ×[0.5, 1.5] and capped at 5 s
    // (plus the time an attempt takes): 4 to 8 gaps in 14 s.
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    expect(gaps.length).toBeLessThanOrEqual(8);
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[0]).toBeLessThanOrEqual(900);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeLessThanOrEqual(Math.min(5_000, 500 * 2 ** i * 1.5) + 300);
    // It backs off: a later wait is longer than the first could be.
    expect(Math.max(...gaps.slice(2))).toBeGreaterThan(900);
  }, 30_000);
});
