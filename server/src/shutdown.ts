import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Draining } from './health/draining.js';
import { ChangeRelay } from './realtime/change-relay.service.js';

/** After the grace period, closing the modules (database, LISTEN) may take this much longer before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Stops an instance so its clients move elsewhere at once and nothing keeps it alive:
 * readiness fails, no new connections are accepted, SDK streams and sockets end (clients reconnect,
 * resuming from their sequence), idle keep-alive connections close and busy ones close after their
 * current response. In-flight requests get `graceMs` to finish; then every connection is cut.
 */
export const shutDown = async (app: NestExpressApplication, graceMs: number): Promise<'clean' | 'forced'> => {
  const logger = new Logger('shutdown');
  const server = app.getHttpServer() as Server;
  app.get(Draining).active = true;
  logger.log(`shutting down: ending SDK connections, finishing requests (grace ${graceMs} ms)`);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  app.get(ChangeRelay).endAll();
  server.closeIdleConnections();
  // A keep-alive connection that just finished a request is idle again: close it as soon as it is.
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  const outcome = await Promise.race([closed.then(() => 'clean' as const), sleep(graceMs).then(() => 'forced' as const)]);
  clearInterval(sweeper);
  if (outcome === 'forced') {
    logger.warn(`requests still running after ${graceMs} ms; closing their connections`);
    server.closeAllConnections();
  }
  await Promise.race([app.close(), sleep(CLOSE_TIMEOUT_MS)]);
  return outcome;
};

/** SIGTERM or SIGINT shuts down once; a second signal exits at once. */
export const shutDownOnSignals = (app: NestExpressApplication, graceMs: number): void => {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    new Logger('shutdown').log(`${signal} received`);
    shutDown(app, graceMs).then(
      (outcome) => process.exit(outcome === 'clean' ? 0 : 1),
      (err: unknown) => {
        new Logger('shutdown').error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
};
