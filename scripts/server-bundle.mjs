// The server as a handful of files: server/dist/src (already JavaScript, emitted by
// scripts/build-lib.mjs) and the dependencies it imports, bundled by rolldown into
// server/dist/bundle. Node then reads, resolves and compiles a few files instead of about two
// thousand, which was most of the server's start. `npm start` and the startup bench run the bundle;
// `node server/dist/src/main.js` and the tests keep running the unbundled files.
//
// What bundling must not change, and how it is kept:
//   - a module's own location (import.meta.url / dirname / filename, and __dirname / __filename
//     in CommonJS): rewritten to where the module was, relative to the bundle, so the console's
//     directory, PGlite's files, socket.io's client and pino's worker are found as before;
//   - class and function names (Nest and TypeORM key on them): `keepNames`;
//   - the dynamic imports in main.ts stay separate chunks, so the embedded database still opens
//     while the rest of the server loads;
//   - packages that are absent (Nest's optional @nestjs/microservices, pg-native, ...) stay
//     imports of the package, so they fail at run time exactly as Nest and TypeORM expect;
//   - @electric-sql/pglite stays a package: it loads its WebAssembly and data by path.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fingerprint, sameContent } from './build-lib.mjs';

/** Bump when the way the bundle is produced changes, so it is rebuilt once. */
const BUNDLER_VERSION = 1;
export const BUNDLE_DIR = 'server/dist/bundle';
export const BUNDLE_ENTRY = `${BUNDLE_DIR}/main.js`;
const STAMP = '.bundle-stamp.json';
/** Kept as packages: they load files next to their own code by path. */
const EXTERNAL = [/^@electric-sql\/pglite(\/|$)/];

const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

const bundlerKey = (root) => {
  const { version } = createRequire(path.join(root, 'package.json'))('rolldown/package.json');
  return createHash('sha1')
    .update(JSON.stringify({ BUNDLER_VERSION, rolldown: version }))
    .digest('hex');
};

// ---- keeping each module's location ---------------------------------------------------------

const META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const CJS_LOCATION = /(?<![\w$.'"`])__(dirname|filename)(?![\w$'"`:])/g;
const DECLARES_LOCATION = /\b(?:const|let|var|function)\s+__(?:dirname|filename)\b|[{,]\s*__(?:dirname|filename)\s*[,}:=]/;
// An ES module that makes its own require (`createRequire(import.meta.url)`) to load a dependency
// at run time would load a second, unbundled copy of it from node_modules (@nestjs/typeorm does
// so for all of typeorm); without the line, rolldown bundles those require calls like any other.
const OWN_REQUIRE = /^(?:const|let|var) require = (?:\w+\.)?createRequire\(import\.meta\.url\);?$/m;
const LOOKS_ESM = /^\s*(?:import\s*[\w{*'"]|export\s)/m;

/**
 * Rewrites `import.meta.url` (and dirname, filename) and CommonJS `__dirname`/`__filename` in
 * `code` from module `id` so they name `id`'s own location, computed at run time from the chunk's
 * `import.meta.url`. Every chunk is written to `outDir` itself, so one relative path fits all.
 */
export const keepLocation = (code, id, outDir) => {
  const rel = path.relative(outDir, id).split(path.sep).join('/');
  const url = `new URL(${JSON.stringify(rel)}, import.meta.url)`;
  const filename = `process.getBuiltinModule("node:url").fileURLToPath(${url})`;
  const dirname = `process.getBuiltinModule("node:path").dirname(${filename})`;
  const located = { url: `${url}.href`, filename, dirname };
  const inNodeModules = id.includes(`${path.sep}node_modules${path.sep}`);
  let out = code;
  if (inNodeModules && OWN_REQUIRE.test(out)) out = out.replace(OWN_REQUIRE, '');
  out = out.replace(META, (_, key) => located[key]);
  if (!LOOKS_ESM.test(code) && !DECLARES_LOCATION.test(code)) out = out.replace(CJS_LOCATION, (_, key) => located[key]);
  return out === code ? undefined : out;
};

const locationPlugin = (outDir) => ({
  name: 'signalbox:keep-module-locations',
  transform(code, id) {
    // Virtual modules (rolldown's runtime, "\0..." ids) have no location of their own.
    if (!path.isAbsolute(id) || !/\.[cm]?js$/.test(id)) return null;
    const out = keepLocation(code, id, outDir);
    return out === undefined ? null : { code: out, map: null };
  },
});

// ---- building and staleness -----------------------------------------------------------------

/** What the bundle was built from: the modules outside node_modules, and the lockfile (the rest). */
const inputsOf = (root, moduleIds) =>
  [...new Set(moduleIds)]
    .filter((id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`) && id.startsWith(root + path.sep))
    .map((id) => path.relative(root, id))
    .concat('package-lock.json')
    .sort();

/** Why the bundle must be rebuilt, or undefined when it matches what it was built from. */
export const bundleStaleReason = (root) => {
  const dir = path.join(root, BUNDLE_DIR);
  const stamp = readJson(path.join(dir, STAMP));
  if (!stamp?.inputs || stamp.key !== bundlerKey(root)) return 'no bundle';
  if (!(stamp.outputs ?? []).every((file) => fs.existsSync(path.join(dir, file)))) return 'output missing';
  const files = Object.keys(stamp.inputs).map((rel) => path.join(root, rel));
  return sameContent(stamp.inputs, fingerprint(files, root, stamp.inputs)) ? undefined : 'sources changed';
};

/**
 * Bundles server/dist/src/main.js and its dependencies into server/dist/bundle and records what it
 * was built from. Chunks have content hashes in their names and main.js is written last, so a
 * server starting meanwhile reads either the previous set or the new one.
 */
export const bundleServer = async (root, { entry = 'server/dist/src/main.js' } = {}) => {
  const { build } = await import(createRequire(path.join(root, 'package.json')).resolve('rolldown'));
  const dir = path.join(root, BUNDLE_DIR);
  const key = bundlerKey(root);
  const output = await build({
    input: { main: path.join(root, entry) },
    cwd: root,
    platform: 'node',
    external: EXTERNAL,
    // Absent optional packages are reported as unresolved and stay imports; that is intended.
    logLevel: 'silent',
    plugins: [locationPlugin(dir)],
    write: false,
    output: {
      dir,
      format: 'esm',
      keepNames: true,
      // Less to read and scan at every start; names stay, so stack traces stay readable.
      minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      sourcemap: false,
    },
  });
  const chunks = output.output;
  const previous = readJson(path.join(dir, STAMP))?.outputs ?? [];
  // The fingerprint is taken after the build, but every input is a build output that only this
  // build's own earlier step writes (under the build lock), so it cannot change in between.
  const inputs = inputsOf(
    root,
    chunks.flatMap((c) => c.moduleIds ?? Object.keys(c.modules ?? {})),
  );
  fs.mkdirSync(dir, { recursive: true });
  const write = (name, data) => {
    const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path.join(dir, name));
  };
  const entryChunk = chunks.find((c) => c.type === 'chunk' && c.isEntry);
  for (const c of chunks) if (c !== entryChunk) write(c.fileName, c.type === 'chunk' ? c.code : c.source);
  write(entryChunk.fileName, entryChunk.code);
  const outputs = chunks.map((c) => c.fileName);
  // The previous bundle's chunks stay one more generation: a server that read the previous main.js
  // a moment ago still imports them (main.ts loads most of the server with dynamic imports).
  const keep = new Set([...outputs, ...previous, STAMP]);
  for (const name of fs.readdirSync(dir)) if (!keep.has(name)) fs.rmSync(path.join(dir, name), { force: true });
  write(
    STAMP,
    JSON.stringify({
      key,
      outputs,
      inputs: fingerprint(
        inputs.map((rel) => path.join(root, rel)),
        root,
      ),
    }),
  );
  return { files: outputs.length, bytes: chunks.reduce((n, c) => n + (c.code ?? c.source ?? '').length, 0), inputs: inputs.length };
};
