// Bundles the SDK's published entry points from sdk/dist (the JavaScript the build emits file by
// file) into sdk/dist/bundle with rolldown, which the package's "exports" point at. Node then
// reads a handful of files instead of ~70 modules: importing `@signalbox/sdk` takes about half the
// time. Entry points share chunks, so the core is loaded once whichever entries a process imports;
// dependencies (socket.io-client, commander, OpenFeature) stay external, still loaded only where
// the code imports them (socket.io-client only when a socket transport starts).
//
// Like scripts/build-lib.mjs, the bundle records what it was built from (a content hash of every
// module it includes) so an unchanged tree re-bundles nothing.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fingerprint } from './build-lib.mjs';

const requireHere = createRequire(import.meta.url);

/** Entry points, by the name of their bundle file: the module of sdk/dist each starts from. */
export const SDK_ENTRIES = {
  index: 'index.js',
  core: 'core/index.js',
  client: 'client/index.js',
  openfeature: 'openfeature/index.js',
  protocol: 'protocol/index.js',
  telemetry: 'telemetry/index.js',
  cli: 'cli/main.js',
};

/** Bump when the way the bundle is made changes, so every bundle is rebuilt once. */
const BUNDLER_VERSION = 1;
const STAMP = '.bundle-stamp.json';

export const sdkDistDir = (root) => path.join(root, 'sdk', 'dist');
export const sdkBundleDir = (root) => path.join(sdkDistDir(root), 'bundle');

const bundleKey = (entries) => JSON.stringify({ BUNDLER_VERSION, rolldown: requireHere('rolldown/package.json').version, entries });

const readStamp = (root) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(sdkBundleDir(root), STAMP), 'utf8'));
  } catch {
    return undefined;
  }
};

/**
 * Why sdk/dist/bundle must be rebuilt (no bundle, another bundler or entry list, a bundle file
 * missing, a module it includes changed or gone), or undefined when it is up to date. Costs one
 * stat per bundled module.
 */
export const sdkBundleStaleReason = (root, entries = SDK_ENTRIES) => {
  const stamp = readStamp(root);
  if (stamp === undefined) return 'no bundle stamp';
  if (stamp.key !== bundleKey(entries)) return 'bundler or entry points changed';
  const bundle = sdkBundleDir(root);
  if (stamp.outputs.some((file) => !fs.existsSync(path.join(bundle, file)))) return 'a bundle file is missing';
  const dist = sdkDistDir(root);
  const now = fingerprint(
    Object.keys(stamp.inputs).map((rel) => path.join(dist, rel)),
    dist,
    stamp.inputs,
  );
  return Object.keys(now).every((rel) => now[rel][2] === stamp.inputs[rel][2]) ? undefined : 'sdk/dist changed';
};

/** True when sdk/dist/bundle must be rebuilt (see `sdkBundleStaleReason`). */
export const sdkBundleStale = (root, entries = SDK_ENTRIES) => sdkBundleStaleReason(root, entries) !== undefined;

// Source maps: each emitted file's map (JavaScript → TypeScript) is handed to rolldown with its
// code, so the bundle's maps point at sdk/src.
const withInputMaps = {
  name: 'signalbox-input-source-maps',
  load(id) {
    if (!id.endsWith('.js') || !fs.existsSync(`${id}.map`)) return null;
    const code = fs.readFileSync(id, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    return { code, map: fs.readFileSync(`${id}.map`, 'utf8') };
  },
};

/**
 * Bundles the entry points of `<root>/sdk/dist` into `<root>/sdk/dist/bundle` (`<name>.js` per
 * entry, shared code in `chunks/`), replacing what was there, and records what it was built
 * from. Returns the bundle's file names.
 */
export const bundleSdk = async (root, entries = SDK_ENTRIES) => {
  const { rolldown } = await import('rolldown');
  const dist = sdkDistDir(root);
  const out = sdkBundleDir(root);
  const input = Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(dist, file)]));
  const build = await rolldown({
    input,
    platform: 'node',
    // Bare specifiers are dependencies (or Node built-ins): imported from node_modules at run time.
    external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
    // No module, the SDK's or a dependency, runs anything on import that another relies on: one
    // whose exports go unused is left out (type-only modules would otherwise leave empty chunks).
    // An entry's own statements stay (the OpenFeature entry registers the application's copy).
    treeshake: { moduleSideEffects: false },
    plugins: [withInputMaps],
    logLevel: 'warn',
  });
  let output;
  try {
    ({ output } = await build.write({
      dir: out,
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      // Whitespace and comments only: names stay readable in stack traces.
      minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
      comments: false,
      sourcemap: true,
      sourcemapExcludeSources: true,
      // The SDK never calls `require`: no shim importing node:module into every entry.
      polyfillRequire: false,
      cleanDir: true,
    }));
  } finally {
    await build.close();
  }
  const chunks = output.filter((file) => file.type === 'chunk');
  const modules = [...new Set(chunks.flatMap((chunk) => chunk.moduleIds))].filter((id) => path.isAbsolute(id) && id.startsWith(dist + path.sep));
  const stamp = {
    key: bundleKey(entries),
    outputs: output.map((file) => file.fileName),
    inputs: fingerprint(modules.sort(), dist),
  };
  fs.writeFileSync(path.join(out, STAMP), JSON.stringify(stamp));
  return stamp.outputs;
};
