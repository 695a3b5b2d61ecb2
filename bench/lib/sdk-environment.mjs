// The 200-flag environment the SDK benches run on: flags with rules on plan and age, segments of
// listed keys or a rule, semver and suffix clauses, individual targets, prerequisites, percentage
// rollouts, a quarter of them multivariate, some off. One neutral model (`model()`), and its
// Signalbox form (`signalboxConfig()`); bench/startup/sdk-cold.mjs translates the model for the peers.
export const FLAG_COUNT = 200;
export const SEGMENT_COUNT = 10;

export function model() {
  const segments = Array.from({ length: SEGMENT_COUNT }, (_, i) => ({
    key: `segment-${i}`,
    included: Array.from({ length: 20 }, (_, j) => `user-${i * 100 + j}`),
    rule: [
      { attribute: 'plan', op: 'in', values: ['enterprise'] },
      { attribute: 'country', op: 'in', values: ['de', 'fr', 'nl'] },
    ],
  }));
  const flags = Array.from({ length: FLAG_COUNT }, (_, i) => {
    const multivariate = i % 4 === 3;
    const values = multivariate ? ['v1', 'v2', 'v3'] : [false, true];
    const [no, yes] = [0, 1]; // v1 / false, v2 / true
    const rules = [
      {
        clauses: [
          { attribute: 'plan', op: 'in', values: ['pro', 'enterprise'] },
          { attribute: 'age', op: 'gte', values: [18] },
        ],
        variation: yes,
      },
    ];
    if (i % 3 === 0) rules.push({ segment: `segment-${i % SEGMENT_COUNT}`, variation: multivariate ? 2 : yes });
    if (i % 7 === 0) {
      rules.unshift({
        clauses: [
          { attribute: 'appVersion', op: 'semverGt', values: ['2.3.0'] },
          { attribute: 'email', op: 'endsWith', values: ['@example.org'] },
        ],
        variation: no,
      });
    }
    return {
      key: `flag-${i}`,
      values,
      on: i % 13 !== 5,
      off: no,
      targets: i % 5 === 0 ? { variation: multivariate ? 2 : yes, keys: Array.from({ length: 10 }, (_, j) => `user-${j * 7 + 1000}`) } : undefined,
      rules,
      // Weights in thousandths of a percent, one per value.
      split: multivariate ? [50_000, 30_000, 20_000] : [80_000, 20_000],
      // On a boolean flag: it must serve true.
      prerequisite: i % 11 === 0 && i > 0 && (i - 1) % 4 !== 3 ? `flag-${i - 1}` : undefined,
    };
  });
  return { flags, segments };
}

export function signalboxConfig({ flags, segments }) {
  const variantKey = (flag, index) => (typeof flag.values[index] === 'string' ? flag.values[index] : flag.values[index] ? 'on' : 'off');
  const clause = ({ attribute, op, values }) => ({ attribute, op, values });
  return {
    sequence: 1,
    segments: segments.map((segment) => ({ key: segment.key, included: segment.included, excluded: [], rules: [{ clauses: segment.rule.map(clause) }] })),
    flags: flags.map((flag) => ({
      key: flag.key,
      kind: typeof flag.values[0] === 'string' ? 'string' : 'boolean',
      salt: `${flag.key}-salt`,
      variants: flag.values.map((value, index) => ({ key: variantKey(flag, index), value })),
      version: 1,
      on: flag.on,
      killed: false,
      offVariant: variantKey(flag, flag.off),
      targets: flag.targets ? [{ variant: variantKey(flag, flag.targets.variation), values: flag.targets.keys }] : [],
      rules: flag.rules.map((rule, index) => ({
        id: `${flag.key}-rule-${index}`,
        clauses: rule.segment ? [{ op: 'segment', segments: [rule.segment] }] : rule.clauses.map(clause),
        serve: { variant: variantKey(flag, rule.variation) },
      })),
      defaultRule: { rollout: { bucketBy: 'targetingKey', variants: flag.split.map((weight, index) => ({ variant: variantKey(flag, index), weight })) } },
      prerequisites: flag.prerequisite ? [{ flag: flag.prerequisite, variant: 'on' }] : [],
    })),
  };
}
