import { createClient, type SignalboxClient } from '@signalbox/sdk';
import { LAZY_ACK_MS, type ServerMessage } from '@signalbox/sdk/protocol';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Protocol version 2: SDKs confirm at once only what the server asks to be confirmed (snapshots,
 * kill switches and restores), and ordinary changes lazily, within LAZY_ACK_MS.
 */
describe('confirmations (protocol version 2)', () => {
  let t: TestApp;
  let sdkKey: string;
  const clients: SignalboxClient[] = [];
  const delivery = async () =>
    (await t.http.get('/api/v1/projects/confirm/environments/development/delivery').set(t.admin)).body as {
      sequence: number;
      connected: number;
      confirmed: number;
    };
  const behind = async () => Number(/^signalbox_delivery_sdks_behind_head (\d+)$/m.exec((await t.http.get('/metrics')).text)?.[1]);
  const sdk = async () => {
    const client = createClient({ url: t.url, sdkKey, logger: quiet });
    clients.push(client);
    expect(await client.waitForReady({ timeoutMs: 5000 })).toBe('ready');
    return client;
  };
  const flagConfig = '/api/v1/projects/confirm/flags/confirm.flag/environments/development';
  /** Flips the flag's `on` (an ordinary change); the kill switch moves the version on too. */
  const flip = async () => {
    const { version, on } = (await t.http.get(flagConfig).set(t.admin).expect(200)).body as { version: number; on: boolean };
    await t.http.patch(flagConfig).set(t.admin).send({ version, on: !on }).expect(200);
  };
  /** An ordinary change, resolved once every client in `waiting` has applied it. */
  const toggle = async (...waiting: SignalboxClient[]) => {
    const applied = waiting.map(
      (c) =>
        new Promise<void>((resolve) => {
          const off = c.on('change:confirm.flag', () => {
            off();
            resolve();
          });
        }),
    );
    await flip();
    await Promise.all(applied);
  };

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'confirm', [{ key: 'development', name: 'Development' }])).sdkKeys.development!;
    await aBooleanFlag(t.http, t.admin, 'confirm', 'confirm.flag');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  it('greets a client that speaks version 2 with the version, and a version-1 client with nothing new', async () => {
    const hellos: unknown[] = [];
    const v2 = io(`${t.url}/sdk`, { auth: { sdkKey, client: 'test', protocol: 2 }, transports: ['websocket'], reconnection: false, forceNew: true });
    v2.on('hello', (m: unknown) => hellos.push(m));
    const snapshot = await new Promise<ServerMessage>((resolve) => v2.on('snapshot', resolve));
    expect(hellos).toEqual([{ type: 'hello', protocol: 2 }]);
    // A snapshot goes to one client: it asks to be confirmed at once.
    expect(snapshot).toMatchObject({ type: 'snapshot', confirm: true });
    v2.close();

    const v1 = await connectSdk(t.url, sdkKey);
    const v1Hellos: unknown[] = [];
    v1.socket.on('hello', (m: unknown) => v1Hellos.push(m));
    await v1.waitFor((m) => m.type === 'snapshot');
    await sleep(100);
    expect(v1Hellos).toEqual([]);
    v1.close();
  });

  it('does not have SDKs confirm an ordinary change at once, and does not count them behind for it', async () => {
    const [a, b] = [await sdk(), await sdk()];
    // Both confirmed their snapshot when they connected.
    await expect.poll(delivery, { timeout: 3000 }).toMatchObject({ connected: 2, confirmed: 2 });
    await toggle(a, b);
    await sleep(500);
    const status = await delivery();
    expect(status).toMatchObject({ connected: 2, confirmed: 0 });
    expect(a.sequence).toBe(status.sequence);
    // Their confirmation is not due yet: /readyz and /metrics do not call them behind.
    expect(await behind()).toBe(0);
  });

  it('has every SDK confirm a kill switch and its restore at once, so the kill switch waits only for delivery', async () => {
    const [a, b] = [await sdk(), await sdk()];
    await toggle(a, b);
    for (const action of ['kill', 'restore'] as const) {
      const started = performance.now();
      const res = await t.http
        .post(`/api/v1/projects/confirm/flags/confirm.flag/${action}`)
        .set(t.admin)
        .send({ reason: 'confirmation test', environments: ['development'], waitForConfirmationMs: 5000 })
        .expect(200);
      const tookMs = performance.now() - started;
      expect(res.body.environments[0]).toMatchObject({ killed: action === 'kill', delivery: { connected: 2, confirmed: 2, allConfirmed: true } });
      // Well inside the lazy window: the acks were asked for.
      expect(tookMs).toBeLessThan(LAZY_ACK_MS / 4);
    }
    // Confirming the restore covers the ordinary change before it too.
    expect((await delivery()).confirmed).toBe(2);
  });

  it('confirms ordinary changes lazily: one ack per client covers a burst, within the lazy window', { timeout: LAZY_ACK_MS + 15_000 }, async () => {
    const client = await sdk();
    for (let i = 0; i < 3; i++) await toggle(client);
    const head = client.sequence;
    expect((await delivery()).confirmed).toBe(0);
    await expect.poll(delivery, { timeout: LAZY_ACK_MS + 3000, interval: 250 }).toMatchObject({ sequence: head, connected: 1, confirmed: 1 });
  });

  it('still counts a version-1 client that acknowledges every change, as before', async () => {
    const v1 = await connectSdk(t.url, sdkKey);
    await v1.waitFor((m) => m.type === 'snapshot');
    const sequence = (await delivery()).sequence;
    await flip();
    const change = await v1.waitFor((m) => m.type === 'change' && m.sequence > sequence);
    // An ordinary change asks for nothing; the version-1 client acks it anyway, and is counted at once.
    expect(change).not.toHaveProperty('confirm');
    await expect.poll(delivery, { timeout: 3000 }).toMatchObject({ sequence: change.sequence, connected: 1, confirmed: 1 });
    v1.close();
  });
});
