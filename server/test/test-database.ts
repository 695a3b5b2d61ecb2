import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * One database per test file, cloned from a template migrated once (global setup):
 * a copied PGlite directory by default, or `CREATE DATABASE ... TEMPLATE` on the PostgreSQL
 * server named by TEST_DATABASE_URL. Each run has its own template and directory, so two runs
 * in one checkout (two people, or an editor's watcher) never delete each other's databases.
 */
export const TEST_DATA_ROOT = path.resolve(import.meta.dirname, '../.test-data');

export interface TestTemplate {
  /** This run's directory: the PGlite template and every clone live under it. */
  runDir: string;
  pgliteDir: string;
  pgName: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testTemplate: TestTemplate;
  }
}

export const newTestTemplate = (): TestTemplate => {
  const id = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const runDir = path.join(TEST_DATA_ROOT, `run-${id}`);
  return { runDir, pgliteDir: path.join(runDir, 'template'), pgName: `signalbox_test_template_${id}` };
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes the directories of runs whose process is gone (killed before its teardown). */
export const removeAbandonedRuns = (): void => {
  if (!fs.existsSync(TEST_DATA_ROOT)) return;
  for (const entry of fs.readdirSync(TEST_DATA_ROOT)) {
    const pid = Number(/^run-(\d+)_/.exec(entry)?.[1]);
    if (pid && !isAlive(pid)) fs.rmSync(path.join(TEST_DATA_ROOT, entry), { recursive: true, force: true });
  }
};

export const testDatabaseUrl = (): string | undefined => process.env.TEST_DATABASE_URL || undefined;

export const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

export interface TestDatabase {
  /** Set for PostgreSQL. */
  databaseUrl?: string;
  /** Set for the embedded database. */
  dataDir?: string;
  drop(): Promise<void>;
}

export const cloneTemplate = async (): Promise<TestDatabase> => {
  const template = inject('testTemplate');
  const name = `signalbox_test_${randomBytes(6).toString('hex')}`;
  const serverUrl = testDatabaseUrl();
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template.pgName}`);
    } finally {
      await admin.end();
    }
    return {
      databaseUrl: withDatabase(serverUrl, name),
      drop: async () => {
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dataDir = path.join(template.runDir, name);
  fs.cpSync(template.pgliteDir, dataDir, { recursive: true });
  fs.rmSync(path.join(dataDir, 'signalbox.pid'), { force: true });
  return { dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
};
