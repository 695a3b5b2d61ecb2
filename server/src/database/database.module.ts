import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Database } from './database.service.js';
import { createDataSource, dataSourceOptions, runMigrations } from './data-source.js';
import { openEmbeddedDatabase } from './embedded-database.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('database');
        if (config.databaseUrl) {
          logger.log('using PostgreSQL from DATABASE_URL');
          return { ...dataSourceOptions({ url: config.databaseUrl }), autoLoadEntities: true };
        }
        logger.log(`using the embedded database in ${config.dataDir}`);
        const embedded = await openEmbeddedDatabase(config.dataDir);
        return { ...dataSourceOptions({ embedded }), autoLoadEntities: true };
      },
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('no database options');
        const dataSource = await createDataSource(options).initialize();
        await runMigrations(dataSource, 'url' in options && Boolean(options.url));
        return dataSource;
      },
    }),
  ],
  providers: [Database],
  exports: [Database],
})
export class DatabaseModule {}
