// node bench/propagation/transport.mjs (after `node scripts/build.mjs`: it loads the server's
// emitToRoom from server/dist) — what one broadcast costs the server per connection, by
// transport, with nothing else in the server process:
//   - socket.io's room emit (socket.io pre-encodes the WebSocket frame once, then hands it to each
//     socket through engine.io), what the SDK gateway did before;
//   - the gateway's emitToRoom (server/src/realtime/pre-encoded.ts): the same frame written
//     straight to each socket's net.Socket when engine.io and ws have nothing queued for it;
//   - plain `ws`: the same bytes sent to every socket with send(), and one pre-built frame written
//     to every socket.
// The clients (plain WebSockets speaking just enough of each protocol) live in a worker process.
// The message is a real change of a flag with rules and a rollout (~1 KiB of JSON). Variants run
// interleaved, BENCH_ROUNDS times (default 3), and the median per variant is reported; results go
// to bench/results/transport.json (BENCH_TRANSPORT_OUT: another file). BENCH_CLIENTS: connections
// (default 2000); BENCH_VARIANTS: only the variants whose names contain one of these
// comma-separated parts. Profile one: BENCH_VARIANTS='room emit' node --cpu-prof --cpu-prof-dir=DIR bench/propagation/transport.mjs
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import WebSocket, { WebSocketServer } from 'ws';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const BROADCASTS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OUT = process.env.BENCH_TRANSPORT_OUT ?? path.join(import.meta.dirname, '../results/transport.json');

if (process.argv[2] === 'clients') {
  // Worker: opens the connections and counts what arrives.
  const { port, kind, count } = JSON.parse(process.argv[3]);
  let received = 0;
  let expected = Infinity;
  const arrived = () => {
    if (++received >= expected) {
      expected = Infinity;
      process.send({ type: 'reached' });
    }
  };
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const url = kind === 'socket.io' ? `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket` : `ws://127.0.0.1:${port}/ws`;
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      const text = String(data);
      if (kind === 'socket.io') {
        if (text.startsWith('0')) socket.send('40/sdk,');
        else if (text === '2') socket.send('3');
        else if (text.startsWith('42')) arrived();
        else if (text.startsWith('40/sdk')) process.send({ type: 'joined' });
      } else arrived();
    });
    if (kind === 'ws') socket.on('open', () => process.send({ type: 'joined' }));
    sockets.push(socket);
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
  }
  process.on('message', (m) => {
    if (m.type === 'expect') {
      expected = m.total;
      if (received >= expected) {
        expected = Infinity;
        process.send({ type: 'reached' });
      }
    }
    if (m.type === 'close') {
      sockets.forEach((s) => s.terminate());
      process.exit(0);
    }
  });
} else {
  const change = {
    type: 'change',
    sequence: 1234,
    kind: 'flag',
    key: 'bench.propagation',
    flag: {
      key: 'bench.propagation',
      kind: 'boolean',
      salt: 'b0f6c1d2e3',
      on: true,
      killed: false,
      version: 17,
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
      offVariant: 'off',
      targets: [{ variant: 'on', values: ['user-probe-1', 'user-probe-2', 'user-probe-3'] }],
      rules: [
        {
          clauses: [
            { attribute: 'country', op: 'in', values: ['de', 'fr', 'nl'] },
            { attribute: 'plan', op: 'in', values: ['pro', 'team'] },
          ],
          serve: { variant: 'on' },
        },
        {
          clauses: [{ op: 'segment', segments: ['segment-3'] }],
          serve: {
            rollout: {
              bucketBy: 'targetingKey',
              variants: [
                { variant: 'on', weight: 30000 },
                { variant: 'off', weight: 70000 },
              ],
            },
          },
        },
      ],
      defaultRule: {
        rollout: {
          bucketBy: 'targetingKey',
          variants: [
            { variant: 'on', weight: 50000 },
            { variant: 'off', weight: 50000 },
          ],
        },
      },
      prerequisites: [],
    },
  };
  const run = async (kind, broadcast) => {
    const server = http.createServer();
    let io;
    let wss;
    if (kind === 'socket.io') {
      io = new Server(server, { transports: ['websocket'], serveClient: false });
      io.of('/sdk').on('connection', (socket) => socket.join('env'));
    } else {
      wss = new WebSocketServer({ server, path: '/ws' });
    }
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();
    const worker = fork(import.meta.filename, ['clients', JSON.stringify({ port, kind, count: CLIENTS })]);
    let joined = 0;
    await new Promise((resolve) =>
      worker.on('message', (m) => {
        if (m.type === 'joined' && ++joined === CLIENTS) resolve();
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const reached = (total) =>
      new Promise((resolve) => {
        worker.once('message', resolve);
        worker.send({ type: 'expect', total });
      });
    const before = process.cpuUsage();
    const windowStart = process.hrtime.bigint() / 1000n;
    for (let i = 0; i < BROADCASTS; i++) {
      broadcast({ io, wss });
      // Changes come one at a time: the next once the worker has read this one everywhere.
      await reached((i + 1) * CLIENTS);
    }
    const used = process.cpuUsage(before);
    // The broadcast window on the monotonic clock a --cpu-prof profile uses (µs), to read only it.
    if (process.env.BENCH_WINDOW) console.error(`window ${windowStart} ${process.hrtime.bigint() / 1000n}`);
    worker.send({ type: 'close' });
    io?.close();
    wss?.close();
    server.close();
    server.closeAllConnections?.();
    return Math.round(((used.user + used.system) / BROADCASTS / CLIENTS) * 100) / 100;
  };

  const { emitToRoom, roomBroadcastStats } = await import('../../server/dist/src/realtime/pre-encoded.js');
  const variants = {
    'socket.io room emit (pre-encoded frame)': ['socket.io', ({ io }) => io.of('/sdk').to('env').emit('change', change)],
    'socket.io, emitToRoom (frame to each idle socket)': ['socket.io', ({ io }) => emitToRoom(io.of('/sdk'), 'env', 'change', change)],
    'ws: JSON once, send() to every socket': [
      'ws',
      ({ wss }) => {
        const data = Buffer.from(JSON.stringify(change));
        for (const client of wss.clients) client.send(data);
      },
    ],
    'ws: one pre-built frame, write() to every socket': [
      'ws',
      ({ wss }) => {
        const frame = Buffer.concat(
          WebSocket.Sender.frame(Buffer.from(JSON.stringify(change)), { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true }),
        );
        for (const client of wss.clients) client._socket.write(frame);
      },
    ],
  };
  // BENCH_VARIANTS=a,b: only the variants whose names contain one of these (to profile one alone).
  const only = process.env.BENCH_VARIANTS?.split(',');
  for (const name of Object.keys(variants)) if (only && !only.some((part) => name.includes(part))) delete variants[name];
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, [kind, broadcast]] of Object.entries(variants)) samples[name].push(await run(kind, broadcast));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = {
    clients: CLIENTS,
    broadcasts: BROADCASTS,
    rounds: ROUNDS,
    load: os.loadavg().map((n) => Math.round(n * 10) / 10),
    date: new Date().toISOString(),
    // emitToRoom's sockets written directly vs through engine.io (a socket mid-send goes through engine.io).
    emitToRoom: { ...roomBroadcastStats },
    serverCpuPerConnectionPerBroadcastUs: Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, { median: median(xs), runs: xs }])),
  };
  console.log(
    `Server CPU per connection per broadcast, ${CLIENTS} connections, ${BROADCASTS} broadcasts (plus two IPC messages per broadcast), median of ${ROUNDS}:`,
  );
  for (const [name, { median: m, runs }] of Object.entries(results.serverCpuPerConnectionPerBroadcastUs))
    console.log(`  ${name.padEnd(50)} ${m} µs   (${runs.join(', ')})`);
  console.log(`  emitToRoom wrote ${roomBroadcastStats.direct} times straight to the socket, ${roomBroadcastStats.engine} through engine.io`);
  fs.writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  process.exit(0);
}
