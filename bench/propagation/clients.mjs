// A worker that holds many SDK clients and reports, per change, when each client saw it.
import { createClient } from '@signalbox/sdk';

const now = () => performance.timeOrigin + performance.now();
const { url, sdkKey, count, flag } = JSON.parse(process.argv[2]);
const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
const clients = [];
const seen = new Map(); // version -> array of times

for (let i = 0; i < count; i++) {
  const client = createClient({ url, sdkKey, logger: quiet });
  client.on(`change:${flag}`, () => {
    const version = client.details(flag, { targetingKey: 'x' }, false).value === true ? 'on' : 'off';
    const at = now();
    const list = seen.get(client.sequence) ?? [];
    list.push(at);
    seen.set(client.sequence, list);
    void version;
  });
  clients.push(client);
  // Stagger connections (1,000 a second per worker): each new client gets a snapshot of the whole
  // environment, and a storm of them would time out; the bench is about changes, not reconnects.
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 100));
}
await Promise.all(clients.map((c) => c.waitForReady({ timeoutMs: 120_000 })));
const statuses = {};
for (const c of clients) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
process.send({ type: 'ready', ready: statuses.ready ?? 0, statuses });

process.on('message', async (message) => {
  if (message.type === 'collect' && message.sequence === -1) {
    process.send({ type: 'times', sequence: -1, times: [], missing: 0, cpu: process.cpuUsage() });
    return;
  }
  if (message.type === 'collect') {
    const deadline = Date.now() + 10_000;
    while ((seen.get(message.sequence)?.length ?? 0) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const times = seen.get(message.sequence) ?? [];
    process.send({ type: 'times', sequence: message.sequence, times, missing: count - times.length, cpu: process.cpuUsage() });
  }
  if (message.type === 'close') {
    await Promise.all(clients.map((c) => c.close()));
    process.exit(0);
  }
});
