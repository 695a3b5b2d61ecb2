import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { emitToRoom, roomBroadcastStats } from './pre-encoded.js';

describe('emitToRoom: a room broadcast written straight to idle sockets', () => {
  let http: HttpServer | undefined;
  let io: Server | undefined;
  const clients: ClientSocket[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()));
  });

  const start = async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket', 'polling'], serveClient: false });
    const namespace = io.of('/sdk');
    namespace.on('connection', (socket) => void socket.join('env'));
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/sdk`;
    const open = async (transports: string[]) => {
      const client = connect(url, { transports, upgrade: false, forceNew: true, reconnection: false });
      clients.push(client);
      const received: unknown[] = [];
      client.on('m', (value: unknown) => received.push(value));
      await new Promise((resolve) => client.once('connect', resolve));
      return received;
    };
    return { namespace, open };
  };

  it('keeps every socket in order with its own emits, over WebSocket and long-polling, and sends the same data', async () => {
    const { namespace, open } = await start();
    const received = await Promise.all([open(['websocket']), open(['websocket']), open(['websocket']), open(['polling'])]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = { ...roomBroadcastStats };
    const payload = (i: number) => ({ i, nested: { text: 'ü €', list: [1, 2, 3] } });
    for (let i = 0; i < 200; i++) {
      // Now and then a socket gets its own message first: engine.io is then mid-send on it, and the
      // broadcast must queue behind that instead of overtaking it.
      if (i % 7 === 0) for (const socket of namespace.sockets.values()) socket.emit('m', payload(i));
      else emitToRoom(namespace, 'env', 'm', payload(i));
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const expected = Array.from({ length: 200 }, (_, i) => payload(i));
    for (const list of received) await expect.poll(() => list.length, { timeout: 5000 }).toBe(200);
    for (const list of received) expect(list).toEqual(expected);
    // Both ways were taken: straight writes to idle WebSockets, engine.io for the rest (polling, mid-send).
    expect(roomBroadcastStats.direct).toBeGreaterThan(before.direct);
    expect(roomBroadcastStats.engine).toBeGreaterThan(before.engine);
  });

  it('sends nothing for an empty room, and a later broadcast as usual', async () => {
    const { namespace, open } = await start();
    const received = await open(['websocket']);
    emitToRoom(namespace, 'nobody', 'm', 1);
    emitToRoom(namespace, 'env', 'm', 2);
    await expect.poll(() => received).toEqual([2]);
  });
});
