import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aFlag, anEnvironment } from './builders.js';
import { BUILD_TIMEOUT_MS, buildSdk, sdkDir } from './build-sdk.js';

// The child records every module the ES module loader resolves (a hook, writing to a file) and,
// at the end, the CommonJS modules in require's cache; then it runs `SCRIPT` with the entry
// point's exports as `sdk`, and prints what the script returned and the packages loaded.
const childScript = `
import { createRequire, register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  import { appendFileSync } from 'node:fs';
  let file;
  export function initialize(data) { file = data.file; }
  export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    appendFileSync(file, resolved.url + '\\\\n');
    return resolved;
  }
\`), { data: { file: process.env.LOADED_FILE } });
const sdk = await import(process.env.SDK_ENTRY);
const script = new Function('sdk', 'bootstrap', 'return (async () => {' + process.env.SCRIPT + '})()');
const result = await script(sdk, JSON.parse(process.env.BOOTSTRAP));
const cjs = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({ result, cjs }));
process.exit(0);
`;

const bootstrap = anEnvironment([
  aFlag('etl.validate').build(),
  aFlag('model.router')
    .withKind('string', { v1: 'model-v1', v2: 'model-v2' })
    .with({ offVariant: 'v1', defaultRule: { variant: 'v2' } })
    .build(),
]);

/** Packages of node_modules a list of module URLs or paths loaded, e.g. `socket.io-client`, `@openfeature/server-sdk`. */
function packagesOf(modules: string[]): Set<string> {
  const names = new Set<string>();
  for (const module of modules) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module);
    if (match !== null) names.add(match[1]!);
  }
  return names;
}

let dir: string;
let runs = 0;

function runEntry(entry: string, script: string): { result: unknown; packages: Set<string>; sdkFiles: string[]; sdkSources: string[] } {
  const loadedFile = join(dir, `loaded-${++runs}.txt`);
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', childScript], {
    cwd: sdkDir,
    env: { ...process.env, SDK_ENTRY: entry, SCRIPT: script, BOOTSTRAP: JSON.stringify(bootstrap), LOADED_FILE: loadedFile },
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (child.status !== 0) throw new Error(`the child failed (${child.status}):\n${child.stderr}`);
  const { result, cjs } = JSON.parse(child.stdout) as { result: unknown; cjs: string[] };
  const esm = readFileSync(loadedFile, 'utf8').trim().split('\n');
  const sdkFiles = [...new Set(esm.filter((url) => url.startsWith(distUrl)).map((url) => url.slice(distUrl.length)))];
  return { result, packages: packagesOf([...esm, ...cjs]), sdkFiles, sdkSources: sdkFiles.flatMap(sourcesOf) };
}

const distUrl = pathToFileURL(join(sdkDir, 'dist')).href + '/';

/**
 * The SDK sources (relative to src/) a file of dist holds, read from its source map; a bundle file
 * without a map holds no code of its own (it only re-exports chunks).
 */
function sourcesOf(distFile: string): string[] {
  const map = join(sdkDir, 'dist', `${distFile}.map`);
  if (!existsSync(map)) return [];
  const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
  return sources.map((source) => relative(join(sdkDir, 'src'), resolve(dirname(map), source)));
}

const HEAVY = ['socket.io-client', 'engine.io-client', '@openfeature/server-sdk', '@openfeature/core', 'commander'];
const evaluateWithClient = `
  const client = sdk.createClient({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', bootstrap });
  const status = await client.waitForReady({ timeoutMs: 1000 });
  const value = client.string('model.router', { targetingKey: 'run-1' }, 'none');
  await client.close();
  return { status, value };
`;

describe('entry points', () => {
  beforeAll(async () => {
    await buildSdk();
    dir = mkdtempSync(join(tmpdir(), 'signalbox-entries-'));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('@signalbox/sdk/core evaluates and loads no other part of the SDK and no dependency', () => {
    const run = runEntry(
      '@signalbox/sdk/core',
      `const environment = sdk.compileEnvironment(bootstrap);
       return sdk.evaluate(environment, 'model.router', { targetingKey: 'run-1' }, 'none', 'string').value;`,
    );
    expect(run.result).toBe('model-v2');
    expect([...run.packages]).toEqual([]);
    expect(run.sdkSources).toContain('core/evaluate.ts');
    expect(run.sdkSources.filter((source) => !source.startsWith('core/'))).toEqual([]);
  });

  it('every entry point loads the bundle, not the modules emitted file by file', () => {
    const entries = [
      '@signalbox/sdk',
      '@signalbox/sdk/core',
      '@signalbox/sdk/client',
      '@signalbox/sdk/protocol',
      '@signalbox/sdk/telemetry',
      '@signalbox/sdk/openfeature',
    ];
    const run = runEntry(
      '@signalbox/sdk',
      `return await Promise.all(${JSON.stringify(entries)}.map(async (entry) => Object.keys(await import(entry)).length));`,
    );
    expect((run.result as number[]).every((count) => count > 0)).toBe(true);
    expect(run.sdkFiles.filter((file) => !file.startsWith('bundle/'))).toEqual([]);
    // Shared chunks: the core is loaded once, however many entry points use it.
    expect(run.sdkSources.filter((source) => source === 'core/evaluate.ts')).toHaveLength(1);
  });

  it('@signalbox/sdk/client serves a bootstrap config without loading socket.io-client, OpenFeature or the CLI', () => {
    const run = runEntry('@signalbox/sdk/client', evaluateWithClient);
    expect(run.result).toEqual({ status: 'stale', value: 'model-v2' });
    for (const name of HEAVY) expect(run.packages).not.toContain(name);
  });

  it('@signalbox/sdk keeps its exports and loads none of them until used', () => {
    const run = runEntry(
      '@signalbox/sdk',
      `${evaluateWithClient.replace('return { status, value };', '')}
       const flags = sdk.createFlags({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', bootstrap, telemetry: { send: false } });
       const stepped = await flags.step('etl.validate', { targetingKey: 'run-1' }, () => 'ran');
       await flags.close();
       return { status, value, stepped, exports: ['SignalboxProvider', 'compileEnvironment', 'histogramIndex', 'createFlags'].filter((name) => name in sdk) };`,
    );
    expect(run.result).toEqual({
      status: 'stale',
      value: 'model-v2',
      stepped: 'ran',
      exports: ['SignalboxProvider', 'compileEnvironment', 'histogramIndex', 'createFlags'],
    });
    for (const name of HEAVY) expect(run.packages).not.toContain(name);
  });

  it('loads socket.io-client when a socket transport starts', () => {
    const run = runEntry(
      '@signalbox/sdk/client',
      `const client = sdk.createClient({ url: 'http://127.0.0.1:9', sdkKey: 'key', reconnectionDelayMs: 20, logger: { warn() {}, error() {}, debug() {} } });
       // Nothing listens there: the first connection error shows the transport loaded and ran.
       const error = await new Promise((reported) => {
         client.on('error', reported);
         setTimeout(() => reported(new Error('no connection error within 10 s')), 10_000);
       });
       await client.close();
       return { status: client.status, error: error.name };`,
    );
    expect(run.result).toEqual({ status: 'offline', error: 'SignalboxConnectionError' });
    expect(run.packages).toContain('socket.io-client');
    expect(run.packages).not.toContain('@openfeature/server-sdk');
  });

  it('@signalbox/sdk/openfeature serves flags through OpenFeature, without socket.io-client or the CLI', () => {
    const run = runEntry(
      '@signalbox/sdk/openfeature',
      `const { OpenFeature } = await import('@openfeature/server-sdk');
       const provider = new sdk.SignalboxProvider({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', bootstrap, telemetry: { send: false } });
       await OpenFeature.setProviderAndWait(provider);
       const details = await OpenFeature.getClient().getStringDetails('model.router', 'none', { targetingKey: 'run-1' });
       await OpenFeature.close();
       return { value: details.value, variant: details.variant };`,
    );
    expect(run.result).toEqual({ value: 'model-v2', variant: 'v2' });
    expect(run.packages).toContain('@openfeature/server-sdk');
    expect(run.packages).not.toContain('socket.io-client');
    expect(run.packages).not.toContain('commander');
  });

  it("the provider re-exported by @signalbox/sdk loads OpenFeature when made, and works with the application's copy", () => {
    const run = runEntry(
      '@signalbox/sdk',
      `const { OpenFeature, ProviderStatus } = await import('@openfeature/server-sdk');
       const ok = new sdk.SignalboxProvider({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', bootstrap, telemetry: { send: false } });
       await OpenFeature.setProviderAndWait('ok', ok);
       const details = await OpenFeature.getClient('ok').getStringDetails('model.router', 'none', { targetingKey: 'run-1' });
       // Initialization errors still reach OpenFeature with their codes: no config within the time is ERROR.
       const late = new sdk.SignalboxProvider({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', initTimeoutMs: 10, telemetry: { send: false } });
       await OpenFeature.setProviderAndWait('late', late).catch(() => undefined);
       const lateStatus = OpenFeature.getClient('late').providerStatus;
       await OpenFeature.close();
       return { value: details.value, reason: details.reason, lateStatus: lateStatus === ProviderStatus.ERROR };`,
    );
    expect(run.result).toEqual({ value: 'model-v2', reason: 'STATIC', lateStatus: true });
    expect(run.packages).not.toContain('socket.io-client');
  });
});
