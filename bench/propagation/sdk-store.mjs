// node bench/propagation/sdk-store.mjs — what applying one change costs the SDK's config store
// (apply + commit + reading the changed flag once), without the network, by environment size.
// The environments are bench/startup/flagset.mjs's flags (rules, segments, targets, rollouts),
// repeated with new keys past 200 flags.
import { ConfigStore } from '../../sdk/dist/client/config-store.js';
import { evaluate } from '../../sdk/dist/core/evaluate.js';
import { FLAGS, SEGMENTS } from '../startup/flagset.mjs';

const toConfig = (flag, key) => ({
  key,
  kind: flag.kind,
  salt: `salt-${key}`,
  version: 1,
  variants: flag.variants,
  on: flag.on,
  killed: false,
  offVariant: flag.variants[flag.variants.length - 1].key,
  targets: flag.targets,
  rules: flag.rules.map((r) => ({
    clauses: r.clauses.map((c) => ('segment' in c ? { op: 'segment', segments: [c.segment] } : c)),
    serve:
      'variant' in r.serve
        ? { variant: r.serve.variant }
        : {
            rollout: {
              bucketBy: 'targetingKey',
              variants: [
                { variant: flag.variants[0].key, weight: r.serve.rollout * 1000 },
                { variant: flag.variants[1].key, weight: 100_000 - r.serve.rollout * 1000 },
              ],
            },
          },
  })),
  defaultRule: { variant: flag.variants[0].key },
  prerequisites: [],
});
const segments = SEGMENTS.map((s) => ({ key: s.key, included: s.included, excluded: [], rules: [{ clauses: s.rule }] }));

const CHANGES = 5000;
for (const size of [6, 201, 2000, 10000]) {
  const flags = Array.from({ length: size }, (_, i) => toConfig(FLAGS[i % FLAGS.length], `flag-${i}`));
  const store = new ConfigStore();
  store.apply({ type: 'snapshot', sequence: 1, config: { sequence: 1, flags, segments } });
  store.commit();
  // Every flag evaluated once, as a long-running service would have.
  for (const flag of flags) evaluate(store.compiled, flag.key, { targetingKey: 'u1', country: 'de', plan: 'pro' }, null);
  const probe = flags[size >> 1];
  const run = (n, from) => {
    for (let i = 0; i < n; i++) {
      const sequence = from + i;
      store.apply({ type: 'change', sequence, kind: 'flag', key: probe.key, flag: { ...probe, on: i % 2 === 0, version: sequence } });
      store.commit();
      evaluate(store.compiled, probe.key, { targetingKey: 'u1', country: 'de', plan: 'pro' }, null);
    }
    return from + n;
  };
  const next = run(1000, 2); // warm-up
  const started = process.cpuUsage();
  run(CHANGES, next);
  const used = process.cpuUsage(started);
  console.log(`${String(size).padStart(6)} flags: ${((used.user + used.system) / CHANGES).toFixed(2)} µs per applied change`);
}
