// What an operator would look at, sampled through the run: /readyz and /metrics of every running
// instance, and the LISTEN sessions each holds on PostgreSQL. The report says, per fault, what
// they showed while it lasted and shortly after.
import { request } from './api.mjs';
import { listenSessions } from './listen-sessions.mjs';

const PROBE_EVERY_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

/** signalbox_* series of a Prometheus text answer, minus process/runtime metrics and histogram buckets. */
export const parseMetrics = (text) => {
  const values = {};
  for (const line of (text ?? '').split('\n')) {
    if (!line.startsWith('signalbox_') || /^signalbox_(process|nodejs)_/.test(line) || /_bucket\{/.test(line)) continue;
    const space = line.lastIndexOf(' ');
    // One environment in this test: its id adds nothing to a series name.
    const series = line
      .slice(0, space)
      .replace(/environment="[^"]*",?/, '')
      .replace('{}', '');
    values[series] = Number(line.slice(space + 1));
  }
  return values;
};

export const startProbes = ({ instances, postgres, metricsToken }) => {
  const samples = [];
  const listens = [];
  let stopped = false;
  let busy = false;

  const probeInstance = async (instance) => {
    if (!instance.running) return;
    const time = Date.now();
    const [ready, metrics] = await Promise.all([
      request(instance.url, 'GET', '/readyz', { timeoutMs: PROBE_TIMEOUT_MS }),
      request(instance.url, 'GET', '/metrics', { timeoutMs: PROBE_TIMEOUT_MS, token: metricsToken }),
    ]);
    samples.push({
      time,
      instance: instance.name,
      readyz: ready.status || 'no answer',
      readyzBody: ready.status && ready.status !== 200 ? ready.text?.slice(0, 200) : undefined,
      metrics: metrics.status === 200 ? parseMetrics(metrics.text) : undefined,
    });
  };

  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      await Promise.all(instances.map(probeInstance));
      if (!postgres.frozen) {
        const time = Date.now();
        await listenSessions(postgres, instances).then(
          (sessions) => listens.push({ time, ...sessions }),
          (err) => listens.push({ time, error: err.message }),
        );
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), PROBE_EVERY_MS);
  void tick();

  return {
    samples,
    listens,
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
};

const countBy = (list) => {
  const counts = new Map();
  for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${value}×${n}`).join(' ');
};

/** Per instance: /readyz answers and the range of each delivery/LISTEN metric within [from, to]. */
export const summariseWindow = (probes, from, to) => {
  const lines = [];
  const inWindow = probes.samples.filter((s) => s.time >= from && s.time <= to);
  for (const name of [...new Set(inWindow.map((s) => s.instance))].sort()) {
    const mine = inWindow.filter((s) => s.instance === name);
    const ranges = {};
    for (const sample of mine) {
      for (const [series, value] of Object.entries(sample.metrics ?? {})) {
        if (!/listen|behind|connected_sdks|relay_lag_seconds_count|ready|unavailable|draining/.test(series)) continue;
        const range = (ranges[series] ??= { min: value, max: value });
        range.min = Math.min(range.min, value);
        range.max = Math.max(range.max, value);
      }
    }
    const metricText = Object.entries(ranges)
      .map(([series, { min, max }]) => `${series.replace(/^signalbox_/, '')} ${min === max ? min : `${min}..${max}`}`)
      .join(', ');
    const notReady = mine.find((s) => s.readyzBody)?.readyzBody;
    lines.push(
      `${name}: /readyz ${countBy(mine.map((s) => s.readyz))}${notReady ? ` (e.g. ${notReady.replace(/\s+/g, ' ')})` : ''}${metricText ? `; ${metricText}` : ''}`,
    );
  }
  const listenSamples = probes.listens.filter((l) => l.time >= from && l.time <= to && !l.error);
  if (listenSamples.length > 0) {
    const per = listenSamples.map((l) =>
      Object.entries(l.byInstance)
        .map(([n, c]) => `${n.replace('instance ', '')}=${c}`)
        .join('/'),
    );
    lines.push(`LISTEN sessions (per instance): ${[...new Set(per)].join(', ')}`);
  }
  return lines;
};
