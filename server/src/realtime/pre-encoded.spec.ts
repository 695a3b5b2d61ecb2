import { spawn } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { emitToRoom, roomBroadcastStats } from './pre-encoded.js';

/** Connects N socket.io clients to argv[1] and prints, per message, which client got which `i` and whether its text was whole. */
const READER = `
import { io } from 'socket.io-client';
const [url, count] = process.argv.slice(1);
let joined = 0;
for (let c = 0; c < Number(count); c++) {
  const client = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  client.on('connect', () => { if (++joined === Number(count)) console.log('ready'); });
  client.on('m', ({ i, text }) => {
    const until = Date.now() + 5; // a slow reader: the send buffers fill
    while (Date.now() < until);
    const intact = text.length === 1024 * 1024 && text === String.fromCharCode(97 + (i % 26)).repeat(text.length);
    console.log(JSON.stringify({ client: String(c), i, intact }));
  });
}
`;

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
    return { namespace, open, url };
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

  it('keeps frames whole and in order when the kernel takes only part of one (a full send buffer)', async () => {
    const { namespace, url } = await start();
    // The clients live in another process, so they read while the server's loop below is still
    // writing: the kernel frees room in a send buffer while the rest of a cut-short frame still
    // waits in libuv, and a later frame written straight to the descriptor would overtake it.
    const child = spawn(process.execPath, ['--input-type=module', '-e', READER, url, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    child.stdout.setEncoding('utf8');
    let pending = '';
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      lines.push(...parts);
    });
    await expect.poll(() => lines.includes('ready'), { timeout: 10_000 }).toBe(true);
    const before = { ...roomBroadcastStats };
    // 60 frames of 1 MiB, 1 ms apart, in one synchronous loop (libuv cannot flush what it holds
    // until the loop ends), two of them each socket's own emit.
    const payload = (i: number) => ({ i, text: String.fromCharCode(97 + (i % 26)).repeat(1024 * 1024) });
    for (let i = 0; i < 60; i++) {
      if (i === 50 || i === 55) for (const socket of namespace.sockets.values()) socket.emit('m', payload(i));
      else emitToRoom(namespace, 'env', 'm', payload(i));
      const until = performance.now() + 1;
      while (performance.now() < until);
    }
    await expect.poll(() => lines.filter((line) => line.startsWith('{')).length, { timeout: 30_000 }).toBe(120);
    child.kill();
    const bySocket = new Map<string, number[]>();
    for (const line of lines.filter((l) => l.startsWith('{'))) {
      const { client, i, intact } = JSON.parse(line) as { client: string; i: number; intact: boolean };
      expect(intact).toBe(true);
      bySocket.set(client, [...(bySocket.get(client) ?? []), i]);
    }
    expect([...bySocket.values()]).toEqual([Array.from({ length: 60 }, (_, i) => i), Array.from({ length: 60 }, (_, i) => i)]);
    expect(roomBroadcastStats.partial).toBeGreaterThan(before.partial);
  });

  it('sends nothing for an empty room, and a later broadcast as usual', async () => {
    const { namespace, open } = await start();
    const received = await open(['websocket']);
    emitToRoom(namespace, 'nobody', 'm', 1);
    emitToRoom(namespace, 'env', 'm', 2);
    await expect.poll(() => received).toEqual([2]);
  });
});
