// One sender process: `concurrency` keep-alive connections, each posting SDK telemetry requests
// back to back for `durationMs`. Prints one JSON line: what was acknowledged (202) and what those
// requests added up to, so the runner can check the rollups against it.
import http from 'node:http';
import { buildPayload, random } from './payloads.mjs';

const config = JSON.parse(process.argv[2]);
const { url, sdkKey, environmentFlags, concurrency, durationMs, warmupMs, flagsPerSdk, valuesPerSeries, batchesPerRequest, distinctBodies, seed } = config;
const rand = random(seed);
const now = Date.now();

// Bodies are built up front so the sender's own CPU stays small; each is a different SDK's window.
const bodies = Array.from({ length: distinctBodies }, () => {
  const parts = Array.from({ length: batchesPerRequest }, () =>
    buildPayload({
      rand,
      environmentFlags,
      flagsPerSdk,
      valuesPerSeries,
      windowStart: now - 5_000 - Math.floor(rand() * 1000),
      windowEnd: now - Math.floor(rand() * 1000),
    }),
  );
  const payload = { sdk: 'signalbox-sdk-js/bench', batches: parts.flatMap((p) => JSON.parse(p.body).batches), dropped: 0 };
  return {
    body: Buffer.from(JSON.stringify(payload)),
    series: parts.reduce((n, p) => n + p.series, 0),
    evaluationRecords: parts.reduce((n, p) => n + p.evaluationRecords, 0),
    evaluations: parts.reduce((n, p) => n + p.evaluations, 0),
  };
});

const target = new URL('/api/v1/sdk/events', url);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const post = (body) =>
  new Promise((resolve) => {
    const req = http.request(
      target,
      { method: 'POST', agent, headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });

const start = Date.now();
const measureFrom = start + warmupMs;
const end = measureFrom + durationMs;
// The runner samples server CPU and committed rows over [measureFrom, end): it learns them here.
process.stderr.write(`window ${JSON.stringify({ measureFrom, end })}\n`);
const result = { requests: 0, batches: 0, series: 0, evaluations: 0, acked: { requests: 0, batches: 0, evaluations: 0 }, failures: {}, latenciesMs: [] };
let next = 0;
const loop = async () => {
  while (Date.now() < end) {
    const payload = bodies[next++ % bodies.length];
    const sentAt = performance.now();
    const status = await post(payload.body);
    const measured = Date.now() >= measureFrom && Date.now() < end;
    if (status === 202) {
      result.acked.requests += 1;
      result.acked.batches += batchesPerRequest;
      result.acked.evaluations += payload.evaluations;
    } else result.failures[status] = (result.failures[status] ?? 0) + 1;
    if (measured && status === 202) {
      result.requests += 1;
      result.batches += batchesPerRequest;
      result.series += payload.series;
      result.evaluations += payload.evaluations;
      if (result.latenciesMs.length < 20_000) result.latenciesMs.push(performance.now() - sentAt);
    }
  }
};
await Promise.all(Array.from({ length: concurrency }, loop));
agent.destroy();
result.bodyBytes = Math.round(bodies.reduce((n, b) => n + b.body.length, 0) / bodies.length);
result.seriesPerRequest = bodies.reduce((n, b) => n + b.series, 0) / bodies.length;
result.evaluationRecordsPerRequest = bodies.reduce((n, b) => n + b.evaluationRecords, 0) / bodies.length;
process.stdout.write(JSON.stringify(result) + '\n');
