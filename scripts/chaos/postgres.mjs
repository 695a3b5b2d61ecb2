// A private PostgreSQL cluster for the chaos test: initdb into a temporary directory, started with
// pg_ctl on its own port (never the machine's 5432 server), trust auth, one database for the
// servers. Offers the faults the test needs: restart, stop/start, freeze/thaw (SIGSTOP/SIGCONT of
// the postmaster and all its children) and destroy. As root, every PostgreSQL command runs as the
// `postgres` OS user, since initdb and postgres refuse to run as root.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { onCleanup } from './cleanup.mjs';
import { freePort } from './ports.mjs';
import { asPostgresUser, childPids, isRoot, pidAlive, POSTGRES_OS_USER, run, runOrThrow } from './proc.mjs';

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'];
const hasAll = (dir) => REQUIRED.every((bin) => fs.existsSync(path.join(dir, bin)));

/**
 * The directory holding initdb, pg_ctl and postgres: `pg_config --bindir`, else the newest
 * /usr/lib/postgresql/<version>/bin, else the PATH. Null when PostgreSQL is not installed.
 */
export const findPostgresBin = () => {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && hasAll(dir)) return dir;
  } catch {
    // No pg_config (it ships in libpq-dev / postgresql-common on Debian): try the other places.
  }
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) if (hasAll(path.join(debian, version, 'bin'))) return path.join(debian, version, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || !hasAll(dir)) continue;
    // /usr/local/bin may hold symlinks into the real directory; postgres wants its siblings next to it.
    return path.dirname(fs.realpathSync(path.join(dir, 'postgres')));
  }
  return null;
};

const DATABASE = 'signalbox';

/** Starts a private cluster; resolves with a handle. Registers its own cleanup (stop + delete). */
export const startPostgres = async ({ timeline } = {}) => {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin, PATH); apt-get install -y postgresql');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-chaos-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  const logFile = path.join(root, 'postgres.log');
  fs.mkdirSync(socketDir);
  if (isRoot()) {
    fs.chmodSync(root, 0o700);
    await runOrThrow('chown', ['-R', `${POSTGRES_OS_USER}:`, root]);
  }
  const port = await freePort();
  const frozen = [];
  let destroyed = false;

  const pgCommand = (name, args, options) => run(...asPostgresUser(path.join(bin, name), args), options);
  const pgCommandOrThrow = (name, args, options) => runOrThrow(...asPostgresUser(path.join(bin, name), args), options);
  const serverOptions = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1`;

  /** The postmaster's pid from postmaster.pid (undefined while the cluster is stopped). */
  const postmasterPid = () => {
    try {
      const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isSafeInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const thawSync = () => {
    // Children first, then the postmaster, in the reverse order of the freeze.
    for (const pid of frozen.splice(0).reverse()) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
  };

  const cluster = {
    bin,
    port,
    dataDir,
    logFile,
    database: DATABASE,
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    get frozen() {
      return frozen.length > 0;
    },
    postmasterPid,

    async start() {
      await pgCommandOrThrow('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start'], { timeoutMs: 90_000 });
    },
    async stop(mode = 'fast') {
      await pgCommandOrThrow('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], { timeoutMs: 90_000 });
    },
    /** `pg_ctl restart -m fast`: every session is cut, the server is back in a second or two. */
    async restart() {
      await pgCommandOrThrow('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-m', 'fast', '-w', '-t', '60', 'restart'], { timeoutMs: 90_000 });
    },
    /** SIGSTOP to the postmaster and every child: connections stay open, nothing answers. */
    freeze() {
      const pid = postmasterPid();
      if (!pid) throw new Error('cannot freeze PostgreSQL: no postmaster is running');
      process.kill(pid, 'SIGSTOP');
      frozen.push(pid);
      for (const child of childPids(pid)) {
        try {
          process.kill(child, 'SIGSTOP');
          frozen.push(child);
        } catch {
          // It exited meanwhile.
        }
      }
      return frozen.length;
    },
    thaw: thawSync,
    /** One query on a connection of its own; rejects (never throws an 'error' event) when the server goes away. */
    async query(sql, params) {
      const client = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
      // A cluster stopped under the query ends the connection with an error event: the query's rejection reports it.
      client.on('error', () => undefined);
      await client.connect();
      try {
        return await client.query(sql, params);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    logTail(lines = 40) {
      try {
        return fs
          .readFileSync(logFile, 'utf8')
          .split('\n')
          .slice(-lines - 1)
          .join('\n');
      } catch {
        return '';
      }
    },
    /** Stops the cluster (thawing it first) and deletes its directory. Idempotent. */
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      thawSync();
      if (postmasterPid()) {
        const stopped = await pgCommand('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], { timeoutMs: 40_000 });
        const pid = postmasterPid();
        if (stopped.code !== 0 && pid) process.kill(pid, 'SIGQUIT');
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };

  onCleanup(
    'PostgreSQL cluster',
    () => cluster.destroy(),
    () => {
      // Process exit: no awaiting, but still never leave a postgres behind.
      thawSync();
      if (postmasterPid())
        spawnSync(...asPostgresUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']), {
          stdio: 'ignore',
          timeout: 25_000,
        });
      const pid = postmasterPid();
      if (pid) process.kill(pid, 'SIGQUIT');
      fs.rmSync(root, { recursive: true, force: true });
    },
  );

  await pgCommandOrThrow('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], { timeoutMs: 120_000 });
  await cluster.start();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  timeline?.note(`PostgreSQL ${path.basename(path.dirname(bin))} started on 127.0.0.1:${port} (pid ${postmasterPid()}, ${dataDir})`);
  return cluster;
};
