import type { EnvironmentConfig } from '../core/types.js';
import { isEnvironmentConfig } from './config-store.js';

// node:crypto and node:fs load when a cache file is first used (process.getBuiltinModule), not on
// import: most processes never use one, and importing them was a noticeable share of the SDK's
// import time.

/** What the cache file holds. `environment` ties it to an SDK key without storing the key. */
export interface CacheFileContents {
  format: 'signalbox-config-cache';
  version: 1;
  /** A hash of the SDK key the config was fetched with. */
  environment: string;
  savedAt: string;
  config: EnvironmentConfig;
}

/** Why a cache file could not be used. */
export type CacheReadResult = { status: 'loaded'; config: EnvironmentConfig; savedAt: string } | { status: 'missing' } | { status: 'unusable'; reason: string };

/** A short, one-way fingerprint of an SDK key: a cache written for one environment is not served for another. */
export function environmentFingerprint(sdkKey: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(`signalbox-cache:${sdkKey}`).digest('hex').slice(0, 16);
}

/** Reads a cache file synchronously (once, at start, so evaluations work right after `createClient`). */
export function readCacheFile(path: string, sdkKey: string): CacheReadResult {
  let text: string;
  try {
    text = process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'unusable', reason: `cannot read it: ${(error as Error).message}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: 'unusable', reason: 'it is not valid JSON' };
  }
  const contents = parsed as Partial<CacheFileContents> | null;
  if (contents === null || typeof contents !== 'object' || contents.format !== 'signalbox-config-cache' || contents.version !== 1) {
    return { status: 'unusable', reason: 'it is not a Signalbox config cache' };
  }
  if (contents.environment !== environmentFingerprint(sdkKey)) {
    return { status: 'unusable', reason: 'it was written for another SDK key' };
  }
  if (!isEnvironmentConfig(contents.config)) return { status: 'unusable', reason: 'its config is malformed' };
  return { status: 'loaded', config: contents.config, savedAt: String(contents.savedAt) };
}

/**
 * Writes the cache file atomically: the JSON goes to `${path}.tmp-<pid>` first and is renamed over
 * `path`, so a reader (or a crash) never sees a partial file. The temporary file is removed on failure.
 */
export async function writeCacheFile(path: string, sdkKey: string, config: EnvironmentConfig, now: Date = new Date()): Promise<void> {
  const contents: CacheFileContents = {
    format: 'signalbox-config-cache',
    version: 1,
    environment: environmentFingerprint(sdkKey),
    savedAt: now.toISOString(),
    config,
  };
  const temporary = `${path}.tmp-${process.pid}`;
  const { rename, rm, writeFile } = process.getBuiltinModule('node:fs/promises');
  try {
    await writeFile(temporary, JSON.stringify(contents), { encoding: 'utf8', mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Keeps the cache file up to date without writing on every change: `schedule` writes once
 * `debounceMs` after the first unwritten change; `flush` writes now. Writes never overlap.
 */
export class CacheFileWriter {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly sdkKey: string,
    private readonly currentConfig: () => EnvironmentConfig | undefined,
    private readonly onError: (error: unknown) => void,
    private readonly debounceMs = 500,
  ) {}

  /** Notes that the config changed; the file is written within `debounceMs`. */
  schedule(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    // Housekeeping must not keep a process alive on its own.
    this.timer.unref?.();
  }

  /** Writes pending changes now; resolves once they are on disk (or failed, reported to `onError`). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const config = this.currentConfig();
      if (config === undefined) return;
      try {
        await writeCacheFile(this.path, this.sdkKey, config);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.writing;
  }
}
