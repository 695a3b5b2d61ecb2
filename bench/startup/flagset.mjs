// The same 200 flags and 20 segments, written through each product's own API: Signalbox's
// (/api/v1) and unleash-server's admin API. Deterministic: flag i always gets the same kind,
// targets, rules, rollout and segment use in both products.
export const FLAG_COUNT = 200;
export const SEGMENT_COUNT = 20;
const COUNTRIES = ['de', 'fr', 'us', 'gb', 'jp', 'br', 'in', 'nl', 'se', 'es'];
const PLANS = ['free', 'pro', 'team', 'enterprise'];
const KINDS = ['boolean', 'string', 'json', 'number'];

const pick = (list, i, n) => Array.from({ length: n }, (_, k) => list[(i + k * 3) % list.length]);
const userKeys = (i, n) => Array.from({ length: n }, (_, k) => `user-${i}-${k}`);

/** One flag, described once, independent of either product's format. */
const describeFlag = (i) => {
  const kind = KINDS[i % KINDS.length];
  const variants =
    kind === 'boolean'
      ? [
          { key: 'on', value: true },
          { key: 'off', value: false },
        ]
      : kind === 'string'
        ? [
            { key: 'control', value: 'v1' },
            { key: 'treatment', value: 'v2' },
            { key: 'shadow', value: 'v3' },
          ]
        : kind === 'json'
          ? [
              { key: 'small', value: { batch: 100, retries: 1 } },
              { key: 'large', value: { batch: 1000, retries: 3 } },
            ]
          : [
              { key: 'low', value: 0.1 },
              { key: 'high', value: 0.9 },
            ];
  const [first, second] = variants;
  const rules = [];
  // Every flag has a country/plan rule; some add a version rule, some a segment rule.
  rules.push({
    clauses: [
      { attribute: 'country', op: 'in', values: pick(COUNTRIES, i, 3) },
      { attribute: 'plan', op: 'in', values: pick(PLANS, i, 2) },
    ],
    serve: { variant: second.key },
  });
  if (i % 3 === 0) rules.push({ clauses: [{ attribute: 'appVersion', op: 'semverGt', values: [`2.${i % 10}.0`] }], serve: { rollout: 30 } });
  if (i % 4 === 1) rules.push({ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com', '@signalbox.dev'] }], serve: { variant: first.key } });
  const segment = i % 5 === 0 ? `segment-${i % SEGMENT_COUNT}` : undefined;
  if (segment) rules.push({ clauses: [{ segment }], serve: { variant: second.key } });
  return {
    key: `startup.flag-${String(i).padStart(3, '0')}`,
    kind,
    variants,
    on: i % 10 !== 9,
    targets: i % 2 === 0 ? [{ variant: second.key, values: userKeys(i, 20) }] : [],
    rules,
    // The default: a percentage of targetingKeys get the second variant.
    rolloutPercent: (i * 7) % 100,
  };
};

export const FLAGS = Array.from({ length: FLAG_COUNT }, (_, i) => describeFlag(i));
export const SEGMENTS = Array.from({ length: SEGMENT_COUNT }, (_, s) => ({
  key: `segment-${s}`,
  included: userKeys(1000 + s, 50),
  rule: [
    { attribute: 'country', op: 'in', values: pick(COUNTRIES, s, 2) },
    { attribute: 'plan', op: 'in', values: ['enterprise'] },
  ],
}));

const expectOk = async (res, what) => {
  if (res.ok) return res.status === 204 ? undefined : res.json().catch(() => undefined);
  throw new Error(`${what}: ${res.status} ${await res.text()}`);
};

/** Limits how many requests are in flight at once. */
const inBatches = async (items, size, fn) => {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
};

// ---- Signalbox ---------------------------------------------------------------------------------

export const SIGNALBOX_PROJECT = 'startup';
export const SIGNALBOX_ENV = 'production';

const toSignalboxServe = (serve, flag) => {
  if ('variant' in serve) return { variant: serve.variant };
  const weight = serve.rollout * 1000;
  return {
    rollout: {
      bucketBy: 'targetingKey',
      variants: [
        { variant: flag.variants[1].key, weight },
        { variant: flag.variants[0].key, weight: 100_000 - weight },
      ],
    },
  };
};

/** Creates the project, segments and flags through Signalbox's API; `admin(path, init)` calls /api/v1. */
export const loadSignalbox = async (admin) => {
  const json = (body) => ({ method: 'POST', body: JSON.stringify(body) });
  const created = await expectOk(await admin('/projects', json({ key: SIGNALBOX_PROJECT, name: 'Startup bench' })), 'create project');
  const base = `/projects/${SIGNALBOX_PROJECT}`;
  await inBatches(SEGMENTS, 5, async (s) =>
    expectOk(
      await admin(`${base}/segments`, json({ key: s.key, name: s.key, included: s.included, rules: [{ clauses: s.rule }], reason: 'startup bench' })),
      `segment ${s.key}`,
    ),
  );
  await inBatches(FLAGS, 5, async (flag) => {
    await expectOk(
      await admin(`${base}/flags`, json({ key: flag.key, name: flag.key, kind: flag.kind, variants: flag.variants, tags: ['bench'] })),
      `flag ${flag.key}`,
    );
    const config = {
      version: 0,
      reason: 'startup bench',
      on: flag.on,
      offVariant: flag.variants[flag.variants.length - 1].key,
      targets: flag.targets,
      rules: flag.rules.map((r) => ({
        clauses: r.clauses.map((c) => ('segment' in c ? { op: 'segment', segments: [c.segment] } : c)),
        serve: toSignalboxServe(r.serve, flag),
      })),
      defaultRule: toSignalboxServe({ rollout: flag.rolloutPercent }, flag),
      prerequisites: [],
    };
    await expectOk(
      await admin(`${base}/flags/${flag.key}/environments/${SIGNALBOX_ENV}`, { method: 'PUT', body: JSON.stringify(config) }),
      `config ${flag.key}`,
    );
  });
  const sdkKey = created?.environments?.find?.((e) => e.key === SIGNALBOX_ENV)?.sdkKey ?? created?.sdkKeys?.[SIGNALBOX_ENV];
  return { sdkKey };
};

/** How many flags the bench project holds (checks the load, outside any timed window). */
export const countSignalboxFlags = async (admin) => {
  const res = await admin(`/projects/${SIGNALBOX_PROJECT}/flags`);
  const body = await res.json();
  return (Array.isArray(body) ? body : (body.items ?? body.flags ?? [])).length;
};

// ---- unleash-server -----------------------------------------------------------------------------

export const UNLEASH_ADMIN_TOKEN = '*:*.startup-bench-admin-token';
export const UNLEASH_ENV = 'production';

const UNLEASH_OPERATORS = {
  in: 'IN',
  notIn: 'NOT_IN',
  endsWith: 'STR_ENDS_WITH',
  startsWith: 'STR_STARTS_WITH',
  contains: 'STR_CONTAINS',
  semverGt: 'SEMVER_GT',
  gt: 'NUM_GT',
  lt: 'NUM_LT',
};
const toConstraint = (c) => {
  const operator = UNLEASH_OPERATORS[c.op];
  const single = operator.startsWith('SEMVER') || operator.startsWith('NUM') || operator.startsWith('DATE');
  return {
    contextName: c.attribute,
    operator,
    ...(single ? { value: String(c.values[0]) } : { values: c.values.map(String) }),
    caseInsensitive: false,
    inverted: false,
  };
};
const PAYLOAD_TYPE = { string: 'string', json: 'json', number: 'number' };
const toVariant = (flag, v, weight) => ({
  name: v.key,
  weight,
  weightType: 'variable',
  stickiness: 'default',
  ...(flag.kind === 'boolean' ? {} : { payload: { type: PAYLOAD_TYPE[flag.kind], value: typeof v.value === 'string' ? v.value : JSON.stringify(v.value) } }),
});

/**
 * The same flags as Unleash features in the default project: targets as a `userId IN [...]`
 * strategy, each rule as a constrained strategy (segments attached where the rule uses one), the
 * default as a gradual rollout, variants on the strategies; disabled flags stay off in production.
 */
export const loadUnleash = async (url) => {
  const admin = (path, init = {}) =>
    fetch(`${url}/api/admin${path}`, { ...init, headers: { authorization: UNLEASH_ADMIN_TOKEN, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const json = (body, method = 'POST') => ({ method, body: JSON.stringify(body) });
  for (const name of ['country', 'plan', 'appVersion', 'email']) {
    const res = await admin('/context', json({ name, description: 'startup bench', legalValues: [], stickiness: false }));
    if (!res.ok && res.status !== 409) await expectOk(res, `context field ${name}`);
  }
  const segmentIds = new Map();
  await inBatches(SEGMENTS, 5, async (s) => {
    // An Unleash segment is a list of constraints that must all hold; Signalbox's "these keys, or
    // anyone matching a rule" has no equivalent, so only the rule goes across.
    const created = await expectOk(
      await admin('/segments', json({ name: s.key, description: 'startup bench', constraints: s.rule.map(toConstraint) })),
      `segment ${s.key}`,
    );
    segmentIds.set(s.key, created.id);
  });
  const project = '/projects/default';
  await inBatches(FLAGS, 5, async (flag) => {
    await expectOk(await admin(`${project}/features`, json({ name: flag.key, type: 'release', description: flag.kind })), `feature ${flag.key}`);
    const strategies = `${project}/features/${flag.key}/environments/${UNLEASH_ENV}/strategies`;
    // Boolean flags have no variants in Unleash: a rule serving "on" is a strategy, a rollout its
    // percentage. Other kinds carry variants on each strategy (weights out of 1000).
    const boolean = flag.kind === 'boolean';
    const fixed = (variantKey) => (boolean ? [] : flag.variants.filter((v) => v.key === variantKey).map((v) => toVariant(flag, v, 1000)));
    const split = (percent) =>
      boolean ? [] : [toVariant(flag, flag.variants[1], percent * 10), toVariant(flag, flag.variants[0], 1000 - percent * 10)].filter((v) => v.weight > 0);
    const strategy = (constraints, serve, segments = []) => ({
      name: 'flexibleRollout',
      constraints,
      parameters: { rollout: String('rollout' in serve && boolean ? serve.rollout : 100), stickiness: 'default', groupId: flag.key },
      variants: 'variant' in serve ? fixed(serve.variant) : split(serve.rollout),
      segments,
    });
    for (const target of flag.targets) {
      const constraint = { contextName: 'userId', operator: 'IN', values: target.values, caseInsensitive: false, inverted: false };
      await expectOk(await admin(strategies, json(strategy([constraint], { variant: target.variant }))), `target ${flag.key}`);
    }
    for (const rule of flag.rules) {
      const segment = rule.clauses.find((c) => 'segment' in c)?.segment;
      const constraints = rule.clauses.filter((c) => !('segment' in c)).map(toConstraint);
      await expectOk(await admin(strategies, json(strategy(constraints, rule.serve, segment ? [segmentIds.get(segment)] : []))), `rule ${flag.key}`);
    }
    await expectOk(await admin(strategies, json(strategy([], { rollout: flag.rolloutPercent }))), `default ${flag.key}`);
    if (flag.on) await expectOk(await admin(`${project}/features/${flag.key}/environments/${UNLEASH_ENV}/on`, { method: 'POST' }), `enable ${flag.key}`);
  });
};

export const countUnleashFlags = async (url) => {
  const res = await fetch(`${url}/api/admin/projects/default/features`, { headers: { authorization: UNLEASH_ADMIN_TOKEN } });
  const body = await res.json();
  return (body.features ?? []).length;
};
