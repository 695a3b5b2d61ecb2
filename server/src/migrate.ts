import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.js';
import { createDataSource, dataSourceOptions, runMigrations } from './database/data-source.js';
import { openEmbeddedDatabase } from './database/embedded-database.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
const main = async (): Promise<void> => {
  const config = loadConfig();
  const target = config.databaseUrl ? { url: config.databaseUrl } : { embedded: await openEmbeddedDatabase(config.dataDir) };
  const dataSource = await createDataSource(dataSourceOptions(target)).initialize();
  try {
    const pending = await dataSource.showMigrations();
    await runMigrations(dataSource, Boolean(config.databaseUrl));
    process.stdout.write(pending ? 'migrations applied\n' : 'database is up to date\n');
  } finally {
    await dataSource.destroy();
  }
};

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
