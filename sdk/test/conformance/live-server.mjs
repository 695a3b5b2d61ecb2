// A real Signalbox server (the built one, on a fresh embedded database) seeded with OpenFeature's
// conformance flags through the HTTP API, for running the Gherkin scenarios through OFREP.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { conformanceConfig } from './test-flags.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const SERVER_MAIN = path.join(root, 'server/dist/src/main.js');
const ADMIN_TOKEN = 'conformance-admin-token-0123456789';
const PROJECT = 'conformance';

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** Starts the server; resolves with its origin and a `stop()` once it answers /healthz. */
export async function startLiveServer() {
  if (!fs.existsSync(SERVER_MAIN)) throw new Error(`${path.relative(root, SERVER_MAIN)} is missing: run \`node scripts/build.mjs\` first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-conformance-'));
  const port = await freePort();
  // Always the embedded database in a fresh directory, whatever the caller's environment says.
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [SERVER_MAIN], {
    cwd: root,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      SIGNALBOX_DATA_DIR: dataDir,
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGNALBOX_DEMO: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => (child.kill('SIGKILL'), resolve()), 5000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
      });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${log.slice(-3000)}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not start within 90s:\n${log.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const api = async (url, method, apiPath, body) => {
  const res = await fetch(`${url}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${apiPath}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

/** Creates the conformance flags through the API, as an operator would; returns the SDK key. */
export async function seedConformanceFlags(url) {
  const { sdkKeys } = await api(url, 'POST', '/projects', { key: PROJECT, name: 'OpenFeature conformance' });
  for (const flag of conformanceConfig().flags) {
    await api(url, 'POST', `/projects/${PROJECT}/flags`, { key: flag.key, name: flag.key, kind: flag.kind, variants: flag.variants });
    const { on, offVariant, targets, rules, defaultRule, prerequisites } = flag;
    await api(url, 'PUT', `/projects/${PROJECT}/flags/${flag.key}/environments/development`, {
      version: 0,
      on,
      offVariant,
      targets,
      rules,
      defaultRule,
      prerequisites,
    });
  }
  return sdkKeys.development;
}
