// A flagged ETL flow: extract → transform v1 or v2 (50% of runs, bucketed by runId) → validation
// (gated) → load → notification (gated: production pipelines only). Runs it 200 times, then prints
// how the runs split and the per-variant step durations the server recorded.
//
//   SIGNALBOX_SDK_KEY=sbk_... SIGNALBOX_TOKEN=... npm run example:etl
import { createFlags } from '@signalbox/sdk';
import { api, fixed, serverStats, settings, sleep, table } from './lib.mjs';

const config = settings();
const call = api(config);
const runs = Number(process.env.RUNS ?? 200);
const flags = createFlags({ url: config.url, sdkKey: config.sdkKey, telemetry: { flushIntervalMs: 1000 } });
if ((await flags.waitForReady({ timeoutMs: 10_000 })) !== 'ready') throw new Error(`the SDK is ${flags.status}: is the server up and the SDK key right?`);

const extract = async () => Array.from({ length: 500 }, (_, i) => ({ id: i, amount: (i * 37) % 1000 }));
const transformV1 = async (rows) => (await sleep(4), rows.map((r) => ({ ...r, amountEur: r.amount * 0.92 })));
const transformV2 = async (rows) => (await sleep(2), rows.map((r) => ({ ...r, amountEur: Math.round(r.amount * 92) / 100 })));
const validate = async (rows) => (await sleep(1), rows.filter((r) => r.amountEur >= 0));
const load = async (rows) => rows.length;
const notify = async () => sleep(1);

const split = { transform: { on: 0, off: 0 }, validated: 0, notified: 0 };
const started = Date.now();
for (let i = 1; i <= runs; i++) {
  const pipeline = i % 4 === 0 ? 'prod-daily-revenue' : 'dev-daily-revenue';
  // One run pins one config for all its steps (a kill still pierces the pin).
  const run = flags.pinRun(`run-${started}-${i}`);
  const context = { pipeline };
  const rows = await extract();
  const newTransformer = run.boolean('etl.use-new-transformer', context, false);
  split.transform[newTransformer ? 'on' : 'off']++;
  const transformed = await run.step('etl.use-new-transformer', context, () => transformV2(rows), { fallback: () => transformV1(rows) });
  const valid = await run.step('etl.enable-data-validation', context, () => validate(transformed), { fallback: () => transformed });
  if (run.boolean('etl.enable-data-validation', context, false)) split.validated++;
  await load(valid);
  if (run.boolean('etl.send-notifications', context, false)) split.notified++;
  await run.step('etl.send-notifications', context, notify);
}
await flags.close(); // sends the last batch of metrics

console.log(`\n${runs} runs of the flagged ETL flow`);
console.log(`  transform: v2 (etl.use-new-transformer on) ${split.transform.on}, v1 (off) ${split.transform.off}`);
console.log(`  validation ran in ${split.validated} runs; notifications sent for ${split.notified} production runs\n`);

await sleep(500);
console.log('Step durations recorded by the server (step.duration_ms per variant, last 10 minutes):');
for (const flag of ['etl.use-new-transformer', 'etl.enable-data-validation', 'etl.send-notifications']) {
  const stats = await serverStats(call, config, flag, 'step.duration_ms');
  console.log(`\n${flag}`);
  table(stats, [
    ['variant', (s) => s.variant ?? '-'],
    ['steps', (s) => s.count],
    ['mean ms', (s) => fixed(2)(s.mean)],
    ['p50 ms', (s) => fixed(2)(s.p50)],
    ['p95 ms', (s) => fixed(2)(s.p95)],
    ['errors', (s) => s.errors],
  ]);
}
