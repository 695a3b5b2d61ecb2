import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { aProject, aToken, aUser } from '../builders.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../test-app.js';
import type { JsonNode } from './json-text.js';

/**
 * The server the fuzzer attacks, with something behind every path parameter: projects, flags in
 * every kind, a killed and an archived flag, segments, a trigger, a rollout plan, an experiment, a
 * webhook, users and tokens — and one credential of every kind a caller can present.
 *
 * The fuzzer may change or destroy whatever the pools name (archive and delete flags, rotate SDK
 * keys, revoke tokens, disable users). The resources behind the credentials are kept out of the
 * pools — the SDK key belongs to project `fuzz-keys`, which no pool names — so a credential only
 * stops working when that is the point of it (a revoked SDK key). A session ended by
 * `POST /auth/logout` is signed in again (`renew`).
 */

export const METRICS_TOKEN = 'fuzz-metrics-token-0123456789abcdef';

export interface Credential {
  name: string;
  /** The shell variable a reproduction line uses instead of the secret. */
  shellName?: string;
  /** `cookie` credentials are sent as the session cookie, the rest as a bearer token. */
  as: 'none' | 'bearer' | 'cookie' | 'header';
  secret: string;
  /** Signs in again (sessions only). */
  renew?: () => Promise<void>;
}

export interface FuzzWorld {
  t: TestApp;
  port: number;
  credentials: Credential[];
  /** Values that exist (and some that do not), by `<preceding path segment>/{param}`. */
  pools: Record<string, string[]>;
  /** Values that make sense for body and query fields, by field name. */
  fieldPools: Record<string, Array<string | number | boolean>>;
  /** Plausible values the server must refuse (or survive), by field name. */
  oddFieldValues: Record<string, Array<string | number | boolean>>;
  /** A body the server accepts, by operation id, where the schema cannot say what makes one valid. */
  examples: Record<string, JsonNode>;
  close(): Promise<void>;
}

const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

// Issue 14's corpus: seconds per evaluation on ~27 characters with a backtracking engine.
const CATASTROPHIC_PATTERNS = ['(a|a)*$', '(a|aa)+b', '((a+))+$', '(a{1,})+$', '^([a-z0-9]|[a-z0-9-])*$', '^.*.*.*.*=$'];

export const credentialHeaders = (c: Credential): Record<string, string> =>
  c.as === 'none'
    ? {}
    : c.as === 'cookie'
      ? { Cookie: `signalbox_session=${c.secret}` }
      : c.as === 'header'
        ? { Authorization: c.secret }
        : { Authorization: `Bearer ${c.secret}` };

export const createFuzzWorld = async (): Promise<FuzzWorld> => {
  // Webhook deliveries go to this receiver (loopback is allowed for it) rather than anywhere real.
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const t = await startTestApp({
    listen: true,
    env: { SIGNALBOX_METRICS_TOKEN: METRICS_TOKEN, SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1' },
  });
  const port = Number(new URL(t.url).port);
  const admin = t.admin;
  const ok = async (res: Promise<{ status: number; body: unknown }>, what: string, statuses = [200, 201]) => {
    const r = await res;
    if (!statuses.includes(r.status)) throw new Error(`fuzz world: ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  };
  const post = (path: string, body: unknown) =>
    ok(
      t.http
        .post(path)
        .set(admin)
        .send(body as object),
      `POST ${path}`,
    );
  const patch = (path: string, body: unknown) =>
    ok(
      t.http
        .patch(path)
        .set(admin)
        .send(body as object),
      `PATCH ${path}`,
    );

  const environments = [
    { key: 'development', name: 'Development' },
    { key: 'staging', name: 'Staging' },
    { key: 'production', name: 'Production', requireChangeReason: true },
  ];
  await aProject(t.http, admin, 'fuzz', environments);
  await aProject(t.http, admin, 'fuzz-other', [{ key: 'development', name: 'Development' }]);
  const keys = await aProject(t.http, admin, 'fuzz-keys', [
    { key: 'live', name: 'Live' },
    { key: 'old', name: 'Old' },
  ]);
  const revokedSdkKey = keys.sdkKeys.old!;
  await post('/api/v1/projects/fuzz-keys/environments/old/sdk-key', {});

  const flagsOf = async (project: string, env: string, reason?: string) => {
    const P = `/api/v1/projects/${project}`;
    const why = reason ? { reason } : {};
    await post(`${P}/segments`, {
      key: 'fuzz-seg',
      name: 'Fuzz segment',
      included: ['run-1'],
      rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }] }],
    });
    await post(`${P}/segments`, { key: 'fuzz-free', name: 'Unused segment' });
    await post(`${P}/flags`, { key: 'fuzz.bool', name: 'Bool', kind: 'boolean', tags: ['gpu'] });
    await post(`${P}/flags`, {
      key: 'fuzz.string',
      name: 'Model',
      kind: 'string',
      tags: ['gpu', 'model'],
      variants: ['v1', 'v2', 'v3'].map((v) => ({ key: v, value: `model-${v}` })),
      offVariant: 'v1',
    });
    await post(`${P}/flags`, {
      key: 'fuzz.json',
      name: 'Json',
      kind: 'json',
      variants: [
        { key: 'a', value: { depth: { x: [1, 2] } } },
        { key: 'b', value: [] },
      ],
    });
    await post(`${P}/flags`, {
      key: 'fuzz.number',
      name: 'Number',
      kind: 'number',
      variants: [
        { key: 'low', value: 0.1 },
        { key: 'high', value: 1e6 },
      ],
      lifecycle: 'permanent',
    });
    await post(`${P}/flags`, { key: 'fuzz.killed', name: 'Killed', kind: 'boolean', tags: ['gpu'] });
    await post(`${P}/flags`, { key: 'fuzz.archived', name: 'Archived', kind: 'boolean' });
    await patch(`${P}/flags/fuzz.string/environments/${env}`, {
      version: 0,
      on: true,
      ...why,
      targets: [{ variant: 'v3', values: ['run-1', 'ключ-🚀'] }],
      rules: [
        { clauses: [{ op: 'segment', segments: ['fuzz-seg'] }], serve: { variant: 'v2' } },
        {
          clauses: [
            { attribute: 'pipeline', op: 'matches', values: ['^prod-[a-z]+$'] },
            { attribute: 'rows', op: 'gt', values: [100] },
          ],
          serve: { variant: 'v3' },
        },
        {
          clauses: [
            { attribute: 'version', op: 'semverGt', values: ['1.2.0'] },
            { attribute: 'at', op: 'before', values: ['2030-01-01T00:00:00Z'] },
          ],
          serve: { variant: 'v1' },
        },
      ],
      defaultRule: {
        rollout: {
          bucketBy: 'runId',
          variants: [
            { variant: 'v1', weight: 50_000 },
            { variant: 'v2', weight: 50_000 },
          ],
        },
      },
    });
    await patch(`${P}/flags/fuzz.bool/environments/${env}`, { version: 0, on: true, ...why, prerequisites: [{ flag: 'fuzz.string', variant: 'v2' }] });
    await patch(`${P}/flags/fuzz.json/environments/${env}`, { version: 0, on: true, ...why, defaultRule: { variant: 'a' } });
    await post(`${P}/flags`, { key: 'fuzz.regex', name: 'Patterns', kind: 'boolean' });
    // Patterns that backtrack catastrophically on 'aaaa…!', each kept only if the server accepts it:
    // a server that refuses them at save time is safe, one that stores them must evaluate them fast.
    const accepted: unknown[] = [];
    for (const pattern of CATASTROPHIC_PATTERNS) {
      const config = (await t.http.get(`${P}/flags/fuzz.regex/environments/${env}`).set(admin)).body as { version: number };
      const rule = { clauses: [{ attribute: 'pipeline', op: 'matches', values: [pattern] }], serve: { variant: 'on' } };
      const res = await t.http
        .patch(`${P}/flags/fuzz.regex/environments/${env}`)
        .set(admin)
        .send({ version: config.version, on: true, ...why, rules: [...accepted, rule] });
      if (res.status === 200) accepted.push(rule);
    }
    await post(`${P}/flags/fuzz.killed/environments/${env}/kill`, { reason: 'fuzz world' });
    await post(`${P}/flags/fuzz.archived/archive`, { reason: 'fuzz world' });
  };
  await flagsOf('fuzz', 'production', 'fuzz world');
  await flagsOf('fuzz-keys', 'live');

  const FE = '/api/v1/projects/fuzz/flags/fuzz.string/environments/production';
  const trigger = await post(`/api/v1/projects/fuzz/flags/fuzz.bool/environments/production/triggers`, { name: 'fuzz-alerts', restoreOnResolve: true });
  const plan = await post(`${FE}/rollout-plans`, { candidateVariant: 'v2', controlVariant: 'v1' });
  // An experiment needs a flag of its own: a plan and an experiment never share one.
  await post('/api/v1/projects/fuzz/flags', {
    key: 'fuzz.experiment',
    name: 'Experiment',
    kind: 'string',
    variants: ['v1', 'v2'].map((v) => ({ key: v, value: `model-${v}` })),
    offVariant: 'v1',
  });
  const experiment = await post('/api/v1/projects/fuzz/experiments', {
    key: 'fuzz-exp',
    name: 'Fuzz experiment',
    flag: 'fuzz.experiment',
    environment: 'production',
    controlVariant: 'v1',
    treatmentVariants: ['v2'],
    primaryMetric: { name: 'converted', type: 'rate' },
    minimumDetectableEffect: 0.05,
    baselineRate: 0.1,
  });
  // A change scheduled far ahead, so it is still there (and editable) whenever the fuzzer reaches it.
  const stagingConfig = (await ok(t.http.get('/api/v1/projects/fuzz/flags/fuzz.bool/environments/staging').set(admin), 'read fuzz.bool staging')) as {
    version: number;
  };
  const scheduled = await post('/api/v1/projects/fuzz/flags/fuzz.bool/environments/staging/scheduled-changes', {
    runAt: new Date(Date.now() + 300 * 86_400_000).toISOString(),
    version: stagingConfig.version,
    patch: { on: true },
    reason: 'fuzz',
  });
  // A change request (issue 21) writing development's current config again: harmless if the fuzzer approves and applies it.
  const developmentConfig = (await ok(
    t.http.get('/api/v1/projects/fuzz/flags/fuzz.bool/environments/development').set(admin),
    'read fuzz.bool development',
  )) as {
    version: number;
    on: boolean;
    offVariant: string | null;
    targets: unknown[];
    rules: unknown[];
    defaultRule: unknown;
    prerequisites: unknown[];
  };
  const changeRequest = await post('/api/v1/projects/fuzz/change-requests', {
    kind: 'config',
    flag: 'fuzz.bool',
    environment: 'development',
    baseVersion: developmentConfig.version,
    change: {
      on: developmentConfig.on,
      offVariant: developmentConfig.offVariant,
      targets: developmentConfig.targets,
      rules: developmentConfig.rules,
      defaultRule: developmentConfig.defaultRule,
      prerequisites: developmentConfig.prerequisites,
    },
    reason: 'fuzz',
  });
  const webhook = await post('/api/v1/webhooks', { name: 'fuzz-hook', url: receiverUrl, events: ['flag.changed', 'flag.killed', 'flag.restored'] });

  // Users and tokens the pools name (fair game), and the ones behind credentials (kept out of them).
  const victimToken = await aToken(t.http, admin, 'editor');
  const revokedToken = await aToken(t.http, admin, 'editor');
  await ok(t.http.delete(`/api/v1/tokens/${revokedToken.token.id}`).set(admin), 'revoke token', [204]);

  // One user per role, signed in twice: a bearer session and a cookie session. Password hashing
  // is slow by design, so users and sign-ins run side by side.
  const signIn = async (email: string): Promise<string> =>
    (await ok(t.http.post('/api/v1/auth/login').send({ email, password: 'password-123' }), `login ${email}`)).token as string;
  const sessions = async (role: 'admin' | 'editor' | 'viewer'): Promise<Credential[]> => {
    const user = await aUser(t.http, admin, role);
    const second = await signIn(user.email);
    return (['bearer', 'cookie'] as const).map((as, i) => {
      const credential: Credential = { name: `${role} session (${as})`, shellName: `${role.toUpperCase()}_SESSION`, as, secret: i === 0 ? user.token : second };
      // Best effort: were sign-ins throttled, the session stays ended and later cases see a 401.
      credential.renew = async () => {
        credential.secret = await signIn(user.email).catch(() => credential.secret);
      };
      return credential;
    });
  };
  const token = async (name: string, shellName: string, access: string, scope: { projects?: string[]; environments?: string[] } = {}): Promise<Credential> => ({
    name,
    shellName,
    as: 'bearer',
    secret: (await aToken(t.http, admin, access, scope)).secret,
  });
  const [adminSessions, editorSessions, viewerSessions, victimUser] = await Promise.all([
    sessions('admin'),
    sessions('editor'),
    sessions('viewer'),
    aUser(t.http, admin, 'viewer'),
  ]);

  const credentials: Credential[] = [
    { name: 'no credentials', as: 'none', secret: '' },
    { name: 'garbage bearer', as: 'bearer', secret: 'sbt_not-a-real-token-0000000000000000000000000000' },
    { name: 'malformed Authorization', as: 'header', secret: 'Basic YWRtaW46YWRtaW4=' },
    { name: 'garbage session cookie', as: 'cookie', secret: 'not-a-session' },
    { name: 'admin token', shellName: 'ADMIN_TOKEN', as: 'bearer', secret: ADMIN_TOKEN },
    ...adminSessions,
    ...editorSessions,
    ...viewerSessions,
    await token('viewer API token', 'VIEWER_TOKEN', 'viewer'),
    await token('editor API token', 'EDITOR_TOKEN', 'editor'),
    await token('admin API token', 'ADMIN_API_TOKEN', 'admin'),
    await token('kill-switch token', 'KILL_SWITCH_TOKEN', 'kill-switch'),
    await token('kill-switch token (fuzz/production)', 'SCOPED_KILL_SWITCH_TOKEN', 'kill-switch', { projects: ['fuzz'], environments: ['production'] }),
    await token('kill-switch token (another project)', 'OTHER_KILL_SWITCH_TOKEN', 'kill-switch', { projects: ['fuzz-other'] }),
    { name: 'revoked API token', shellName: 'REVOKED_TOKEN', as: 'bearer', secret: revokedToken.secret },
    { name: 'SDK key', shellName: 'SDK_KEY', as: 'bearer', secret: keys.sdkKeys.live! },
    { name: 'revoked SDK key', shellName: 'REVOKED_SDK_KEY', as: 'bearer', secret: revokedSdkKey },
    { name: 'metrics token', shellName: 'METRICS_TOKEN', as: 'bearer', secret: METRICS_TOKEN },
  ];

  const flagKeys = ['fuzz.bool', 'fuzz.string', 'fuzz.json', 'fuzz.number', 'fuzz.regex', 'fuzz.killed', 'fuzz.archived', 'no.such-flag'];
  const envKeys = ['development', 'staging', 'production', 'nope'];
  const triggerSecret = String(trigger.secret);
  const pools: Record<string, string[]> = {
    'projects/{projectKey}': ['fuzz', 'fuzz-other', 'no-such-project'],
    'environments/{environmentKey}': envKeys,
    'flags/{key}': flagKeys,
    'segments/{key}': ['fuzz-seg', 'fuzz-free', 'no-such-segment'],
    'triggers/{id}': [String((trigger.trigger as { id: string }).id), MISSING_UUID],
    'triggers/{secret}': [triggerSecret, 'sbx_unknown'],
    'rollout-plans/{planId}': [String(plan.id), MISSING_UUID],
    'experiments/{experimentKey}': [String(experiment.key ?? 'fuzz-exp'), 'no-such-experiment'],
    'users/{id}': [victimUser.id, MISSING_UUID],
    'tokens/{id}': [victimToken.token.id, MISSING_UUID],
    'webhooks/{id}': [String((webhook.webhook as { id: string }).id), MISSING_UUID],
    'scheduled-changes/{id}': [String(scheduled.id), MISSING_UUID],
    'change-requests/{number}': [String(changeRequest.number), '4242'],
    'evaluate/{flagKey}': flagKeys,
    'environments/{target}': envKeys,
    'copy-from/{source}': envKeys,
  };
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const fieldPools: FuzzWorld['fieldPools'] = {
    key: ['fuzz.new', 'fuzz-new', 'fuzz.bool', 'fuzz-seg', 'fuzz-exp'],
    flag: flagKeys,
    project: ['fuzz', 'fuzz-other'],
    projectKey: ['fuzz', 'fuzz-other'],
    projects: ['fuzz', 'fuzz-other'],
    environment: envKeys,
    environments: envKeys,
    segments: ['fuzz-seg', 'fuzz-free', 'no-such-segment'],
    variant: ['on', 'off', 'v1', 'v2', 'v3', 'a', 'low'],
    offVariant: ['off', 'v1', 'a'],
    onVariant: ['on', 'v2'],
    candidateVariant: ['v2', 'v3'],
    controlVariant: ['v1'],
    treatmentVariants: ['v2', 'v3'],
    attribute: ['targetingKey', 'runId', 'plan', 'rows', 'version', 'at'],
    bucketBy: ['targetingKey', 'runId'],
    tag: ['gpu', 'model', 'none'],
    tags: ['gpu', 'model'],
    email: [victimUser.email, 'nobody@example.com', 'admin@signalbox.local'],
    password: ['password-123', 'wrong-password'],
    url: [receiverUrl],
    events: ['flag.changed', 'flag.killed'],
    metric: ['model.latency_ms', 'step.duration_ms', 'converted'],
    sdk: ['signalbox-sdk-js/0.1.0'],
    // Kill and restore reasons take any text; evaluation reasons in telemetry are upper-case names.
    reason: ['TARGETING_MATCH', 'DEFAULT'],
    kind: ['shadow.disagreement'],
    version: [0, 1, 2],
    weight: [0, 50_000, 100_000],
    sequence: [0, 1, 5],
    count: [10, 1000],
    errors: [0, 1],
    dropped: [0],
    // The minute the world was made, so a run of a few hours stays within any ingest window.
    windowStart: [new Date(minute - 60_000).toISOString()],
    windowEnd: [new Date(minute).toISOString()],
    values: ['run-1', 'enterprise', 5, '1.2.3', '2030-01-01T00:00:00Z'],
  };
  const examples: FuzzWorld['examples'] = {
    // Histogram counts add up to the series' count, and sum and sumSquares fit the values its
    // bucket holds (bucket 37 = [5.25, 5.5)): beyond what the schema can say.
    'POST /api/v1/sdk/events': {
      sdk: 'signalbox-sdk-js/0.1.0',
      dropped: 0,
      batches: [
        {
          windowStart: new Date(minute - 60_000).toISOString(),
          windowEnd: new Date(minute).toISOString(),
          series: [
            {
              flag: 'fuzz.string',
              variant: 'v2',
              metric: 'model.latency_ms',
              count: 10,
              sum: 53,
              sumSquares: 285,
              errors: 1,
              histogram: { scheme: 'log2-16', buckets: { '37': 10 } },
            },
          ],
          evaluations: [{ flag: 'fuzz.string', variant: 'v2', reason: 'SPLIT', count: 10 }],
        },
      ],
    },
  };
  const oddFieldValues: FuzzWorld['oddFieldValues'] = {
    // Zone ids, IPv4 in IPv6, unreachable ports, documentation and metadata addresses.
    url: [
      'http://127.0.0.1:1/x',
      'https://192.0.2.1/x',
      'http://[::1%25lo]:1/',
      'http://[fe80::1%25eth0]/',
      'http://[::127.0.0.1]:1/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest',
      'http://0/',
      'http://2130706433/',
    ],
    email: ['admin@signalbox.local ', 'ADMIN@SIGNALBOX.LOCAL', 'a@b', '@', 'a@[127.0.0.1]'],
    projectKey: ['no-such-project', ''],
    environments: ['nope', 'PRODUCTION'],
    variant: ['nope', 'ON'],
  };

  // An example that stopped being accepted would quietly turn its attacks into 400s: say so.
  for (const [id, body] of Object.entries(examples)) {
    const [method, path] = id.split(' ') as ['POST', string];
    const credential = path.startsWith('/api/v1/sdk/') ? { Authorization: `Bearer ${keys.sdkKeys.live!}` } : admin;
    await ok(
      t.http[method.toLowerCase() as 'post'](path)
        .set(credential)
        .send(body as object),
      `example for ${id}`,
      [200, 201, 202],
    );
  }

  return {
    t,
    port,
    credentials,
    pools,
    fieldPools,
    oddFieldValues,
    examples,
    close: async () => {
      await t.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
};
