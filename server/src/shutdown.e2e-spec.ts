import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../test/server-process.js';
import { ADMIN_TOKEN, TEST_SECRET_KEY } from '../test/test-app.js';
import { cloneTemplate } from '../test/test-database.js';

const GRACE_MS = 1_500;

/** A raw connection to the server, to hold a request half-sent (busy: shutdown may not close it) and read what comes back. */
const openConnection = async (url: string) => {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed, received: () => received };
};

/**
 * The README's shutdown promises, on the built server as a process: SIGTERM makes /readyz fail for
 * a request already on its way; a request still running past SIGNALBOX_SHUTDOWN_GRACE_MS has its
 * connection cut and the process exits 1; a second signal exits at once.
 */
describe('shutdown with requests still running', () => {
  let server: ServerProcess | undefined;
  let drop: (() => Promise<void>) | undefined;

  const start = async () => {
    const database = await cloneTemplate();
    drop = () => database.drop();
    const env = database.databaseUrl
      ? { DATABASE_URL: database.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY }
      : { SIGNALBOX_DATA_DIR: database.dataDir! };
    server = await startServerProcess({ ...env, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    return server;
  };

  /** A write whose body never finishes arriving: a request that is still running however long shutdown waits. */
  const holdRequest = async (url: string) => {
    const held = await openConnection(url);
    held.socket.write(
      'POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${ADMIN_TOKEN}\r\nContent-Length: 200\r\n\r\n{"key":`,
    );
    return held;
  };

  afterEach(async () => {
    await server?.stop('SIGKILL');
    await drop?.();
    server = undefined;
    drop = undefined;
  });

  it('answers /readyz with 503 once SIGTERM is received, then cuts a request still running after the grace period and exits 1', async () => {
    const { url, stop } = await start();
    const held = await holdRequest(url);
    // A readiness probe already on its way (its request line sent): the connection is busy, so it is answered.
    const probe = await openConnection(url);
    probe.socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n');
    await sleep(200);

    const signalled = Date.now();
    const exited = stop('SIGTERM');
    await sleep(300);
    probe.socket.write('\r\n');
    await probe.closed;
    expect(probe.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(probe.received()).toContain('This instance is shutting down');

    // The held request keeps the instance alive through the grace period, then its connection is cut.
    expect(await exited).toBe(1);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(GRACE_MS);
    expect(took).toBeLessThan(GRACE_MS + 8_000);
    await held.closed;
    expect(held.received()).toBe('');
    expect(server!.output()).toMatch(/requests still running after 1500 ms; closing their connections/);
  }, 90_000);

  it('exits at once on a second signal, without waiting for the grace period', async () => {
    const { url, stop } = await start();
    const held = await holdRequest(url);
    await sleep(200);
    const first = stop('SIGTERM');
    await sleep(300);
    const signalled = Date.now();
    const second = stop('SIGTERM');
    expect(await second).toBe(130);
    expect(await first).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(GRACE_MS);
    await held.closed;
  }, 90_000);
});
