import fs from 'node:fs';
import 'reflect-metadata';
import pg from 'pg';
import { createDataSource, dataSourceOptions, runMigrations } from '../src/database/data-source.js';
import { openEmbeddedDatabase } from '../src/database/embedded-database.js';
import { PG_TEMPLATE_NAME, PGLITE_TEMPLATE_DIR, TEST_DATA_ROOT, testDatabaseUrl, withDatabase } from './test-database.js';

/** Migrates the template every test file's database is cloned from. */
export default async function setup(): Promise<() => Promise<void>> {
  fs.rmSync(TEST_DATA_ROOT, { recursive: true, force: true });
  fs.mkdirSync(TEST_DATA_ROOT, { recursive: true });
  const serverUrl = testDatabaseUrl();
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE_NAME}`);
    await admin.end();
    const dataSource = await createDataSource(dataSourceOptions({ url: withDatabase(serverUrl, PG_TEMPLATE_NAME) })).initialize();
    await runMigrations(dataSource, true);
    await dataSource.destroy();
  } else {
    const embedded = await openEmbeddedDatabase(PGLITE_TEMPLATE_DIR);
    const dataSource = await createDataSource(dataSourceOptions({ embedded })).initialize();
    await runMigrations(dataSource, false);
    await dataSource.destroy();
  }
  return async () => {
    fs.rmSync(TEST_DATA_ROOT, { recursive: true, force: true });
    if (serverUrl) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE_NAME} WITH (FORCE)`);
      await admin.end();
    }
  };
}
