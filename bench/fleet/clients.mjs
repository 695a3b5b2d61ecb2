// A worker holding many SDK clients spread over several servers; it reports, per change, when each
// client saw it, and its own CPU time.
import { createClient } from '@signalbox/sdk';

const now = () => performance.timeOrigin + performance.now();
const { urls, sdkKey, count, offset, flag } = JSON.parse(process.argv[2]);
const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
const clients = [];
const seen = new Map(); // sequence -> times

for (let i = 0; i < count; i++) {
  // Round robin over the targets, continued across workers, as a load balancer would spread them.
  const client = createClient({ url: urls[(offset + i) % urls.length], sdkKey, logger: quiet, telemetry: { send: false } });
  client.on(`change:${flag}`, () => {
    const list = seen.get(client.sequence) ?? [];
    list.push(now());
    seen.set(client.sequence, list);
  });
  clients.push(client);
  // Stagger connections so the handshake storm does not time out.
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50));
}
await Promise.all(clients.map((c) => c.waitForReady({ timeoutMs: 300_000 }).catch(() => {})));
process.send({ type: 'ready', ready: clients.filter((c) => c.status === 'ready').length, memory: process.memoryUsage().heapUsed });

process.on('message', async (message) => {
  if (message.type === 'collect') {
    const deadline = Date.now() + 15_000;
    while (message.sequence >= 0 && (seen.get(message.sequence)?.length ?? 0) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const times = message.sequence >= 0 ? (seen.get(message.sequence) ?? []) : [];
    process.send({ type: 'times', sequence: message.sequence, times, missing: message.sequence >= 0 ? count - times.length : 0, cpu: process.cpuUsage() });
  }
  if (message.type === 'close') {
    await Promise.all(clients.map((c) => c.close()));
    process.exit(0);
  }
});
