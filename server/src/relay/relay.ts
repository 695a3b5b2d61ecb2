import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DownstreamHub } from './downstream-hub.js';
import { KeyRing } from './key-ring.js';
import { RelayHttp } from './relay-http.js';
import { reasonOf, stderrLogger, type RelayLogger } from './relay-logger.js';
import { attachSdkSockets } from './relay-socket.js';
import { UpstreamLink } from './upstream-link.js';

export interface RelayOptions {
  /** The Signalbox server (or another relay) to follow, e.g. `https://flags.example.com`. */
  upstream: string;
  /** One SDK key per environment the relay serves. */
  sdkKeys: string[];
  port: number;
  host?: string;
  /** Names this relay in the upstream's delivery counts; default a random one per process. */
  relayId?: string;
  logger?: RelayLogger;
  /** Longest upstream reconnection delay; default 5 s. */
  reconnectionDelayMaxMs?: number;
}

export interface RunningRelay {
  port: number;
  relayId: string;
  close(): Promise<void>;
}

const RELAY_ID = /^[A-Za-z0-9._-]{1,58}$/;

/** Validates options the way the CLI reports them: one message naming what is wrong. */
export const relayOptionsProblem = (options: RelayOptions): string | undefined => {
  try {
    const url = new URL(options.upstream);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--upstream must be an http(s) URL, got ${url.protocol}`;
  } catch {
    return `--upstream is not a URL: ${options.upstream}`;
  }
  if (options.sdkKeys.length === 0) return 'give at least one --sdk-key';
  if (new Set(options.sdkKeys).size !== options.sdkKeys.length) return 'the same --sdk-key is given twice';
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) return '--port must be an integer from 0 to 65535';
  if (options.relayId !== undefined && !RELAY_ID.test(options.relayId)) return '--relay-id must be 1 to 58 letters, digits, `.`, `_` or `-`';
  return undefined;
};

/**
 * Starts a relay: one upstream SDK connection per key, and the server's SDK endpoints for
 * downstream SDKs, served from memory. Resolves once listening (not once upstream answered: a
 * relay started while its upstream is down serves as soon as the upstream comes).
 */
export const startRelay = async (options: RelayOptions): Promise<RunningRelay> => {
  const problem = relayOptionsProblem(options);
  if (problem) throw new Error(problem);
  const logger = options.logger ?? stderrLogger;
  const relayId = options.relayId ?? `relay-${randomUUID()}`;
  const hub = new DownstreamHub();
  const links = options.sdkKeys.map(
    (sdkKey) =>
      new UpstreamLink({
        upstream: options.upstream,
        sdkKey,
        relayId,
        logger,
        reconnectionDelayMaxMs: options.reconnectionDelayMaxMs,
        listener: {
          messages: (messages) => hub.relay(link(sdkKey), messages),
          keysRevoked: (hashes) => hub.endKeys(link(sdkKey), hashes),
        },
      }),
  );
  const link = (sdkKey: string) => links[options.sdkKeys.indexOf(sdkKey)]!;
  links.forEach((l) => hub.attach(l));
  const keys = new KeyRing(links);
  const http = new RelayHttp(keys, hub, links, relayId, logger);
  const server: HttpServer = createServer((req, res) => http.handle(req, res));
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy(err);
  });
  const io = attachSdkSockets(server, keys, hub, links, relayId, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  links.forEach((l) => l.start());
  const port = (server.address() as AddressInfo).port;
  logger.info('relay listening', { port, relayId, upstream: options.upstream, environments: links.length });
  let closing: Promise<void> | undefined;
  return {
    port,
    relayId,
    close: () =>
      (closing ??= (async () => {
        hub.endAll();
        await Promise.all(links.map((l) => l.close()));
        await new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })().catch((err: unknown) => logger.error('relay shutdown failed', { reason: reasonOf(err) }))),
  };
};
