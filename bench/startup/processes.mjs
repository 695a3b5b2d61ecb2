// Starting servers and timing them: spawn to the first 200 from a readiness URL, resident memory,
// a private PostgreSQL database per product, and unleash-server installed on demand outside the
// workspace.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const pgAnswers = async () => {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
};

/** A new, empty database (dropped first if a previous run left it); returns its URL. */
export const createDatabase = async (name) => {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

export const dropDatabase = async (name) => {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
};

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Resident set size of a process in bytes (Linux). */
export const rssOf = (pid) => {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
};

/**
 * Spawns `command` in its own process group and resolves once `readyUrl` answers 200, with the
 * time from just before the spawn. Rejects if the process exits first or `timeoutMs` passes.
 */
export const startTimed = async ({ command, args, env = {}, cwd, readyUrl, timeoutMs = 180_000, pollMs = 20 }) => {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const lines = [];
  const onData = (chunk) => {
    const text = String(chunk);
    output += text;
    const at = performance.now() - started;
    for (const line of text.split('\n')) if (line.trim()) lines.push({ atMs: at, line });
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  for (;;) {
    if (exited) throw new Error(`${command} ${args.join(' ')} exited (${exited.code ?? exited.signal}) before it was ready:\n${output.slice(-4000)}`);
    if (performance.now() - started > timeoutMs) {
      stopGroup(child.pid, 'SIGKILL');
      throw new Error(`${command} ${args.join(' ')} was not ready after ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const readyMs = performance.now() - started;
  return {
    pid: child.pid,
    readyMs,
    output: () => output,
    lines,
    /** SIGTERM to the whole group (npm and the server it started), then waits until all are gone. */
    stop: async () => {
      stopGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => stopGroup(child.pid, 'SIGKILL'), 20_000);
      await exit;
      while (groupAlive(child.pid)) await new Promise((r) => setTimeout(r, 50));
      clearTimeout(timer);
    },
  };
};

const groupAlive = (pid) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

const stopGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};

/**
 * unleash-server, installed on first use into bench/.peers/unleash-server-<version> with its own
 * `npm install` (gitignored; never part of the workspace or its lockfile). Returns its entry file.
 */
export const ensureUnleash = (version, peersDir) => {
  const dir = path.join(peersDir, `unleash-server-${version}`);
  const entry = path.join(dir, 'node_modules/unleash-server/dist/server.js');
  if (fs.existsSync(entry)) return entry;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ private: true, description: 'startup bench peer, installed by bench/startup/run.mjs', dependencies: { 'unleash-server': version } }, null, 2)}\n`,
  );
  process.stdout.write(`installing unleash-server ${version} into ${path.relative(process.cwd(), dir)} (once; takes a minute or two)\n`);
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-workspaces', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0 || !fs.existsSync(entry)) throw new Error(`npm install unleash-server@${version} failed in ${dir}`);
  return entry;
};

/**
 * CPU time used so far by every PostgreSQL process on this machine, in µs (Linux /proc; the
 * postmaster, its backends and background workers), or `undefined` when none is visible (a remote
 * server). Benches that run PostgreSQL beside the server report it next to the server's own.
 */
export const postgresCpuMicros = () => {
  let ticks = 0;
  let found = false;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (stat.slice(open + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    // utime + stime, and cutime + cstime: the postmaster's includes the backends it has reaped,
    // so a connection that closed during a measurement still counts.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? ticks * (1e6 / 100) : undefined;
};
