// End-to-end tests of the console in headless Chromium against the real, built server.
// Builds nothing: run `npm run build` at the repository root first.
//   node web/e2e/run.mjs                 run every test
//   SCREENSHOTS=1 node web/e2e/run.mjs   also write docs/screenshots/*.png
//   SCREENSHOT_DIR=/tmp/shots …          write them elsewhere, e.g. to look at a change without touching docs/
//   E2E_ONLY=kill node web/e2e/run.mjs   only tests whose name contains "kill"
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { tests as mainTests } from './tests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// tests.mjs holds the main journeys (and exports their helpers); each `<area>.tests.mjs` beside it adds its own.
const here = path.dirname(fileURLToPath(import.meta.url));
const areaFiles = fs
  .readdirSync(here)
  .filter((file) => file.endsWith('.tests.mjs'))
  .sort();
const tests = [
  ...mainTests,
  ...(await Promise.all(areaFiles.map((file) => import(pathToFileURL(path.join(here, file)).href)))).flatMap((module) => module.tests),
];
const serverMain = path.join(root, 'server/dist/src/main.js');
const webDir = path.join(root, 'web/dist');
const screenshotDir = process.env.SCREENSHOT_DIR ? path.resolve(process.env.SCREENSHOT_DIR) : path.join(root, 'docs/screenshots');
const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 20 * 60_000);
const TEST_TIMEOUT_MS = 60_000;
const ADMIN_PASSWORD = 'e2e-admin-password';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server;
let browser;
let dataDir;

const cleanup = async () => {
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.kill('SIGKILL');
        resolve();
      }, 5000);
      server.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
};

const overall = setTimeout(async () => {
  console.error(`e2e: gave up after ${OVERALL_TIMEOUT_MS / 1000}s`);
  console.log('0 passed, 1 failed');
  await cleanup();
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const startServer = async () => {
  for (const [file, hint] of [
    [serverMain, 'npx tsc -b server'],
    [path.join(webDir, 'index.html'), 'npm run build -w web'],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`${hint}\` (or \`npm run build\`) first`);
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-e2e-'));
  const port = await freePort();
  // Always the embedded database in a fresh directory, whatever the caller's environment says.
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  server = spawn(process.execPath, [serverMain], {
    cwd: root,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      SIGNALBOX_DATA_DIR: dataDir,
      SIGNALBOX_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGNALBOX_DEMO: 'true',
      SIGNALBOX_WEB_DIR: webDir,
      // The test receiver listens on loopback.
      SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 90s:\n${log.slice(-3000)}`)), 90_000);
    const onData = (chunk) => {
      log += chunk;
      const match = /console (http:\/\/\S+?)\/?(\s|$)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', (chunk) => (log += chunk));
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${log.slice(-3000)}`));
    });
  });
};

const withTimeout = (promise, ms, label) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${label} timed out after ${ms / 1000}s`)), ms))]);

const main = async () => {
  const baseUrl = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const screenshots = process.env.SCREENSHOTS === '1';
  if (screenshots) fs.mkdirSync(screenshotDir, { recursive: true });

  const api = async (method, apiPath, body) => {
    const res = await fetch(`${baseUrl}/api/v1${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} ${apiPath} → ${res.status} ${text}`);
    return json;
  };

  const only = process.env.E2E_ONLY;
  const selected = tests.filter((t) => !only || t.name.includes(only)).filter((t) => screenshots || !t.screenshotsOnly);
  let passed = 0;
  let failed = 0;
  for (const test of selected) {
    const context = await browser.newContext({ viewport: test.viewport ?? { width: 1280, height: 900 }, baseURL: baseUrl });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const started = Date.now();
    const harness = {
      page,
      context,
      baseUrl,
      api,
      adminPassword: ADMIN_PASSWORD,
      screenshot: async (name, options = {}) => {
        if (!screenshots) return;
        await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), ...options });
      },
      loginAs: async (email, password) => {
        const res = await context.request.post(`${baseUrl}/api/v1/auth/login`, { data: { email, password } });
        if (!res.ok()) throw new Error(`login as ${email} failed: ${res.status()}`);
      },
    };
    try {
      await withTimeout(test.run(harness), test.timeoutMs ?? TEST_TIMEOUT_MS, test.name);
      if (consoleErrors.length > 0) throw new Error(`uncaught errors in the page: ${consoleErrors.join('; ')}`);
      passed += 1;
      console.log(`✓ ${test.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      console.log(
        `✗ ${test.name} (${Date.now() - started} ms)\n    ${String(error?.stack ?? error)
          .split('\n')
          .slice(0, 6)
          .join('\n    ')}`,
      );
      if (process.env.E2E_FAILURE_SCREENSHOTS !== '0') {
        const dir = path.join(os.tmpdir(), 'signalbox-e2e-failures');
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${test.name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.log(`    screenshot: ${file}`);
      }
    } finally {
      await context.close().catch(() => {});
    }
  }
  return { passed, failed };
};

let exitCode;
try {
  const { passed, failed } = await main();
  console.log(`${passed} passed, ${failed} failed`);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
} catch (error) {
  console.error(`e2e: ${error?.stack ?? error}`);
  console.log('0 passed, 1 failed');
  exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(overall);
}
process.exit(exitCode);
