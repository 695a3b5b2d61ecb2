// The 200-flag environment the SDK benches run on: flags with rules on plan and age, segments of
// listed keys or a rule, semver and suffix clauses, individual targets, prerequisites, percentage
// rollouts, a quarter of them multivariate, some off. One neutral model (`model()`), and its
// Signalbox form (`signalboxConfig()`), and each peer's (GrowthBook, LaunchDarkly, Unleash).
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

// The same model in each peer's format.
export function growthbookPayload({ flags, segments }) {
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const attribute = (name) => (name === 'key' ? 'id' : name);
  const condition = (clauses) => {
    const result = {};
    for (const { attribute: name, op, values } of clauses) {
      if (op === 'in') result[attribute(name)] = { $in: values };
      else if (op === 'gte') result[attribute(name)] = { $gte: values[0] };
      else if (op === 'semverGt') result[attribute(name)] = { $vgt: values[0] };
      else if (op === 'endsWith') result[attribute(name)] = { $regex: `${escape(values[0])}$` };
    }
    return result;
  };
  const segmentRule = new Map(segments.map((segment) => [segment.key, condition(segment.rule)]));
  const features = {};
  for (const flag of flags) {
    if (!flag.on) {
      features[flag.key] = { defaultValue: flag.values[flag.off] };
      continue;
    }
    const gate = flag.prerequisite ? { parentConditions: [{ id: flag.prerequisite, condition: { value: true }, gate: true }] } : {};
    const rules = [];
    if (flag.targets) rules.push({ ...gate, condition: { id: { $in: flag.targets.keys } }, force: flag.values[flag.targets.variation] });
    for (const rule of flag.rules) {
      const when = rule.segment ? { $or: [{ id: { $inGroup: rule.segment } }, segmentRule.get(rule.segment)] } : condition(rule.clauses);
      rules.push({ ...gate, condition: when, force: flag.values[rule.variation] });
    }
    rules.push({ ...gate, key: flag.key, variations: flag.values, weights: flag.split.map((weight) => weight / 100_000), hashAttribute: 'id', coverage: 1 });
    features[flag.key] = { defaultValue: flag.values[flag.off], rules };
  }
  const savedGroups = Object.fromEntries(segments.map((segment) => [segment.key, segment.included]));
  return { features, savedGroups };
}

export function launchdarklyData({ flags, segments }) {
  const OPS = { in: 'in', gte: 'greaterThanOrEqual', semverGt: 'semVerGreaterThan', endsWith: 'endsWith' };
  const clause = ({ attribute, op, values }) => ({ attribute, op: OPS[op], values, negate: false });
  return {
    segments: segments.map((segment) => ({
      key: segment.key,
      version: 1,
      salt: `${segment.key}-salt`,
      included: segment.included,
      excluded: [],
      rules: [{ id: `${segment.key}-rule`, clauses: segment.rule.map(clause) }],
    })),
    flags: flags.map((flag) => ({
      key: flag.key,
      version: 1,
      on: flag.on,
      salt: `${flag.key}-salt`,
      variations: flag.values,
      offVariation: flag.off,
      targets: flag.targets ? [{ values: flag.targets.keys, variation: flag.targets.variation }] : [],
      rules: flag.rules.map((rule, index) => ({
        id: `${flag.key}-rule-${index}`,
        clauses: rule.segment ? [{ attribute: 'key', op: 'segmentMatch', values: [rule.segment], negate: false }] : rule.clauses.map(clause),
        variation: rule.variation,
      })),
      fallthrough: { rollout: { variations: flag.split.map((weight, variation) => ({ variation, weight })) } },
      prerequisites: flag.prerequisite ? [{ key: flag.prerequisite, variation: 1 }] : [],
    })),
  };
}

export function unleashBootstrap({ flags, segments }) {
  // Unleash has no ordered rules: each rule becomes a strategy (any matching strategy enables the
  // flag; the first with variants picks the value), and a segment of listed keys or a rule becomes two.
  const OPS = { in: 'IN', gte: 'NUM_GTE', semverGt: 'SEMVER_GT', endsWith: 'STR_ENDS_WITH' };
  const contextName = (name) => (name === 'key' ? 'userId' : name);
  const constraint = ({ attribute, op, values }) =>
    op === 'in' || op === 'endsWith'
      ? { contextName: contextName(attribute), operator: OPS[op], values: values.map(String), inverted: false, caseInsensitive: false }
      : { contextName: contextName(attribute), operator: OPS[op], value: String(values[0]), inverted: false, caseInsensitive: false };
  const segmentIds = new Map(segments.map((segment, i) => [segment.key, i + 1]));
  const variantsOf = (flag, variation) =>
    typeof flag.values[0] === 'string'
      ? [
          {
            name: flag.values[variation],
            weight: 1000,
            weightType: 'variable',
            stickiness: 'default',
            payload: { type: 'string', value: flag.values[variation] },
          },
        ]
      : undefined;
  const strategy = (flag, constraints, variation, extra = {}) => ({
    name: 'default',
    parameters: {},
    constraints,
    ...extra,
    ...(variantsOf(flag, variation) ? { variants: variantsOf(flag, variation) } : {}),
  });
  return {
    segments: segments.map((segment) => ({ id: segmentIds.get(segment.key), constraints: segment.rule.map(constraint) })),
    data: flags.map((flag) => {
      const listed = (keys) => [{ contextName: 'userId', operator: 'IN', values: keys, inverted: false, caseInsensitive: false }];
      const strategies = [];
      if (flag.targets) strategies.push(strategy(flag, listed(flag.targets.keys), flag.targets.variation));
      for (const rule of flag.rules) {
        if (rule.segment) {
          strategies.push(strategy(flag, listed(segments.find((segment) => segment.key === rule.segment).included), rule.variation));
          strategies.push(strategy(flag, [], rule.variation, { segments: [segmentIds.get(rule.segment)] }));
        } else {
          strategies.push(strategy(flag, rule.clauses.map(constraint), rule.variation));
        }
      }
      const multivariate = typeof flag.values[0] === 'string';
      strategies.push({
        name: 'flexibleRollout',
        parameters: { rollout: multivariate ? '100' : String(flag.split[1] / 1000), stickiness: 'userId', groupId: flag.key },
        constraints: [],
        ...(multivariate
          ? {
              variants: flag.values.map((value, i) => ({
                name: value,
                weight: flag.split[i] / 100,
                weightType: 'variable',
                stickiness: 'userId',
                payload: { type: 'string', value },
              })),
            }
          : {}),
      });
      return {
        name: flag.key,
        type: 'release',
        enabled: flag.on,
        stale: false,
        impressionData: false,
        strategies,
        ...(flag.prerequisite ? { dependencies: [{ feature: flag.prerequisite, enabled: true }] } : {}),
      };
    }),
  };
}
