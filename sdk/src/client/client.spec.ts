import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aFlag, anEnvironment } from '../../test/builders.js';
import { writeCacheFile } from './cache-file.js';
import { createClient, type SignalboxClient } from './client.js';
import type { Logger } from './logger.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };

/** A localhost URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const config = anEnvironment([
  aFlag('enabled').build(),
  aFlag('model')
    .withKind('string', { v1: 'model-v1', v2: 'model-v2' })
    .with({ defaultRule: { variant: 'v2' }, offVariant: 'v1' })
    .build(),
  aFlag('threshold')
    .withKind('number', { low: 0.2, high: 0.8 })
    .with({ defaultRule: { variant: 'high' }, offVariant: 'low' })
    .build(),
  aFlag('settings')
    .withKind('json', { a: { batch: 64 }, b: { batch: 128 } })
    .with({ defaultRule: { variant: 'b' }, offVariant: 'a' })
    .build(),
]);

describe('SignalboxClient without a server', () => {
  const clients: SignalboxClient[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'signalbox-client-'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const track = (client: SignalboxClient): SignalboxClient => {
    clients.push(client);
    return client;
  };

  it('serves defaults, with reason ERROR and code GENERAL, before it has a config', async () => {
    const client = track(createClient({ url: await deadUrl(), sdkKey: 'key', logger: silent }));
    expect(client.status).toBe('initializing');
    expect(client.boolean('enabled', { targetingKey: 'u' }, true)).toBe(true);
    expect(client.string('model', undefined, 'fallback')).toBe('fallback');
    expect(client.number('threshold', {}, 0.5)).toBe(0.5);
    expect(client.json('settings', {}, { batch: 1 })).toEqual({ batch: 1 });
    expect(client.booleanDetails('enabled', {}, false)).toEqual({
      flagKey: 'enabled',
      value: false,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: 'client is not ready',
    });
    expect(client.allFlags({})).toEqual({});
  });

  it('never throws on odd input', () => {
    const client = track(createClient({ url: 'http://127.0.0.1:1', sdkKey: 'key', transport: 'none', bootstrap: config, logger: silent }));
    const odd: unknown[] = [undefined, null, 42, 'text', { targetingKey: 5 }, Object.create(null), { nested: { deep: [1, 2] } }];
    for (const context of odd) {
      expect(() => client.boolean('enabled', context as never, false)).not.toThrow();
      expect(() => client.details(undefined as never, context as never, 1)).not.toThrow();
      expect(() => client.allFlags(context as never)).not.toThrow();
    }
  });

  it('evaluates a bootstrap config at once, as stale until the server confirms it', async () => {
    const client = track(createClient({ url: 'http://127.0.0.1:1', sdkKey: 'key', transport: 'none', bootstrap: config, logger: silent }));
    expect(client.status).toBe('stale');
    expect(await client.waitForReady({ timeoutMs: 1 })).toBe('stale');
    expect(client.boolean('enabled', {}, false)).toBe(true);
    expect(client.string('model', {}, 'x')).toBe('model-v2');
    expect(client.number('threshold', {}, 0)).toBe(0.8);
    expect(client.json('settings', {}, null)).toEqual({ batch: 128 });
    expect(client.stringDetails('model', {}, 'x')).toEqual({ flagKey: 'model', value: 'model-v2', variant: 'v2', reason: 'STATIC' });
    expect(client.booleanDetails('model', {}, false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(client.allFlags({})).toEqual({ enabled: true, model: 'model-v2', threshold: 0.8, settings: { batch: 128 } });
    expect(client.sequence).toBe(1);
    expect(client.lastUpdateAt).toBeTypeOf('number');
  });

  it('warns about a flag it cannot read when the flag is first evaluated (flags compile on first use)', () => {
    const warnings: string[] = [];
    const broken = aFlag('broken').withRule({ variant: 'ghost' }).build();
    const logger: Logger = { ...silent, warn: (message) => warnings.push(message) };
    const client = track(
      createClient({ url: 'http://127.0.0.1:1', sdkKey: 'key', transport: 'none', bootstrap: anEnvironment([aFlag('fine').build(), broken]), logger }),
    );
    expect(client.boolean('fine', {}, false)).toBe(true);
    expect(warnings).toEqual([]);
    expect(client.booleanDetails('broken', {}, false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'GENERAL' });
    expect(warnings).toEqual(['config sequence 1 has problems; affected flags serve defaults: flag broken: unknown variant "ghost"']);
  });

  it('starts from the cache file with no server: evaluations work and waitForReady resolves', async () => {
    const cacheFile = join(dir, 'cache.json');
    await writeCacheFile(cacheFile, 'key', { ...config, sequence: 42 });
    const client = track(createClient({ url: await deadUrl(), sdkKey: 'key', cacheFile, logger: silent, reconnectionDelayMs: 50 }));
    expect(await client.waitForReady({ timeoutMs: 1_000 })).toBe('stale');
    expect(client.sequence).toBe(42);
    expect(client.boolean('enabled', {}, false)).toBe(true);
    // The server stays unreachable: the cached config is still served, still stale.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.status).toBe('stale');
  });

  it('warns about a corrupt cache file and starts without it', async () => {
    const cacheFile = join(dir, 'cache.json');
    writeFileSync(cacheFile, '{"format":"signalbox-config-cache", "vers');
    const warnings: string[] = [];
    const client = track(
      createClient({
        url: 'http://127.0.0.1:1',
        sdkKey: 'key',
        transport: 'none',
        cacheFile,
        logger: { ...silent, warn: (message) => warnings.push(message) },
      }),
    );
    expect(client.hasConfig).toBe(false);
    expect(client.status).toBe('offline');
    expect(warnings).toEqual([`ignored the cache file ${cacheFile}: it is not valid JSON`]);
  });

  it('prefers bootstrap over the cache file', async () => {
    const cacheFile = join(dir, 'cache.json');
    await writeCacheFile(cacheFile, 'key', { ...config, sequence: 42 });
    const client = track(
      createClient({ url: 'http://127.0.0.1:1', sdkKey: 'key', transport: 'none', cacheFile, bootstrap: anEnvironment([]), logger: silent }),
    );
    expect(client.sequence).toBe(1);
  });

  it('resolves waitForReady with the status after the timeout when nothing arrives', async () => {
    const client = track(createClient({ url: await deadUrl(), sdkKey: 'key', logger: silent, reconnectionDelayMs: 20 }));
    const started = Date.now();
    const status = await client.waitForReady({ timeoutMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(['initializing', 'offline']).toContain(status);
    expect(client.hasConfig).toBe(false);
  });

  it('resolves pending waitForReady calls on close', async () => {
    const client = createClient({ url: await deadUrl(), sdkKey: 'key', logger: silent });
    const waiting = client.waitForReady({ timeoutMs: 60_000 });
    await client.close();
    expect(await waiting).toBe('offline');
  });

  it('keeps serving after close, and close is idempotent', async () => {
    const client = createClient({ url: 'http://127.0.0.1:1', sdkKey: 'key', transport: 'none', bootstrap: config, logger: silent });
    const first = client.close();
    expect(client.close()).toBe(first);
    await first;
    expect(client.boolean('enabled', {}, false)).toBe(true);
  });

  it('reports connection failures as error events and a status change to offline', async () => {
    const client = track(createClient({ url: await deadUrl(), sdkKey: 'key', logger: silent, reconnectionDelayMs: 20 }));
    const statuses: string[] = [];
    const errors: Error[] = [];
    client.on('status', (status) => statuses.push(status));
    client.on('error', (error) => errors.push(error));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statuses[0]).toBe('offline');
    expect(errors[0]?.name).toBe('SignalboxConnectionError');
  });

  it('survives listeners that throw, and unsubscribes', async () => {
    const errorsLogged: string[] = [];
    const client = track(
      createClient({ url: await deadUrl(), sdkKey: 'key', reconnectionDelayMs: 20, logger: { ...silent, error: (message) => errorsLogged.push(message) } }),
    );
    let calls = 0;
    client.on('error', () => {
      throw new Error('listener bug');
    });
    const unsubscribe = client.on('error', () => {
      calls++;
      unsubscribe();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(1);
    expect(errorsLogged[0]).toBe('a "error" listener threw: listener bug');
    expect(client.boolean('enabled', {}, true)).toBe(true);
  });

  it('rejects options it cannot work with', () => {
    expect(() => createClient({ url: 'not a url', sdkKey: 'key' })).toThrow(TypeError);
    expect(() => createClient({ url: 'ftp://example.com', sdkKey: 'key' })).toThrow(TypeError);
    // Without a transport the endpoints are never derived, but the URL is still checked.
    expect(() => createClient({ url: 'not a url', sdkKey: 'key', transport: 'none' })).toThrow(TypeError);
    expect(() => createClient({ url: 'ftp://example.com', sdkKey: 'key', transport: 'none' })).toThrow(TypeError);
    expect(() => createClient({ url: 'http://example.com', sdkKey: '' })).toThrow(TypeError);
  });
});
