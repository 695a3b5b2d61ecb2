// Starts the built Signalbox server as a child process on a fresh embedded database (or on
// DATABASE_URL when set) and returns its URL, admin token and the demo project's SDK keys.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../../server/dist/src/main.js');
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export const startServer = async ({ env = {} } = {}) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-bench-'));
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '--expose-gc', ...(process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_SERVER_PROFILE] : []), MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIGNALBOX_DATA_DIR: dataDir, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_DEMO: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk) => {
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
  const sdkKeys = Object.fromEntries([...output.matchAll(/^\s+(development|staging|production)\s+(sbk_\S+)/gm)].map((m) => [m[1], m[2]]));
  const admin = (pathname, init = {}) =>
    fetch(`${url}/api/v1${pathname}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return {
    url,
    pid: child.pid,
    sdkKeys,
    admin,
    /** Resident memory of the server process in bytes (Linux). */
    rss: () => Number(fs.readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1]) * 4096,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
