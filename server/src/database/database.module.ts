import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Database } from './database.service.js';
import { DATABASE_TARGET, type DatabaseTarget, embeddedTarget } from './database-target.js';
import { createDataSource, dataSourceOptions, runMigrations } from './data-source.js';
import { openEmbeddedDatabase } from './embedded-database.js';
import { NotificationsService } from './notifications.service.js';
import { isDatabaseUnavailable } from './unavailable.js';

const targetProvider = {
  provide: DATABASE_TARGET,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig): Promise<DatabaseTarget> => {
    const logger = new Logger('database');
    if (config.databaseUrl) {
      logger.log('using PostgreSQL from DATABASE_URL');
      return { kind: 'postgres', url: config.databaseUrl };
    }
    logger.log(`using the embedded database in ${config.dataDir}`);
    return embeddedTarget(await openEmbeddedDatabase(config.dataDir));
  },
};

@Global()
@Module({ providers: [targetProvider], exports: [DATABASE_TARGET] })
export class DatabaseTargetModule {}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseTargetModule],
      inject: [DATABASE_TARGET],
      useFactory: (target: DatabaseTarget) => ({
        ...dataSourceOptions(target.kind === 'postgres' ? { url: target.url } : { embedded: target.embedded }),
        autoLoadEntities: true,
        // Wait for a database that is starting or restarting (up to 30 s); fail at once on anything
        // else (a missing database, a refused password), so the reason is printed without delay.
        retryAttempts: 30,
        retryDelay: 1_000,
        toRetry: (err: unknown) => isDatabaseUnavailable(err),
      }),
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('no database options');
        const dataSource = await createDataSource(options).initialize();
        await runMigrations(dataSource, 'url' in options && Boolean(options.url));
        return dataSource;
      },
    }),
  ],
  providers: [Database, NotificationsService],
  exports: [Database, NotificationsService],
})
export class DatabaseModule {}
