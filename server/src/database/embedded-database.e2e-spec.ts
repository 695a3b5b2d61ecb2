import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, openEmbeddedDatabase, prepareEmbeddedDatabase } from './embedded-database.js';

const show = async (embedded: EmbeddedDatabase, setting: string): Promise<string> => {
  const { rows } = await embedded.db.query<Record<string, string>>(`SHOW ${setting}`);
  return Object.values(rows[0]!)[0]!;
};

// One database created from nothing (initdb, in a worker thread), whatever TEST_DATABASE_URL says.
describe('the embedded database', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-embedded-'));
    const embedded = await openEmbeddedDatabase(dataDir);
    await embedded.db.exec('CREATE TABLE kept (id int PRIMARY KEY)');
    await embedded.close();
  }, 180_000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('is created under a temporary name and renamed once complete, so a killed first start leaves no half-made database', async () => {
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    expect(fs.readdirSync(dataDir).filter((e) => e.startsWith('pglite.creating-'))).toEqual([]);
    // What a first start killed during initdb leaves behind: removed by the next open.
    fs.mkdirSync(path.join(dataDir, 'pglite.creating-12345', 'base'), { recursive: true });
    const embedded = await openEmbeddedDatabase(dataDir);
    try {
      expect(fs.readdirSync(dataDir).filter((e) => e.startsWith('pglite.creating-'))).toEqual([]);
      expect((await embedded.db.query('SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 0 }]);
    } finally {
      await embedded.close();
    }
  });

  it('creates further databases from a kept copy of a new cluster instead of running initdb again', async () => {
    const inspect = async (dir: string) => {
      const embedded = await openEmbeddedDatabase(dir);
      try {
        const [{ id }] = (await embedded.db.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows as [{ id: string }];
        const [{ kept }] = (await embedded.db.query<{ kept: string | null }>(`SELECT to_regclass('public.kept')::text AS kept`)).rows as [
          { kept: string | null },
        ];
        return { id, kept };
      } finally {
        await embedded.close();
      }
    };
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-embedded-'));
    try {
      const first = await inspect(dataDir);
      const second = await inspect(other);
      // initdb gives every cluster its own identifier; a copy keeps it. The copy is of the new,
      // empty cluster: nothing written to another database afterwards is in it.
      expect(second.id).toBe(first.id);
      expect(first.kept).toBe('kept');
      expect(second.kept).toBeNull();
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('runs with a small page cache and PGlite durability settings unchanged', async () => {
    const embedded = await openEmbeddedDatabase(dataDir);
    try {
      expect(await show(embedded, 'shared_buffers')).toBe('16MB');
      // PGlite's own defaults, kept as they were: commits are written to the WAL before they return
      // (so they survive a killed process), without fsync (an OS crash can lose the last ones).
      expect(await show(embedded, 'fsync')).toBe('off');
      expect(await show(embedded, 'synchronous_commit')).toBe('on');
      expect(await show(embedded, 'full_page_writes')).toBe('on');
      expect(await show(embedded, 'wal_level')).toBe('replica');
    } finally {
      await embedded.close();
    }
  });

  it('applies its settings to a database whose postgresql.conf says otherwise (created by an older version)', async () => {
    const conf = path.join(dataDir, 'pglite', 'postgresql.conf');
    fs.writeFileSync(conf, `${fs.readFileSync(conf, 'utf8')}\nshared_buffers = 128MB\n`);
    const embedded = await openEmbeddedDatabase(dataDir);
    try {
      expect(await show(embedded, 'shared_buffers')).toBe('16MB');
    } finally {
      await embedded.close();
    }
  });

  it('hands a database prepared early to the open that follows, failure included', async () => {
    prepareEmbeddedDatabase(dataDir);
    const prepared = await openEmbeddedDatabase(dataDir);
    try {
      expect(await show(prepared, 'shared_buffers')).toBe('16MB');
    } finally {
      await prepared.close();
    }
    // Held by a live process (the test runner's parent): the refusal reaches the open, not an unhandled rejection.
    fs.writeFileSync(path.join(dataDir, 'signalbox.pid'), String(process.ppid));
    try {
      prepareEmbeddedDatabase(dataDir);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(openEmbeddedDatabase(dataDir)).rejects.toThrow(`is in use by process ${process.ppid}`);
    } finally {
      fs.rmSync(path.join(dataDir, 'signalbox.pid'), { force: true });
    }
  });

  // A server killed with SIGKILL leaves its pid file behind; what the pid names afterwards decides.
  it('opens a directory whose pid file names a process that cannot be a server: a zombie, or another program after pids were reused', async () => {
    // The background `sleep 0.2` exits once the shell has become `sleep 30` (which never reaps a
    // child), so it stays a zombie; one that exited before the exec could be reaped by the shell.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      await expect.poll(() => fs.readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0], { timeout: 5_000 }).toBe('Z');
      for (const pid of [zombie, other.pid!]) {
        fs.writeFileSync(path.join(dataDir, 'signalbox.pid'), String(pid));
        const embedded = await openEmbeddedDatabase(dataDir);
        try {
          // The lock is ours now.
          expect(fs.readFileSync(path.join(dataDir, 'signalbox.pid'), 'utf8')).toBe(String(process.pid));
        } finally {
          await embedded.close();
        }
      }
    } finally {
      parent.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });
});
