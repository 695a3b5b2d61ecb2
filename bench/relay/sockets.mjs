// A worker holding many raw SDK protocol connections (socket.io, as the SDK's transport speaks
// it) to one relay. Each connects with the sequence it already holds, as a fleet reconnecting
// with a cache does; records when each change arrived and acknowledges it, as the SDK does.
import { io } from 'socket.io-client';

const now = () => performance.timeOrigin + performance.now();
const { url, sdkKey, count, sequence, localAddress } = JSON.parse(process.argv[2]);
const seen = new Map(); // sequence -> arrival times
let connected = 0;
let failed = 0;
let dropped = 0;
const sockets = [];

const open = (i) =>
  new Promise((resolve) => {
    const socket = io(`${url}/sdk`, {
      auth: { sdkKey, sequence, client: 'bench-relay' },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(localAddress ? { localAddress: `127.0.0.${2 + (i % 50)}` } : {}),
    });
    const onMessage = (m) => {
      const list = seen.get(m.sequence) ?? [];
      list.push(now());
      seen.set(m.sequence, list);
      socket.emit('ack', { type: 'ack', sequence: m.sequence });
    };
    socket.on('change', onMessage);
    socket.on('disconnect', () => dropped++);
    socket.on('snapshot', onMessage);
    socket.once('connect', () => {
      connected++;
      resolve();
    });
    socket.once('connect_error', () => {
      failed++;
      resolve();
    });
    sockets.push(socket);
  });

// In batches, so the handshake storm stays within what one relay accepts per second.
for (let i = 0; i < count; i += 250) {
  await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, j) => open(i + j)));
}
process.send({ type: 'ready', connected, failed });

process.on('message', async (message) => {
  if (message.type === 'collect') {
    const deadline = Date.now() + 20_000;
    while ((seen.get(message.sequence)?.length ?? 0) < connected - dropped && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const times = seen.get(message.sequence) ?? [];
    process.send({ type: 'times', sequence: message.sequence, last: Math.max(...times), received: times.length, expected: connected, dropped });
  }
  if (message.type === 'close') {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});
