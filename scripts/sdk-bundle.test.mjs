// The SDK's bundle (scripts/sdk-bundle.mjs): entry points sharing chunks, dependencies left
// external, and the staleness check behind `npm start`. Bundles a small SDK-shaped tree in a temp
// directory; the last tests check that the real package.json points at what the script bundles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SDK_ENTRIES, bundleSdk, sdkBundleDir, sdkBundleStaleReason } from './sdk-bundle.mjs';

const ENTRIES = { index: 'index.js', core: 'core/index.js', client: 'client/index.js' };

let root;
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const bundled = (rel) => path.join(sdkBundleDir(root), rel);
const stale = () => sdkBundleStaleReason(root, ENTRIES);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-bundle-test-'));
  write('sdk/dist/core/evaluate.js', 'export const CORE_MARKER = "core-marker";\nexport function evaluate(flags, key) { return flags[key] ?? null; }\n');
  write('sdk/dist/core/types.js', 'export {};\n');
  write('sdk/dist/core/index.js', "export * from './evaluate.js';\nexport * from './types.js';\n");
  write(
    'sdk/dist/client/index.js',
    [
      "import { evaluate } from '../core/index.js';",
      'export function createClient(flags) {',
      '  return {',
      '    value: (key) => evaluate(flags, key),',
      // Loaded only when used, as the socket transport loads socket.io-client.
      "    transport: () => import('node:zlib').then((zlib) => typeof zlib.gzipSync),",
      '  };',
      '}',
      '',
    ].join('\n'),
  );
  write('sdk/dist/index.js', "export * from './core/index.js';\nexport * from './client/index.js';\n");
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('bundling the SDK', () => {
  it('makes one file per entry point whose exports work, sharing the core between them', async () => {
    const files = await bundleSdk(root, ENTRIES);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'core.js', 'client.js']));
    const index = await import(pathToFileURL(bundled('index.js')).href);
    const core = await import(pathToFileURL(bundled('core.js')).href);
    const client = await import(pathToFileURL(bundled('client.js')).href);
    expect(core.evaluate({ a: 1 }, 'a')).toBe(1);
    expect(client.createClient({ b: 2 }).value('b')).toBe(2);
    expect(index.evaluate).toBe(core.evaluate);
    expect(Object.keys(index).sort()).toEqual(['CORE_MARKER', 'createClient', 'evaluate']);
    const holding = files.filter((file) => file.endsWith('.js') && fs.readFileSync(bundled(file), 'utf8').includes('core-marker'));
    // Held by one file, which the other entry points import (a chunk, or the core entry itself).
    expect(holding).toHaveLength(1);
  });

  it('leaves dependencies external, a dynamic import dynamic', async () => {
    const files = await bundleSdk(root, ENTRIES);
    const client = await import(pathToFileURL(bundled('client.js')).href);
    expect(await client.createClient({}).transport()).toBe('function');
    const code = files
      .filter((file) => file.endsWith('.js'))
      .map((file) => fs.readFileSync(bundled(file), 'utf8'))
      .join('\n');
    expect(code).toMatch(/import\(\s*[`'"]node:zlib[`'"]\s*\)/);
    expect(code).not.toMatch(/(from|import)\s*[`'"]node:zlib/);
  });

  it('writes source maps that point at the TypeScript sources when the emitted files have maps', async () => {
    const map = { version: 3, file: 'evaluate.js', sources: ['../../src/core/evaluate.ts'], names: [], mappings: 'AAAA;AACA' };
    write('sdk/dist/core/evaluate.js', `${fs.readFileSync(path.join(root, 'sdk/dist/core/evaluate.js'), 'utf8')}//# sourceMappingURL=evaluate.js.map\n`);
    write('sdk/dist/core/evaluate.js.map', JSON.stringify(map));
    const files = await bundleSdk(root, ENTRIES);
    const maps = files.filter((file) => file.endsWith('.map')).map((file) => JSON.parse(fs.readFileSync(bundled(file), 'utf8')));
    const sources = maps.flatMap((m) => m.sources.map((source) => path.relative(root, path.resolve(path.dirname(bundled(m.file)), source))));
    expect(sources).toContain(path.join('sdk', 'src', 'core', 'evaluate.ts'));
    expect(maps.every((m) => m.sourcesContent === undefined)).toBe(true);
  });
});

describe('the staleness check', () => {
  it('is stale before the first bundle and fresh right after it', async () => {
    expect(stale()).toBe('no bundle stamp');
    await bundleSdk(root, ENTRIES);
    expect(stale()).toBeUndefined();
  });

  it('stays fresh when a bundled file is touched but not changed, or a file outside the bundle changes', async () => {
    await bundleSdk(root, ENTRIES);
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, 'sdk/dist/core/evaluate.js'), later, later);
    write('sdk/dist/cli/unrelated.js', 'export const x = 1;\n');
    expect(stale()).toBeUndefined();
  });

  it('is stale when a bundled module changed, even at the same size, or is gone', async () => {
    await bundleSdk(root, ENTRIES);
    const file = path.join(root, 'sdk/dist/core/evaluate.js');
    const before = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, before.replace('core-marker', 'core-MARKER'));
    expect(stale()).toBe('sdk/dist changed');
    await bundleSdk(root, ENTRIES);
    expect(stale()).toBeUndefined();
    fs.rmSync(path.join(root, 'sdk/dist/client/index.js'));
    expect(stale()).toBe('sdk/dist changed');
  });

  it('is stale when a bundle file is missing or the entry points changed', async () => {
    await bundleSdk(root, ENTRIES);
    expect(sdkBundleStaleReason(root, { ...ENTRIES, extra: 'core/index.js' })).toBe('bundler or entry points changed');
    fs.rmSync(bundled('core.js'));
    expect(stale()).toBe('a bundle file is missing');
  });
});

describe("the SDK's package.json", () => {
  const sdk = path.resolve(import.meta.dirname, '..', 'sdk');
  const manifest = JSON.parse(fs.readFileSync(path.join(sdk, 'package.json'), 'utf8'));

  it('exports each entry point from its bundle, with types from the declarations', () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const name = subpath === '.' ? 'index' : subpath.slice(2);
      expect(target.default).toBe(`./dist/bundle/${name}.js`);
      expect(SDK_ENTRIES[name].replace(/\.js$/, '.d.ts')).toBe(target.types.replace('./dist/', ''));
    }
    expect(manifest.main).toBe(manifest.exports['.'].default);
  });

  it('runs the bundled CLI from its bin shim', () => {
    const shim = fs.readFileSync(path.join(sdk, manifest.bin.signalbox), 'utf8');
    expect(SDK_ENTRIES.cli).toBe('cli/main.js');
    expect(shim).toContain("'../dist/bundle/cli.js'");
  });
});
