// @vitest-environment node
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient } from '@tanstack/react-query';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLive } from './live';
import { queryKeys } from './queryKeys';

// A real socket.io server standing in for the console namespace: it accepts every subscription.
describe('the live connection, with socket.io-client loaded only when it starts', () => {
  let httpServer: http.Server;
  let io: Server;
  let url = '';
  let connections = 0;

  beforeAll(async () => {
    httpServer = http.createServer();
    io = new Server(httpServer);
    io.of('/console').on('connection', (socket) => {
      connections++;
      socket.on('subscribe', (request: { project: string }, ack: (result: unknown) => void) =>
        ack({ ok: true, project: request.project, environments: ['production'] }),
      );
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/console`;
  });
  afterAll(async () => {
    await io.close();
  });

  const until = async (check: () => boolean, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('opens no connection when closed before the socket.io client has loaded', async () => {
    const before = connections;
    connectLive(new QueryClient(), 'p', url).close();
    // Long enough for the module to load and a handshake to arrive, had one been started.
    await new Promise((r) => setTimeout(r, 500));
    expect(connections).toBe(before);
  });

  it('connects, subscribes and invalidates what a pushed change names', async () => {
    const client = new QueryClient();
    client.setQueryData([...queryKeys.flags('p'), 'list', {}], ['a flag']);
    const before = connections;
    const live = connectLive(client, 'p', url);
    try {
      await until(() => connections === before + 1 && io.of('/console').sockets.size > 0);
      io.of('/console').emit('changed', { kind: 'flag', project: 'p', environment: 'production', key: 'etl.step', sequence: 1, action: null });
      await until(() => client.getQueryState([...queryKeys.flags('p'), 'list', {}])?.isInvalidated === true);
    } finally {
      live.close();
    }
  });
});
