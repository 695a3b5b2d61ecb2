import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresBinaries, startPrivatePostgres } from './private-postgres.js';
import { startServerProcess } from './server-process.js';
import { testDatabaseUrl, withDatabase } from './test-database.js';

const MAIN = path.resolve(import.meta.dirname, '../dist/src/main.js');

/** Runs the built server until it gives up; returns its exit code and everything it printed. */
const start = (env: Record<string, string>) => {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SIGNALBOX_DEMO: 'false', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
};

describe('a server that cannot start says why, in words', () => {
  it('names the process that holds the embedded data directory', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-in-use-'));
    try {
      // This test's own process is alive, so the lock is held.
      fs.writeFileSync(path.join(dataDir, 'signalbox.pid'), String(process.pid));
      const { code, stderr } = start({ SIGNALBOX_DATA_DIR: dataDir });
      expect(code).toBe(1);
      expect(stderr).toContain(`Signalbox could not start: The embedded database in ${dataDir} is in use by process ${process.pid}`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.runIf(testDatabaseUrl())('names a database that does not exist, at once rather than after retries', () => {
    const started = Date.now();
    const { code, stderr } = start({ DATABASE_URL: withDatabase(testDatabaseUrl()!, 'signalbox_no_such_database') });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Signalbox could not start: database "signalbox_no_such_database" does not exist \(code 3D000\)/);
    // Not retried as if the server were restarting (that waits 30 s).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it.runIf(testDatabaseUrl())('names a role the database does not know, at once rather than after retries', () => {
    const url = new URL(testDatabaseUrl()!);
    url.username = 'signalbox_no_such_role';
    const started = Date.now();
    const { code, stderr } = start({ DATABASE_URL: url.toString() });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Signalbox could not start: role "signalbox_no_such_role" does not exist \(code 28000\)/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('names a configuration value it cannot use', () => {
    const { code, stderr } = start({ SIGNALBOX_SHUTDOWN_GRACE_MS: 'soon' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/SIGNALBOX_SHUTDOWN_GRACE_MS/);
  });
});

describe.runIf(Boolean(await postgresBinaries()))('a server whose database is not up yet', () => {
  it('waits for a database that refuses connections (starting, restarting) and starts once it answers', async () => {
    const cluster = await startPrivatePostgres();
    try {
      await cluster.stop();
      const starting = startServerProcess({ DATABASE_URL: cluster.url }, 60_000);
      // The server is already retrying when the database comes up.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await cluster.start();
      const server = await starting;
      try {
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
        expect(server.output()).not.toMatch(/could not start/);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    } finally {
      await cluster.destroy();
    }
  }, 90_000);
});
