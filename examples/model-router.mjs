// A model router: predictions go to sentiment model v1 or v2 by flag. v2 is first shadowed (it runs
// beside v1, v1 is served, agreement and latencies are recorded), then canaried to 10% of
// customers, with an outcome metric tracked per variant. Prints the per-variant metrics the server
// recorded. Creates its own two flags in the development environment on first use.
//
//   SIGNALBOX_SDK_KEY=sbk_... SIGNALBOX_TOKEN=... npm run example:models
import { createFlags } from '@signalbox/sdk';
import { api, fixed, serverStats, settings, sleep, table } from './lib.mjs';

const config = settings();
const call = api(config);
const ROUTER = 'examples.sentiment-router';
const SHADOW = 'examples.sentiment-v2-shadow';
const base = `/projects/${config.project}/flags`;

const ensureFlag = async (body) => {
  try {
    await call('GET', `${base}/${body.key}`);
  } catch {
    await call('POST', base, body);
  }
};
const configure = async (key, change) => {
  const current = await call('GET', `${base}/${key}/environments/${config.environment}`);
  await call('PATCH', `${base}/${key}/environments/${config.environment}`, { version: current.version, reason: 'model router example', ...change });
};

await ensureFlag({
  key: ROUTER,
  name: 'Sentiment router (example)',
  kind: 'string',
  tags: ['model', 'example'],
  variants: [
    { key: 'v1', value: 'sentiment-v1' },
    { key: 'v2', value: 'sentiment-v2' },
  ],
  offVariant: 'v1',
  onVariant: 'v1',
});
await ensureFlag({ key: SHADOW, name: 'Shadow sentiment v2 (example)', kind: 'boolean', tags: ['model', 'example'] });
await configure(ROUTER, { on: true, defaultRule: { variant: 'v1' } });
await configure(SHADOW, { on: true, defaultRule: { variant: 'on' } });

const flags = createFlags({ url: config.url, sdkKey: config.sdkKey, telemetry: { flushIntervalMs: 1000 } });
if ((await flags.waitForReady({ timeoutMs: 10_000 })) !== 'ready') throw new Error(`the SDK is ${flags.status}`);

// Toy reviews and two toy models: v1 only knows two positive words; v2 weighs every word but is
// a little slower, and slips on some reviews.
const POSITIVE = ['great', 'love', 'fast', 'fine'];
const NEGATIVE = ['awful', 'broken', 'slow', 'refund'];
const WORDS = [...POSITIVE, ...NEGATIVE];
const review = (i) => [WORDS[(i * 5) % 8], WORDS[(i * 3 + 1) % 8], WORDS[(i * 7 + 2) % 8]].join(' ');
const score = (text) => text.split(' ').reduce((sum, w) => sum + (POSITIVE.includes(w) ? 1 : NEGATIVE.includes(w) ? -1 : 0), 0);
const truth = (text) => (score(text) > 0 ? 'positive' : 'negative');
const v1 = async (text) => (await sleep(2), /(great|love)/.test(text) ? 'positive' : 'negative');
const v2 = async (text) => (await sleep(3), score(text) > 0 !== (text.length % 7 === 0) ? 'positive' : 'negative');

console.log('Phase 1: shadow v2 beside v1 for 300 predictions (v1 is served)');
for (let i = 0; i < 300; i++) {
  const text = review(i);
  await flags.shadow(SHADOW, { targetingKey: `customer-${i % 97}` }, { primary: v1, candidate: v2, budgetMs: 200 }, text);
}

console.log('Phase 2: canary v2 to 10% of customers for 600 predictions');
const changed = new Promise((resolve) => flags.client.on(`change:${ROUTER}`, resolve));
await configure(ROUTER, {
  defaultRule: {
    rollout: {
      variants: [
        { variant: 'v1', weight: 90_000 },
        { variant: 'v2', weight: 10_000 },
      ],
    },
  },
});
await changed;
const served = { v1: 0, v2: 0 };
for (let i = 0; i < 600; i++) {
  const text = review(i + 1000);
  const model = flags.route(ROUTER, { targetingKey: `customer-${i}` }, { v1, v2 });
  served[model.variant]++;
  const label = await model.run(text);
  model.track('accuracy', label === truth(text) ? 1 : 0);
}
await flags.close();
console.log(`  served: v1 ${served.v1}, v2 ${served.v2}\n`);

await sleep(500);
const agreement = await serverStats(call, config, SHADOW, 'shadow.agreement');
const primary = await serverStats(call, config, SHADOW, 'shadow.primary_ms');
const candidate = await serverStats(call, config, SHADOW, 'shadow.candidate_ms');
console.log('Shadow, as recorded by the server:');
table(
  [{ samples: agreement[0]?.count ?? 0, agreement: agreement[0]?.mean, p95v1: primary[0]?.p95, p95v2: candidate[0]?.p95 }],
  [
    ['samples', (r) => r.samples],
    ['agreement', (r) => (r.agreement == null ? '—' : `${(r.agreement * 100).toFixed(1)}%`)],
    ['v1 p95 ms', (r) => fixed(2)(r.p95v1)],
    ['v2 p95 ms', (r) => fixed(2)(r.p95v2)],
  ],
);
console.log('\nCanary, per variant, as recorded by the server:');
const latency = await serverStats(call, config, ROUTER, 'model.latency_ms');
const accuracy = await serverStats(call, config, ROUTER, 'accuracy');
table(
  latency.map((l) => ({ ...l, accuracy: accuracy.find((a) => a.variant === l.variant) })),
  [
    ['variant', (r) => r.variant],
    ['predictions', (r) => r.count],
    ['mean ms', (r) => fixed(2)(r.mean)],
    ['p95 ms', (r) => fixed(2)(r.p95)],
    ['accuracy', (r) => (r.accuracy ? `${(r.accuracy.mean * 100).toFixed(1)}%` : '—')],
  ],
);
