import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- the build scripts are plain JavaScript modules without declarations.
import { emitProjects, projectGraph, withBuildLock } from '../../scripts/build-lib.mjs';
// @ts-expect-error -- as above.
import { bundleSdk, sdkBundleStale } from '../../scripts/sdk-bundle.mjs';

/** The SDK package directory, whose `dist/` child-process tests import. */
export const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(sdkDir, '..');

/**
 * Brings `dist/` and its bundle (what the package exports) up to date, as `node scripts/build.mjs`
 * does but for the SDK alone, for tests that run the built SDK in a child process. Incremental, and
 * under the build's lock, so test files running side by side never write the same outputs.
 */
export const buildSdk = async (): Promise<void> => {
  const sdk = (projectGraph(root) as { name: string }[]).filter((project) => project.name === 'sdk');
  if (sdk.length !== 1) throw new Error('the build graph has no sdk project');
  await withBuildLock(root, async () => {
    await emitProjects(sdk);
    if (sdkBundleStale(root)) await bundleSdk(root);
  });
};

/** A build of the SDK: seconds on a quiet machine, over a minute on a loaded CI one. */
export const BUILD_TIMEOUT_MS = 180_000;
