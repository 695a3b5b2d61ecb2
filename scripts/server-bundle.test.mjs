// The server bundle behind `npm start`: rebuilt exactly when what it was made from changed, each
// bundled module still sees its own location, one copy of every dependency; and the repository's
// own bundle, started as a real process on the embedded database and on PostgreSQL, serves the
// API, the SDK read path, the API docs and the console, so a bundling mistake fails here.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_DIR, BUNDLE_ENTRY, bundleServer, bundleStaleReason, keepLocation } from './server-bundle.mjs';

const repoRoot = path.resolve(import.meta.dirname, '..');

describe('keeping module locations', () => {
  const outDir = '/app/server/dist/bundle';

  it('points import.meta.url, dirname and filename of an ES module at its original file', () => {
    const code = 'export const here = [import.meta.url, import.meta.dirname, import.meta.filename];';
    const out = keepLocation(code, '/app/server/dist/src/config/config.js', outDir);
    expect(out).not.toContain('import.meta.dirname');
    expect(out.match(/new URL\("\.\.\/src\/config\/config\.js", import\.meta\.url\)/g)).toHaveLength(3);
  });

  it('points __dirname of a CommonJS module at its package, but leaves a module that declares its own alone', () => {
    const cjs = keepLocation('exports.dir = path.join(__dirname, "client");', '/app/node_modules/pkg/index.js', outDir);
    expect(cjs).toContain('new URL("../../../node_modules/pkg/index.js", import.meta.url)');
    expect(cjs).not.toMatch(/\b__dirname\b/);
    const declared = 'import url from "node:url";\nconst __dirname = url.fileURLToPath(new URL(".", import.meta.url));\nexport { __dirname };';
    expect(keepLocation(declared, '/app/node_modules/esm/index.js', outDir)).toContain('const __dirname = ');
  });

  it("drops a dependency's own createRequire, so what it requires is bundled once, not loaded again", () => {
    const code = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const t = () => require('typeorm');";
    expect(keepLocation(code, '/app/node_modules/@nestjs/typeorm/dist/compat.js', outDir)).not.toContain('createRequire(');
    // The server's own modules keep theirs (pg is loaded at run time on purpose).
    expect(keepLocation(code, '/app/server/dist/src/pg-types.js', outDir)).toContain('createRequire(new URL(');
  });
});

describe('bundling and when to bundle again', () => {
  let root;
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const run = () => {
    const result = spawnSync(process.execPath, [path.join(root, BUNDLE_ENTRY)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-bundle-test-'));
    write('package.json', '{ "type": "module" }');
    write('package-lock.json', '{ "lockfileVersion": 3 }');
    // The bundler comes from this repository; the dependencies are the fixture's own.
    fs.mkdirSync(path.join(root, 'node_modules'));
    fs.symlinkSync(path.join(repoRoot, 'node_modules/rolldown'), path.join(root, 'node_modules/rolldown'));
    write('node_modules/counter/package.json', '{ "name": "counter", "main": "index.js" }');
    write('node_modules/counter/index.js', 'exports.instances = (exports.instances || 0) + 1;\nexports.dir = __dirname;\n');
    write('node_modules/lazy/package.json', '{ "name": "lazy", "type": "module", "exports": "./index.js" }');
    write(
      'node_modules/lazy/index.js',
      "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const counter = () => require('counter');\n",
    );
    write('server/dist/src/a/thing.js', 'export class Thing {}\nexport const dir = import.meta.dirname;\n');
    write('server/dist/src/b/thing.js', 'export class Thing {}\n');
    write(
      'server/dist/src/main.js',
      [
        "import counter from 'counter';",
        "import { counter as viaRequire } from 'lazy';",
        "import * as a from './a/thing.js';",
        "import * as b from './b/thing.js';",
        'const { absent } = await import("./late.js");',
        'console.log(JSON.stringify({ dir: a.dir, counterDir: counter.dir, sameCounter: viaRequire() === counter, names: [new a.Thing().constructor.name, new b.Thing().constructor.name], absent }));',
        '',
      ].join('\n'),
    );
    write('server/dist/src/late.js', "export const absent = await import('not-installed').then(() => 'loaded', (err) => err.code);\n");
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs with each module at its own location, one copy of each dependency, names kept and absent packages failing at run time', async () => {
    await bundleServer(root);
    expect(fs.readdirSync(path.join(root, BUNDLE_DIR)).filter((f) => f.endsWith('.js')).length).toBeGreaterThanOrEqual(2);
    expect(run()).toEqual({
      dir: path.join(root, 'server/dist/src/a'),
      counterDir: path.join(root, 'node_modules/counter'),
      sameCounter: true,
      names: ['Thing', 'Thing'],
      absent: 'ERR_MODULE_NOT_FOUND',
    });
  });

  it('is stale before the first bundle, fresh after it, and stays fresh when files are only touched', async () => {
    expect(bundleStaleReason(root)).toBe('no bundle');
    await bundleServer(root);
    expect(bundleStaleReason(root)).toBeUndefined();
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, 'server/dist/src/a/thing.js'), later, later);
    expect(bundleStaleReason(root)).toBeUndefined();
  });

  it.each([
    ['a bundled module changes', () => write('server/dist/src/b/thing.js', 'export class Thing { x = 1 }\n'), 'sources changed'],
    ['the lockfile changes (dependencies)', () => write('package-lock.json', '{ "lockfileVersion": 3, "packages": {} }'), 'sources changed'],
    ['an output is deleted', () => fs.rmSync(path.join(root, BUNDLE_ENTRY)), 'output missing'],
  ])('is stale when %s', async (_, change, reason) => {
    await bundleServer(root);
    change();
    expect(bundleStaleReason(root)).toBe(reason);
  });

  it("keeps the previous bundle's chunks for servers still starting from it, and removes older ones", async () => {
    const outputs = () => JSON.parse(fs.readFileSync(path.join(root, BUNDLE_DIR, '.bundle-stamp.json'), 'utf8')).outputs;
    const files = () =>
      fs
        .readdirSync(path.join(root, BUNDLE_DIR))
        .filter((f) => f.endsWith('.js'))
        .sort();
    await bundleServer(root);
    const first = outputs();
    write('server/dist/src/late.js', "export const absent = 'changed';\n");
    await bundleServer(root);
    const second = outputs();
    expect(files()).toEqual([...new Set([...first, ...second])].sort());
    expect(run().absent).toBe('changed');
    write('server/dist/src/late.js', "export const absent = 'changed again';\n");
    await bundleServer(root);
    expect(files()).toEqual([...new Set([...second, ...outputs()])].sort());
    expect(files().some((f) => first.includes(f) && !second.includes(f))).toBe(false);
    expect(run().absent).toBe('changed again');
  });
});

// ---- the repository's own bundle as a real process -------------------------------------------

const ADMIN_TOKEN = 'bundle-test-admin-token-0123456789';

const startBundle = (env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, BUNDLE_ENTRY)], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SIGNALBOX_DEMO: 'false',
        SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bundled server did not start within 120 s:\n${output}`));
    }, 120_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /console (http:\/\/[^/\s]+)\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: match[1].replace('localhost', '127.0.0.1'),
        output: () => output,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bundled server exited with ${code}:\n${output}`));
    });
  });

/** What a bundling mistake would break first: DI and validation, the database, the SDK path, files by path. */
const exerciseServer = async (url) => {
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  const admin = (p, body) =>
    fetch(`${url}/api/v1${p}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });

  const created = await admin('/projects', { key: 'bundled', name: 'Bundled' });
  expect(created.status).toBe(201);
  const { sdkKeys } = await created.json();
  // Validation runs (class-validator and class-transformer metadata survived bundling): 400 naming the field.
  const invalid = await admin('/projects/bundled/flags', { key: 'Not A Key!', name: 'x', kind: 'boolean' });
  expect(invalid.status).toBe(400);
  expect(JSON.stringify(await invalid.json())).toContain('key');
  const flag = await admin('/projects/bundled/flags', { key: 'etl.use-new-transformer', name: 'New transformer', kind: 'boolean' });
  expect(flag.status).toBe(201);

  const sdk = { authorization: `Bearer ${sdkKeys.production}` };
  const config = await fetch(`${url}/api/v1/sdk/config`, { headers: sdk });
  expect(config.status).toBe(200);
  expect(JSON.stringify(await config.json())).toContain('etl.use-new-transformer');
  const evaluated = await fetch(`${url}/api/v1/sdk/evaluate/etl.use-new-transformer`, {
    method: 'POST',
    headers: { ...sdk, 'content-type': 'application/json' },
    body: JSON.stringify({ context: { targetingKey: 'run-1' } }),
  });
  expect(evaluated.status).toBe(200);
  expect(await evaluated.json()).toMatchObject({ reason: 'DISABLED' });

  // Files found by path from bundled code: the console, and the API docs' assets in swagger-ui-dist.
  const index = await fetch(`${url}/`);
  expect(index.status).toBe(200);
  expect(await index.text()).toMatch(/<div id="root">/);
  expect((await fetch(`${url}/api/docs/`)).status).toBe(200);
  const css = await fetch(`${url}/api/docs/swagger-ui.css`);
  expect(css.status).toBe(200);
  expect(css.headers.get('content-type')).toContain('text/css');
  expect((await fetch(`${url}/api/docs-json`)).status).toBe(200);
  // socket.io (engine.io and ws are bundled) answers its handshake.
  const handshake = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
  expect(handshake.status).toBe(200);
  expect(await handshake.text()).toMatch(/^0\{"sid":/);
};

describe('the bundled server, started as `npm start` starts it', () => {
  const dirs = [];
  beforeAll(() => {
    // What `npm start` does first: bring the bundle up to date with the tree (nothing when it is).
    const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--quiet'], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
  }, 300_000);
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-bundle-e2e-'));
    dirs.push(dir);
    return dir;
  };

  it('serves on a new embedded database', async () => {
    const server = await startBundle({ SIGNALBOX_DATA_DIR: path.join(dataDir(), 'data') });
    try {
      await exerciseServer(server.url);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);

  it.runIf(process.env.TEST_DATABASE_URL)(
    'serves on a new PostgreSQL database',
    async () => {
      const name = `signalbox_bundle_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      try {
        const url = new URL(process.env.TEST_DATABASE_URL);
        url.pathname = `/${name}`;
        const server = await startBundle({ DATABASE_URL: url.toString(), SIGNALBOX_DATA_DIR: dataDir() });
        try {
          await exerciseServer(server.url);
        } finally {
          expect(await server.stop()).toBe(0);
        }
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    },
    180_000,
  );
});
