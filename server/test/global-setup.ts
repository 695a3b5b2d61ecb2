import fs from 'node:fs';
import 'reflect-metadata';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDataSource, dataSourceOptions, runMigrations } from '../src/database/data-source.js';
import { openEmbeddedDatabase } from '../src/database/embedded-database.js';
import { newTestTemplate, removeAbandonedRuns, testDatabaseUrl, withDatabase } from './test-database.js';

/** Migrates the template every test file's database is cloned from; one per run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  removeAbandonedRuns();
  const template = newTestTemplate();
  fs.mkdirSync(template.runDir, { recursive: true });
  const serverUrl = testDatabaseUrl();
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template.pgName}`);
    await admin.end();
    const dataSource = await createDataSource(dataSourceOptions({ url: withDatabase(serverUrl, template.pgName) })).initialize();
    await runMigrations(dataSource, true);
    await dataSource.destroy();
  } else {
    const embedded = await openEmbeddedDatabase(template.pgliteDir);
    const dataSource = await createDataSource(dataSourceOptions({ embedded })).initialize();
    await runMigrations(dataSource, false);
    await dataSource.destroy();
  }
  project.provide('testTemplate', template);
  return async () => {
    fs.rmSync(template.runDir, { recursive: true, force: true });
    if (serverUrl) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${template.pgName} WITH (FORCE)`);
      await admin.end();
    }
  };
}
