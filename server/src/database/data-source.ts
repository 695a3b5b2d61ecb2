import { migrations } from '@signalbox/migrations';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { EmbeddedDatabase } from './embedded-database.js';
import { loadPg } from './pg-types.js';
import { pgliteDriver } from './pglite-lease-pool.js';

type Entities = NonNullable<DataSourceOptions['entities']>;

/** TypeORM options for a PostgreSQL URL or the embedded database; the schema comes from migrations only. */
export const dataSourceOptions = (target: { url: string } | { embedded: EmbeddedDatabase }, entities: Entities = []): DataSourceOptions => ({
  type: 'postgres',
  ...('url' in target
    ? {
        url: target.url,
        driver: loadPg().pg, // Bounded waits, so a frozen or unreachable server fails requests (503) instead of queueing them forever.
        extra: { max: 10, connectionTimeoutMillis: 5_000, keepAlive: true, Client: loadPg().ListenedClient },
      }
    : { driver: pgliteDriver(target.embedded.db, target.embedded.close), extra: { max: 1 } }),
  entities,
  migrations,
  migrationsTableName: 'schema_migrations',
  synchronize: false,
  migrationsRun: false,
  installExtensions: false,
  uuidExtension: 'pgcrypto',
  logging: false,
});

export const MIGRATION_LOCK_KEY = 7_262_019;

/**
 * Applies pending migrations. On a shared PostgreSQL several instances may start at once, so the
 * run holds an advisory lock; the embedded database has one instance and one session.
 */
export const runMigrations = async (dataSource: DataSource, shared: boolean): Promise<void> => {
  if (!shared) {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
};

export const createDataSource = (options: DataSourceOptions): DataSource => new DataSource(options);
