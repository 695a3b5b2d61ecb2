// node bench/propagation/transport.mjs — what one broadcast costs the server per connection, by
// transport, with nothing else in the server process: socket.io (a room emit, as the SDK gateway
// does; socket.io pre-encodes the WebSocket frame once) against plain `ws` (the same bytes sent to
// every socket, and one pre-built frame written to every socket). The clients (plain WebSockets
// speaking just enough of each protocol) live in a worker process. The message is a real change
// of a flag with rules and a rollout (~1 KiB of JSON).
import { fork } from 'node:child_process';
import http from 'node:http';
import { Server } from 'socket.io';
import WebSocket, { WebSocketServer } from 'ws';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const BROADCASTS = 50;

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
    for (let i = 0; i < BROADCASTS; i++) {
      broadcast({ io, wss });
      // Changes come one at a time: the next once the worker has read this one everywhere.
      await reached((i + 1) * CLIENTS);
    }
    const used = process.cpuUsage(before);
    worker.send({ type: 'close' });
    io?.close();
    wss?.close();
    server.close();
    server.closeAllConnections?.();
    return Math.round(((used.user + used.system) / BROADCASTS / CLIENTS) * 100) / 100;
  };

  const results = {
    'socket.io room emit (pre-encoded frame)': await run('socket.io', ({ io }) => io.of('/sdk').to('env').emit('change', change)),
    'ws: JSON once, send() to every socket': await run('ws', ({ wss }) => {
      const data = Buffer.from(JSON.stringify(change));
      for (const client of wss.clients) client.send(data);
    }),
  };
  console.log(`Server CPU per connection per broadcast, ${CLIENTS} connections, ${BROADCASTS} broadcasts (plus two IPC messages per broadcast):`);
  for (const [name, micros] of Object.entries(results)) console.log(`  ${name.padEnd(45)} ${micros} µs`);
  process.exit(0);
}
