// How many LISTEN sessions each instance holds on the private cluster: PostgreSQL says which
// sessions are LISTEN sessions and from which client port; /proc says which process owns that port.
import fs from 'node:fs';

/** Local TCP ports of `pid`'s sockets connected to `remotePort` on this host (from /proc). */
const localPortsTo = (pid, remotePort) => {
  const inodes = new Set();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match) inodes.add(match[1]);
      } catch {
        // Closed while we looked.
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = parseInt(cols[1].split(':').pop(), 16);
      const remote = parseInt(cols[2].split(':').pop(), 16);
      if (remote === remotePort && inodes.has(cols[9])) ports.add(local);
    }
  }
  return ports;
};

/**
 * { total, byInstance: { 'instance A': n, ... }, unattributed } — sessions of the servers'
 * database that LISTEN. Throws when PostgreSQL does not answer.
 */
export const listenSessions = async (postgres, instances) => {
  const { rows } = await postgres.query(
    // A session that names itself signalbox-listen (servers that probe their LISTEN session), or
    // whose last statement was LISTEN (servers that only ever send LISTEN on it).
    `SELECT client_port FROM pg_stat_activity
      WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND (application_name = 'signalbox-listen' OR query ~* '^\\s*LISTEN')`,
    [postgres.database],
  );
  const byInstance = {};
  let attributed = 0;
  for (const instance of instances) {
    if (!instance.pid) {
      byInstance[instance.name] = 0;
      continue;
    }
    const ports = localPortsTo(instance.pid, postgres.port);
    byInstance[instance.name] = rows.filter((r) => ports.has(r.client_port)).length;
    attributed += byInstance[instance.name];
  }
  return { total: rows.length, byInstance, unattributed: rows.length - attributed };
};
