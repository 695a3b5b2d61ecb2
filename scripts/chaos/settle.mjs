// After the last fault: wait until every client equals the database (or the bound passes), then
// ask every instance's /delivery whether it counts exactly the connections the harness holds.
import { sleep } from './proc.mjs';

const atDatabase = (client, db) => client.sequence === db.head && client.differences(db.flags).length === 0;

/**
 * Waits until every client holds the database's head and flag values, at most `boundMs` after the
 * last fault (or after the writer's last change, should it have needed longer than the fault plan:
 * clients cannot hold a change before it is written). Resolves with { converged, times (ms after
 * the last fault, per converged client), boundMs }.
 */
export const waitForConvergence = async ({ clients, db, lastFaultEnd, writerDoneAt, boundMs }) => {
  const deadline = Math.max(lastFaultEnd, writerDoneAt ?? 0) + boundMs;
  for (;;) {
    const pending = clients.filter((c) => !atDatabase(c, db));
    if (pending.length === 0 || Date.now() >= deadline) break;
    await sleep(100);
  }
  const times = clients.filter((c) => atDatabase(c, db)).map((c) => Math.max(0, (c.reachedAt(db.head) ?? Date.now()) - lastFaultEnd));
  return { converged: times.length === clients.length, times, boundMs, settledAt: Date.now() };
};

const describeHeld = (clients) => {
  const byTransport = new Map();
  for (const c of clients.filter((c) => c.connected && !c.closed)) byTransport.set(c.transport, (byTransport.get(c.transport) ?? 0) + 1);
  return [...byTransport].map(([t, n]) => `${n} ${t}`).join(', ') || 'none';
};

/**
 * Polls GET .../delivery (admin) on every running instance for up to `timeoutMs` until each says
 * connected = the push connections the harness holds, confirmed = connected, sequence = head.
 */
export const checkDelivery = async ({ api, instances, clients, project, environment, head, timeoutMs = 10_000 }) => {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    const expected = clients.filter((c) => c.connected && !c.closed).length;
    last = [];
    for (const instance of instances.filter((i) => i.running)) {
      const answer = await api.get(instance.url, `/projects/${project}/environments/${environment}/delivery`, { timeoutMs: 5_000 });
      const body = answer.body ?? {};
      const ok = answer.status === 200 && body.connected === expected && body.confirmed === expected && body.sequence === head;
      last.push({ instance: instance.name, ok, expected, status: answer.status || answer.error, body });
    }
    if ((last.length > 0 && last.every((r) => r.ok)) || Date.now() >= deadline) break;
    await sleep(250);
  }
  const held = describeHeld(clients);
  const text = last
    .map((r) =>
      r.status === 200
        ? `${r.instance}: connected ${r.body.connected}, confirmed ${r.body.confirmed}, sequence ${r.body.sequence}`
        : `${r.instance}: ${r.status}`,
    )
    .join('; ');
  const expected = last[0]?.expected ?? 0;
  return {
    ok: last.length > 0 && last.every((r) => r.ok),
    detail: `${text} — the harness holds ${expected} push connections (${held}), head ${head}${last.every((r) => r.ok) ? '' : `, still so after ${timeoutMs / 1000} s`}`,
    answers: last,
  };
};
