// Starts the built Signalbox server as a child process on a fresh embedded database (or on
// DATABASE_URL when set) and returns its URL, admin token and the demo project's SDK keys.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

const MAIN = path.resolve(import.meta.dirname, '../../server/dist/src/main.js');
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

/**
 * `inspect: true` opens the server's inspector on a free loopback port so `heapAfterGc()` can
 * collect garbage before reading memory (heap figures without a full GC swing by megabytes).
 */
export const startServer = async ({ env = {}, inspect = false, main = MAIN } = {}) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-bench-'));
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      ...(inspect ? ['--inspect=127.0.0.1:0'] : []),
      // Extra Node.js/V8 options for the server only (e.g. `--max-semi-space-size=64` to try a setting).
      ...(process.env.BENCH_SERVER_ARGS ? process.env.BENCH_SERVER_ARGS.split(' ').filter(Boolean) : []),
      ...(process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_SERVER_PROFILE] : []),
      main,
    ],
    {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SIGNALBOX_DATA_DIR: dataDir,
        SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
        SIGNALBOX_DEMO: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk) => {
      // BENCH_SERVER_OUTPUT=<file>: everything the server prints (with --trace-gc, say) goes there too.
      if (process.env.BENCH_SERVER_OUTPUT) fs.appendFileSync(process.env.BENCH_SERVER_OUTPUT, chunk);
      output += chunk;
      const match = /console (http:\/\/[^/\s]+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  const sdkKeys = Object.fromEntries([...output.matchAll(/^\s+(development|staging|production)\s+(sbk_\S+)/gm)].map((m) => [m[1], m[2]]));
  const admin = (pathname, init = {}) =>
    fetch(`${url}/api/v1${pathname}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  const cpuSplit = () => {
    const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { user: Number(fields[11]) * (1e6 / 100), system: Number(fields[12]) * (1e6 / 100) };
  };
  return {
    url,
    pid: child.pid,
    sdkKeys,
    admin,
    /** CPU time the server process has used, in µs (Linux: user + system clock ticks). */
    cpuMicros: () => {
      const { user, system } = cpuSplit();
      return user + system;
    },
    /** The same, split into user and system (kernel) time, in µs. */
    cpuSplit,
    /** V8 heap used + external memory after a full garbage collection, in bytes (needs `inspect: true`). */
    heapAfterGc: () => heapAfterGc(inspectorUrl),
    /** Resident memory of the server process in bytes (Linux). */
    rss: () => Number(fs.readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1]) * 4096,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const heapAfterGc = async (inspectorUrl) => {
  if (inspectorUrl === undefined) throw new Error('start the server with { inspect: true } to measure its heap');
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const callId = ++id;
      const onMessage = (data) => {
        const message = JSON.parse(String(data));
        if (message.id !== callId) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(message.error.message));
        else resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: callId, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())' });
    const usage = JSON.parse(result.value);
    return usage.heapUsed + usage.external;
  } finally {
    socket.close();
  }
};

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
