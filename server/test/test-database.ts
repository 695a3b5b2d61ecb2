import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * One database per test file, cloned from a template migrated once (global setup):
 * a copied PGlite directory by default, or `CREATE DATABASE ... TEMPLATE` on the PostgreSQL
 * server named by TEST_DATABASE_URL.
 */
export const TEST_DATA_ROOT = path.resolve(import.meta.dirname, '../.test-data');
export const PGLITE_TEMPLATE_DIR = path.join(TEST_DATA_ROOT, 'template');
export const PG_TEMPLATE_NAME = 'signalbox_test_template';

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
  const name = `signalbox_test_${randomBytes(6).toString('hex')}`;
  const serverUrl = testDatabaseUrl();
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE_NAME}`);
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
  const dataDir = path.join(TEST_DATA_ROOT, name);
  fs.cpSync(PGLITE_TEMPLATE_DIR, dataDir, { recursive: true });
  fs.rmSync(path.join(dataDir, 'signalbox.pid'), { force: true });
  return { dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
};
