import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aFlag, anEnvironment } from '../../test/builders.js';
import type { EnvironmentConfig } from '../core/types.js';
import { CacheFileWriter, readCacheFile, writeCacheFile } from './cache-file.js';

describe('cache file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'signalbox-cache-'));
    path = join(dir, 'flags.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote, for the same SDK key', async () => {
    const config = anEnvironment([aFlag('a').build()]);
    await writeCacheFile(path, 'key-1', config);
    expect(readCacheFile(path, 'key-1')).toMatchObject({ status: 'loaded', config });
    expect(readdirSync(dir)).toEqual(['flags.json']);
  });

  it('does not store the SDK key itself', async () => {
    await writeCacheFile(path, 'secret-sdk-key', anEnvironment([]));
    expect(readFileSync(path, 'utf8')).not.toContain('secret-sdk-key');
  });

  it('is not served for another SDK key', async () => {
    await writeCacheFile(path, 'key-1', anEnvironment([]));
    expect(readCacheFile(path, 'key-2')).toEqual({ status: 'unusable', reason: 'it was written for another SDK key' });
  });

  it('reports a missing file as missing', () => {
    expect(readCacheFile(path, 'key')).toEqual({ status: 'missing' });
  });

  it.each([
    ['truncated JSON', '{"format":"signalbox-config-cache","version":1,"conf'],
    ['another file', '{"hello":"world"}'],
    ['a malformed config', JSON.stringify({ format: 'signalbox-config-cache', version: 1, environment: 'x', config: { flags: 1 } })],
  ])('ignores a corrupt file (%s)', (_name, text) => {
    writeFileSync(path, text);
    expect(readCacheFile(path, 'key').status).toBe('unusable');
  });

  it('never lets a reader see a partial file while it rewrites it', async () => {
    const big = (n: number): EnvironmentConfig => anEnvironment(Array.from({ length: 2_000 }, (_, i) => aFlag(`flag-${i}`).with({ version: n }).build()));
    await writeCacheFile(path, 'key', big(1));
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const result = readCacheFile(path, 'key');
        expect(result.status).toBe('loaded');
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let n = 2; n <= 6; n++) await writeCacheFile(path, 'key', big(n));
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['flags.json']);
    expect((readCacheFile(path, 'key') as { config: EnvironmentConfig }).config.flags[0]?.version).toBe(6);
  });

  it('removes its temporary file when the rename fails', async () => {
    // A directory where the file should be makes the rename fail after the temporary file was written.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'child'), { recursive: true });
    await expect(writeCacheFile(blocked, 'key', anEnvironment([]))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['blocked']);
  });

  it('debounces writes and flushes on demand', async () => {
    let config = anEnvironment([aFlag('a').build()]);
    const errors: unknown[] = [];
    const writer = new CacheFileWriter(
      path,
      'key',
      () => config,
      (error) => errors.push(error),
      60_000,
    );
    writer.schedule();
    config = { ...config, sequence: 2 };
    writer.schedule();
    expect(readCacheFile(path, 'key').status).toBe('missing');
    await writer.flush();
    expect(readCacheFile(path, 'key')).toMatchObject({ status: 'loaded', config: { sequence: 2 } });
    expect(errors).toEqual([]);
  });
});
