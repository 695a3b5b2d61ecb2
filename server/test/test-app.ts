import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../src/app.js';
import { type AppConfig, loadConfig } from '../src/config/config.js';
import { cloneTemplate, type TestDatabase } from './test-database.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** supertest against the app, no credentials. */
  http: TestAgent;
  /** Base URL when started with `listen: true`. */
  url: string;
  /** Authorization header value for the admin token. */
  admin: { Authorization: string };
  /** The database, to boot another app on it (`startTestApp({ database })`). */
  database: TestDatabase;
  /** Closes the app and keeps the database. */
  stop(): Promise<void>;
  /** The database this app runs on (PostgreSQL only), for starting a second instance on it. */
  databaseUrl: string | undefined;
  /** Closes the app and drops the database. */
  close(): Promise<void>;
}

export const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

/**
 * Boots the real server on a fresh clone of the migrated template database, or on `database`.
 * `env` overrides the test defaults; an `undefined` value unsets one (e.g. SIGNALBOX_ADMIN_TOKEN).
 */
/** What test servers on PostgreSQL seal stored secrets with. */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';

export const startTestApp = async (
  options: { demo?: boolean; listen?: boolean; env?: Record<string, string | undefined>; database?: TestDatabase } = {},
): Promise<TestApp> => {
  const database: TestDatabase = options.database ?? (await cloneTemplate());
  const config = loadConfig({
    SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    SIGNALBOX_ADMIN_PASSWORD: 'admin-password-1',
    SIGNALBOX_DEMO: options.demo ? 'true' : 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // On PostgreSQL the key comes from the environment, as on a multi-instance deployment; the
    // embedded database keeps its key file beside the data, as `npm start` does.
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY } : { SIGNALBOX_DATA_DIR: database.dataDir! }),
    ...options.env,
  });
  const app = await createApp(config);
  let url = '';
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  } else {
    await app.init();
  }
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    url,
    admin: bearer(ADMIN_TOKEN),
    databaseUrl: database.databaseUrl,
    database,
    stop: () => app.close(),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
};
