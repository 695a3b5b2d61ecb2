import { PGlite, types } from '@electric-sql/pglite';
import fs from 'node:fs';
import path from 'node:path';

/** Parsers both drivers share, so code sees the same JS types on PGlite and on `pg`. */
export const PGLITE_PARSERS = {
  // Sequences and counts are int8; they stay far below 2^53.
  [types.INT8]: (value: string) => Number(value),
  // `pg` returns numeric as a string; so does PGlite by default, keep it explicit.
  [types.NUMERIC]: (value: string) => value,
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

// PGlite lets two processes open one directory and corrupt it; a pid file prevents that.
const takeLock = (dataDir: string): (() => void) => {
  const lockPath = path.join(dataDir, 'signalbox.pid');
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(`The embedded database in ${dataDir} is in use by process ${pid}. Stop it, or set SIGNALBOX_DATA_DIR to another directory.`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lockPath, String(process.pid));
  return () => fs.rmSync(lockPath, { force: true });
};

export interface EmbeddedDatabase {
  db: PGlite;
  close(): Promise<void>;
}

/** Opens (creating on first use) the embedded PostgreSQL under `dataDir`. */
export const openEmbeddedDatabase = async (dataDir: string): Promise<EmbeddedDatabase> => {
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = takeLock(dataDir);
  try {
    const db = await PGlite.create(path.join(dataDir, 'pglite'), { parsers: PGLITE_PARSERS });
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
