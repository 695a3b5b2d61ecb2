import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type SignalboxClient } from '../src/client/index.js';
import type { Logger } from '../src/client/logger.js';
import type { EnvironmentConfig } from '../src/core/types.js';
import { aFlag, anEnvironment } from './builders.js';
import { eventually } from './protocol-harness.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };

/** `GET /api/v1/sdk/config` as the protocol defines it, with switches for failures. */
class ConfigEndpoint {
  readonly requests: IncomingHttpHeaders[] = [];
  config: EnvironmentConfig = anEnvironment([aFlag('enabled').build()]);
  failWith: number | undefined;
  hang = false;
  /** Requests whose client went away before an answer. */
  abandoned = 0;

  private constructor(
    readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ConfigEndpoint> {
    let endpoint: ConfigEndpoint | undefined;
    const server = createServer((request, response) => {
      response.on('close', () => {
        if (!response.writableEnded) endpoint!.abandoned++;
      });
      endpoint!.handle(request.url ?? '', request.headers, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = new ConfigEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/signalbox`);
    return endpoint;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(url: string, headers: IncomingHttpHeaders, response: import('node:http').ServerResponse): void {
    if (url !== '/signalbox/api/v1/sdk/config') {
      response.writeHead(404).end();
      return;
    }
    this.requests.push(headers);
    if (this.hang) return;
    if (headers.authorization !== 'Bearer good-key') {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'UNAUTHENTICATED', message: 'unknown SDK key' }));
      return;
    }
    if (this.failWith !== undefined) {
      response.writeHead(this.failWith).end('oops');
      return;
    }
    const etag = `"${this.config.sequence}"`;
    if (headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(this.config));
  }
}

describe('poll transport', () => {
  const endpoints: ConfigEndpoint[] = [];
  const clients: SignalboxClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close()));
  });

  async function setUp(sdkKey = 'good-key') {
    const endpoint = await ConfigEndpoint.start();
    endpoints.push(endpoint);
    const client = createClient({ url: endpoint.url, sdkKey, transport: 'poll', pollIntervalMs: 30, logger: silent });
    clients.push(client);
    return { endpoint, client };
  }

  it('fetches the snapshot, then polls with the ETag and picks up a new config', async () => {
    const { endpoint, client } = await setUp();
    expect(await client.waitForReady({ timeoutMs: 3_000 })).toBe('ready');
    expect(client.boolean('enabled', {}, false)).toBe(true);
    expect(endpoint.requests[0]).toMatchObject({ authorization: 'Bearer good-key', 'x-signalbox-client': 'signalbox-sdk-js/0.1.0' });
    expect(endpoint.requests[0]?.['if-none-match']).toBeUndefined();
    await eventually(() => endpoint.requests.length >= 3);
    expect(endpoint.requests[1]?.['if-none-match']).toBe('"1"');
    expect(client.status).toBe('ready');

    const changes: string[][] = [];
    client.on('change', (keys) => changes.push(keys));
    endpoint.config = { ...anEnvironment([aFlag('enabled').with({ killed: true, version: 2 }).build()]), sequence: 2 };
    await eventually(() => client.sequence === 2);
    expect(client.boolean('enabled', {}, true)).toBe(false);
    expect(changes).toEqual([['enabled']]);
  });

  it('goes offline when polls fail, keeps serving, and recovers', async () => {
    const { endpoint, client } = await setUp();
    await client.waitForReady();
    endpoint.failWith = 503;
    await eventually(() => client.status === 'offline');
    expect(client.boolean('enabled', {}, false)).toBe(true);
    endpoint.failWith = undefined;
    await eventually(() => client.status === 'ready');
  });

  it('stops polling when the key is refused', async () => {
    const { endpoint, client } = await setUp('bad-key');
    expect(await client.waitForReady()).toBe('error');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(endpoint.requests).toHaveLength(1);
  });

  it('aborts a request the server never answers when closed', async () => {
    const { endpoint, client } = await setUp();
    endpoint.hang = true;
    await eventually(() => endpoint.requests.length === 1);
    await client.close();
    await eventually(() => endpoint.abandoned === 1);
  });
});
