import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type ClientOptions, type ClientStatus, type SignalboxClient } from '../src/client/index.js';
import { readCacheFile } from '../src/client/cache-file.js';
import type { Logger } from '../src/client/logger.js';
import { aFlag, anEnvironment, aSegment, inSegments } from './builders.js';
import { eventually, ProtocolHarness } from './protocol-harness.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const initial = () =>
  anEnvironment(
    [
      aFlag('pipeline.enabled').build(),
      aFlag('beta-only')
        .with({ defaultRule: { variant: 'off' } })
        .withRule({ variant: 'on' }, inSegments('beta'))
        .build(),
    ],
    [aSegment('beta')],
  );

describe('socket transport against a protocol harness', () => {
  const harnesses: ProtocolHarness[] = [];
  const clients: SignalboxClient[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(options: Partial<ClientOptions> = {}, harnessOptions: { pingIntervalMs?: number } = {}) {
    const harness = await ProtocolHarness.start(initial(), harnessOptions);
    harnesses.push(harness);
    const client = createClient({ url: harness.url, sdkKey: 'good-key', logger: silent, reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, ...options });
    clients.push(client);
    return { harness, client };
  }

  it('becomes ready on the first snapshot and evaluates it', async () => {
    const { harness, client } = await setUp();
    expect(await client.waitForReady({ timeoutMs: 3_000 })).toBe('ready');
    expect(client.status).toBe('ready');
    expect(client.sequence).toBe(1);
    expect(client.boolean('pipeline.enabled', { targetingKey: 'run-1' }, false)).toBe(true);
    expect(harness.handshakes[0]).toEqual({ sdkKey: 'good-key', client: 'signalbox-sdk-js/0.1.0', protocol: 2 });
    expect(client.lastContactAt).toBeTypeOf('number');
  });

  it('applies pushed changes, announces them and acknowledges the sequence', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    const changes: string[][] = [];
    const perFlag: string[] = [];
    client.on('change', (keys) => changes.push(keys));
    client.on('change:pipeline.enabled', (key) => perFlag.push(key));

    harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ killed: true, version: 2 }).build());
    await eventually(() => client.sequence === 2);
    expect(client.booleanDetails('pipeline.enabled', {}, true)).toMatchObject({ value: false, reason: 'KILLED' });
    expect(changes).toEqual([['pipeline.enabled']]);
    expect(perFlag).toEqual(['pipeline.enabled']);
    await eventually(() => harness.acks.at(-1) === 2);

    harness.publishSegment('beta', aSegment('beta', { included: ['u1'] }));
    await eventually(() => client.sequence === 3);
    expect(changes.at(-1)).toEqual(['beta-only']);
    expect(client.boolean('beta-only', { targetingKey: 'u1' }, false)).toBe(true);

    harness.publishFlag('pipeline.enabled', null);
    await eventually(() => client.sequence === 4);
    expect(client.booleanDetails('pipeline.enabled', {}, true)).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' });
    expect(perFlag).toHaveLength(2);
  });

  it('a version-2 SDK whose server sends no hello (an older server) acknowledges every change at once', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    await eventually(() => harness.acks.length === 1);
    for (let version = 2; version <= 4; version++) {
      harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ version }).build());
      await eventually(() => harness.acks.at(-1) === version, 1_000);
    }
    expect(harness.handshakes[0]?.protocol).toBe(2);
  });

  it('after a version-2 hello, acknowledges an ordinary change lazily but one the server asks to confirm at once', async () => {
    const harness = await ProtocolHarness.start(initial());
    harness.hello = 2;
    harnesses.push(harness);
    const client = createClient({ url: harness.url, sdkKey: 'good-key', logger: silent });
    clients.push(client);
    await client.waitForReady();
    // The snapshot asks for no confirmation here; what matters is what follows it.
    const acked = harness.acks.length;
    harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ version: 2 }).build());
    await eventually(() => client.sequence === 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(harness.acks.length).toBe(acked);
    harness.publishConfirmedFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ version: 3, killed: true }).build());
    await eventually(() => harness.acks.at(-1) === 3, 1_000);
    expect(harness.acks.filter((sequence) => sequence === 2)).toEqual([]);
  });

  it('throttles acks during a burst but always acknowledges the newest sequence', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    await eventually(() => harness.acks.length === 1);
    for (let version = 2; version <= 201; version++) harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ version }).build());
    await eventually(() => harness.acks.at(-1) === 201);
    expect(client.sequence).toBe(201);
    expect(harness.acks.length).toBeLessThan(20);
  });

  it('ignores duplicates and asks for a snapshot on a gap', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    const changes: string[][] = [];
    client.on('change', (keys) => changes.push(keys));

    harness.sendRaw({ type: 'change', sequence: 1, kind: 'flag', key: 'pipeline.enabled', flag: null });
    harness.changeSilently('pipeline.enabled', aFlag('pipeline.enabled').with({ on: false, version: 2 }).build());
    const next = harness.publishFlag('new-flag', aFlag('new-flag').build());
    expect(next.sequence).toBe(3);

    await eventually(() => harness.resyncs === 1 && client.sequence === 3);
    expect(client.boolean('pipeline.enabled', {}, true)).toBe(false);
    expect(client.boolean('new-flag', {}, false)).toBe(true);
    expect(changes).toEqual([['pipeline.enabled', 'new-flag']]);
  });

  it('resumes from its sequence after a dropped connection and gets the changes it missed', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    const statuses: ClientStatus[] = [];
    client.on('status', (status) => statuses.push(status));
    harness.dropConnections();
    await eventually(() => client.status === 'offline');
    harness.changeSilently('pipeline.enabled', aFlag('pipeline.enabled').with({ on: false, version: 2 }).build());

    await eventually(() => client.sequence === 2 && client.status === 'ready');
    expect(harness.handshakes.at(-1)).toMatchObject({ sdkKey: 'good-key', sequence: 1 });
    expect(harness.resyncs).toBe(0);
    expect(client.boolean('pipeline.enabled', {}, true)).toBe(false);
    expect(statuses).toEqual(['offline', 'ready']);
  });

  it('comes back after the server ends the session without refusing the key', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    harness.disconnectAll();
    await eventually(() => harness.handshakes.length === 2 && client.status === 'ready');
  });

  it('stops for good when the key is refused at connection, and says so', async () => {
    const harness = await ProtocolHarness.start(initial());
    harnesses.push(harness);
    const errors: Error[] = [];
    const client = createClient({ url: harness.url, sdkKey: 'bad-key', logger: silent, reconnectionDelayMs: 10 });
    clients.push(client);
    client.on('error', (error) => errors.push(error));
    expect(await client.waitForReady({ timeoutMs: 3_000 })).toBe('error');
    expect(errors.map((error) => error.name)).toEqual(['SignalboxRefusedError']);
    expect(errors[0]?.message).toContain('unknown SDK key');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(harness.handshakes).toHaveLength(1);
    expect(client.boolean('pipeline.enabled', {}, false)).toBe(false);
  });

  it('stops and keeps serving the last config when the key is revoked while connected', async () => {
    const { harness, client } = await setUp();
    await client.waitForReady();
    harness.revoke('good-key');
    await eventually(() => client.status === 'error');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(harness.handshakes).toHaveLength(1);
    expect(harness.connectedSockets).toBe(0);
    expect(client.boolean('pipeline.enabled', {}, false)).toBe(true);
  });

  it('goes stale after staleAfterMs of silence and ready again on the next message', async () => {
    const { harness, client } = await setUp({ staleAfterMs: 150 }, { pingIntervalMs: 10_000 });
    await client.waitForReady();
    expect(client.status).toBe('ready');
    await eventually(() => client.status === 'stale');
    harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ version: 2 }).build());
    await eventually(() => client.status === 'ready');
  });

  it('writes the cache file after changes, and a later client starts from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signalbox-socket-'));
    dirs.push(dir);
    const cacheFile = join(dir, 'flags.json');
    const { harness, client } = await setUp({ cacheFile, cacheWriteDelayMs: 20 });
    await client.waitForReady();
    harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ on: false, version: 2 }).build());
    await eventually(() => readCacheFile(cacheFile, 'good-key').status === 'loaded' && client.sequence === 2);
    await client.close();
    expect(readCacheFile(cacheFile, 'good-key')).toMatchObject({ status: 'loaded', config: { sequence: 2 } });

    // The next run resumes from the cache: the server only has to send what changed since.
    harness.publishFlag('pipeline.enabled', aFlag('pipeline.enabled').with({ on: true, version: 3 }).build());
    const next = createClient({ url: harness.url, sdkKey: 'good-key', cacheFile, logger: silent });
    clients.push(next);
    expect(next.status).toBe('stale');
    expect(next.boolean('pipeline.enabled', {}, true)).toBe(false);
    await eventually(() => next.sequence === 3 && next.status === 'ready');
    expect(harness.handshakes.at(-1)).toMatchObject({ sequence: 2 });
    expect(next.boolean('pipeline.enabled', {}, false)).toBe(true);
  });
});
