// The Python SDK part of the fleet (when python3 exists): each client is a child process running
// python-client.py, which prints what its SignalboxClient holds as JSON lines.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { onCleanup } from './cleanup.mjs';
import { ObservedClient } from './observed-client.mjs';
import { pidAlive } from './proc.mjs';

const DRIVER = path.join(import.meta.dirname, 'python-client.py');

export const hasPython = () => spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Starts `count` Python clients alternating over `instances`. Their exits land in `exits` (the
 * run's record of every process exit), marked as caused by the harness only after `close()`.
 */
export const startPythonFleet = ({ instances, sdkKey, count, maxRetryDelayMs, exits, timeline }) => {
  const observed = [];
  const children = [];
  let closing = false;
  for (let i = 0; i < count; i++) {
    const instance = instances[i % instances.length];
    const watch = new ObservedClient(`python-${i}`, instance, 'python-sse');
    const args = [DRIVER, instance.url, sdkKey, maxRetryDelayMs ? String(maxRetryDelayMs / 1000) : ''];
    const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = [];
    let pending = '';
    child.stdout.on('data', (chunk) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop();
      for (const line of parts) {
        let state;
        try {
          state = JSON.parse(line);
        } catch {
          continue;
        }
        if (watch.closed) continue;
        const time = Math.round(state.time * 1000);
        watch.observeSequence(state.sequence, time, `python ${state.how}`);
        watch.observeStatus(state.status, time);
        watch.connected = state.streaming === true && state.status === 'ready';
        watch.flags = new Map(Object.entries(state.flags).map(([key, [version, weight]]) => [key, { version, weight }]));
        if (state.how === 'status') watch.event(`status ${state.status} (transport ${state.transport})`, time);
      }
    });
    child.stderr.on('data', (chunk) => {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 50) lines.shift();
        watch.event(`stderr: ${line.slice(0, 300)}`);
      }
    });
    child.on('exit', (code, signal) => {
      exits.push({
        instance: watch.id,
        pid: child.pid,
        code,
        signal,
        at: Date.now(),
        causedByHarness: closing,
        reason: closing ? 'closed by the harness' : undefined,
        output: lines.slice(-10),
      });
      if (!closing) {
        timeline.note(`${watch.id} (Python SDK) exited by itself (${signal ?? code})`, 'unexpected');
        watch.event(`process exited by itself (${signal ?? code})`);
        watch.connected = false;
      }
      watch.stopObserving();
    });
    observed.push(watch);
    children.push(child);
  }
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.pid && pidAlive(child.pid)) child.kill('SIGKILL');
  };
  onCleanup(
    'Python SDK clients',
    async () => {
      closing = true;
      killAll();
    },
    killAll,
  );
  return {
    observed,
    async close() {
      closing = true;
      observed.forEach((w) => w.stopObserving());
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.stdin.end();
            }),
        ),
      );
    },
  };
};
