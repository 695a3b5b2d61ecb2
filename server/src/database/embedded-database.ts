import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';

// PostgreSQL type OIDs (pg_type), so this module needs PGlite only when a database is opened.
const INT8 = 20;
const NUMERIC = 1700;

/** Parsers both drivers share, so code sees the same JS types on PGlite and on `pg`. */
export const PGLITE_PARSERS = {
  // Sequences and counts are int8; they stay far below 2^53.
  [INT8]: (value: string) => Number(value),
  // `pg` returns numeric as a string; so does PGlite by default, keep it explicit.
  [NUMERIC]: (value: string) => value,
};

/**
 * PostgreSQL settings of the embedded database, passed as `-c` on every start (after PGlite's own
 * defaults, which stay), so they apply to databases created by older versions too.
 *
 * shared_buffers: PostgreSQL's page cache lives in PGlite's WebAssembly heap and all of it is
 * touched at start, so the default 128MB costs 128 MB of resident memory for a database of a few
 * MB. 16MB holds a Signalbox database many times over (reads are served from in-memory snapshots).
 *
 * Durability is untouched: PGlite's defaults include `-F` (fsync off), as before. A commit is
 * written to the WAL file before it returns, so it survives the process being killed; an OS crash
 * or power loss can lose the last commits. Use PostgreSQL (DATABASE_URL) where that matters.
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: '16MB' };

const settingParams = (flag: string): string[] => Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => [flag, `${name}=${value}`]);

/** What PGlite is started with: its defaults plus ours. */
const startParams = (pglite: typeof PGlite): string[] => [...pglite.defaultStartParams, ...settingParams('-c')];

// initdb gets the same settings: they land in postgresql.conf, and initdb does not probe 128MB of
// shared buffers first (its heap would grow, and it copies the whole heap for every step).
const INITDB_PARAMS = settingParams('--set');

/**
 * V8 compiles WebAssembly with its baseline compiler (Liftoff), then recompiles hot functions with
 * its optimising one (TurboFan). For PGlite's 9 MB module that second pass costs about half a
 * second of CPU at start and 60-80 MB of memory that stays, and per query it measured no faster:
 * the time goes to PGlite's JavaScript side (protocol, file system calls). Process-wide, and only
 * wasm compiled afterwards is affected, so it is set before PGlite's module is compiled (the only
 * other wasm in the process is undici's HTTP parser, compiled earlier or unaffected in speed).
 */
const useBaselineWasmCompiler = (): void => v8.setFlagsFromString('--liftoff-only');

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether the process named in a pid file may still be a server using the directory. Where Linux
 * shows processes in /proc, a zombie (killed, not yet reaped) holds nothing, and neither does a
 * process running another program: after a container restart pids start low again, and the pid in
 * the file can belong to a shell or anything else, which must not lock the database for good.
 */
const mayHoldLock = (pid: number): boolean => {
  if (!isAlive(pid)) return false;
  if (!fs.existsSync('/proc/self/stat')) return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat[stat.lastIndexOf(')') + 2];
    if (state === 'Z' || state === 'X') return false;
    const program = path.basename(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '');
    return program === path.basename(process.execPath) || program === path.basename(process.argv0);
  } catch (err) {
    // Gone between the checks; anything else (no permission): assume it is alive.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

// PGlite lets two processes open one directory and corrupt it; a pid file prevents that.
const takeLock = (dataDir: string): (() => void) => {
  const lockPath = path.join(dataDir, 'signalbox.pid');
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8'));
    if (pid && pid !== process.pid && mayHoldLock(pid)) {
      throw new Error(`The embedded database in ${dataDir} is in use by process ${pid}. Stop it, or set SIGNALBOX_DATA_DIR to another directory.`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lockPath, String(process.pid));
  return () => fs.rmSync(lockPath, { force: true });
};

// Runs in a worker thread: initdb in WebAssembly takes seconds and leaves hundreds of MB of heap
// behind; a worker runs it beside the main thread's start and gives all of that back when it ends.
const CREATE_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
PGlite.create(workerData.dir, { startParams: [...PGlite.defaultStartParams, ...workerData.startParams], initDbStartParams: workerData.initDbStartParams })
  .then((db) => db.close())
  .then(() => parentPort.postMessage('created'));
`;

/** A new cluster in `dir`, made by initdb in a worker thread. */
const createCluster = (dir: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const workerData = {
      pglite: createRequire(import.meta.url).resolve('@electric-sql/pglite'),
      dir,
      startParams: settingParams('-c'),
      initDbStartParams: INITDB_PARAMS,
    };
    const worker = new Worker(CREATE_IN_WORKER, { eval: true, workerData });
    let created = false;
    worker.on('message', (message) => (created = message === 'created'));
    worker.on('error', reject);
    worker.on('exit', (code) => (created ? resolve() : reject(new Error(`creating the embedded database failed (worker exit code ${code})`))));
  });

const CLUSTER_DIR = 'pglite';
const CREATING_PREFIX = `${CLUSTER_DIR}.creating-`;

const pgliteFile = (name: string): string => createRequire(import.meta.url).resolve(`@electric-sql/pglite/${name}`);

/**
 * Where a new, empty cluster is kept for the next database created with the same PGlite and
 * settings: node_modules/.cache (as build tools do), so it belongs to this installation and goes
 * with it. initdb then runs once per installation instead of once per data directory (tests,
 * `npm run openapi`, a removed ./data all create databases).
 */
const templateDir = (): string => {
  const packageDir = path.resolve(path.dirname(pgliteFile('pglite.wasm')), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const settings = createHash('sha256')
    .update(JSON.stringify([INITDB_PARAMS, settingParams('-c')]))
    .digest('hex')
    .slice(0, 12);
  return path.join(packageDir, '..', '..', '.cache', 'signalbox', `pglite-${version}-${settings}`);
};

/** Keeps a copy of a newly created cluster; a cache, so failing to write it changes nothing. */
const keepTemplate = (clusterDir: string, template: string): void => {
  const partial = `${template}.partial-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(template), { recursive: true });
    for (const entry of fs.readdirSync(path.dirname(template))) {
      // Copies that a killed process left half-made.
      const pid = Number(/\.partial-(\d+)$/.exec(entry)?.[1]);
      if (pid && !isAlive(pid)) fs.rmSync(path.join(path.dirname(template), entry), { recursive: true, force: true });
    }
    fs.cpSync(clusterDir, partial, { recursive: true });
    fs.renameSync(partial, template);
  } catch {
    // Read-only node_modules, or another process kept one first.
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
};

/**
 * Creates the cluster under a temporary name and renames it when complete, so a first start that is
 * killed half-way leaves nothing that would later open as a broken database.
 */
const ensureCluster = async (dataDir: string): Promise<string> => {
  const clusterDir = path.join(dataDir, CLUSTER_DIR);
  for (const entry of fs.readdirSync(dataDir)) {
    // Left by a creation that was killed; we hold the lock, so nobody else is creating one.
    if (entry.startsWith(CREATING_PREFIX)) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  }
  if (fs.existsSync(clusterDir)) return clusterDir;
  const creating = path.join(dataDir, `${CREATING_PREFIX}${process.pid}`);
  const template = templateDir();
  try {
    if (fs.existsSync(path.join(template, 'PG_VERSION'))) {
      fs.cpSync(template, creating, { recursive: true });
    } else {
      await createCluster(creating);
      keepTemplate(creating, template);
    }
    fs.renameSync(creating, clusterDir);
  } finally {
    fs.rmSync(creating, { recursive: true, force: true });
  }
  return clusterDir;
};

/**
 * PGlite's own loading reads its 15 MB of files with fs/promises, in 512 kB chunks through libuv's
 * thread pool, behind every module file the server is loading at the same time: read at once here,
 * the database opens while the modules load instead of after them.
 */
const readArtifact = (name: 'pglite.wasm' | 'pglite.data'): Buffer => fs.readFileSync(pgliteFile(name));

// readFileSync gives a file this large its own ArrayBuffer; copy only if it ever does not.
const exactArrayBuffer = (bytes: Buffer): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);

export interface EmbeddedDatabase {
  db: PGlite;
  close(): Promise<void>;
}

const open = async (dataDir: string): Promise<EmbeddedDatabase> => {
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = takeLock(dataDir);
  try {
    useBaselineWasmCompiler();
    const clusterDir = await ensureCluster(dataDir);
    const [{ PGlite }, pgliteWasmModule] = await Promise.all([import('@electric-sql/pglite'), WebAssembly.compile(readArtifact('pglite.wasm'))]);
    // PGlite only calls arrayBuffer() on the bundle: handing it the bytes read avoids two 6 MB copies.
    const bundle = readArtifact('pglite.data');
    const fsBundle = { arrayBuffer: async () => exactArrayBuffer(bundle) } as Blob;
    const options: PGliteOptions = { parsers: PGLITE_PARSERS, startParams: startParams(PGlite), pgliteWasmModule, fsBundle };
    const db = await PGlite.create(clusterDir, options);
    let closed = false;
    return {
      db,
      close: async () => {
        if (closed) return;
        closed = true;
        await db.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
};

const prepared = new Map<string, Promise<EmbeddedDatabase>>();

/**
 * Starts opening the embedded database under `dataDir` (creating it on first use) without waiting,
 * so the work overlaps loading the rest of the server; `openEmbeddedDatabase(dataDir)` takes it over.
 */
export const prepareEmbeddedDatabase = (dataDir: string): void => {
  const key = path.resolve(dataDir);
  if (prepared.has(key)) return;
  const opening = open(key);
  // Its failure is reported to whoever takes it over, not as an unhandled rejection now.
  opening.catch(() => undefined);
  prepared.set(key, opening);
};

/** Opens (creating on first use) the embedded PostgreSQL under `dataDir`. */
export const openEmbeddedDatabase = (dataDir: string): Promise<EmbeddedDatabase> => {
  const key = path.resolve(dataDir);
  const opening = prepared.get(key);
  prepared.delete(key);
  return opening ?? open(key);
};
