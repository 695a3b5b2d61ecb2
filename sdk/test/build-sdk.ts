import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SDK package directory, whose `dist/` child-process tests import. */
export const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Brings `dist/` up to date (tsc -b, incremental) for tests that run the compiled SDK in a child process. */
export const buildSdk = (): void => {
  const tsc = join(sdkDir, '..', 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', sdkDir], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`cannot build the SDK:\n${build.stdout}${build.stderr}`);
};

/** tsc -b of the SDK: seconds on a quiet machine, over a minute on a loaded CI one. */
export const BUILD_TIMEOUT_MS = 180_000;
