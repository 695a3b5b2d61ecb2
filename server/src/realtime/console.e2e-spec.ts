import { histogramIndex } from '@signalbox/sdk';
import { io, type Socket } from 'socket.io-client';
import type TestAgent from 'supertest/lib/agent.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aToken, aUser } from '../../test/builders.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, bearer, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR } from '../auth/principal.js';
import { Database } from '../database/database.service.js';
import { RolloutScheduler } from '../rollouts/rollout-scheduler.service.js';
import { ADMIN_KINDS, type ConsoleChange, type ConsoleRefusal, type ConsoleSubscribeResult, PROJECT_KINDS } from './console.messages.js';

interface ConsoleSocket {
  socket: Socket;
  changes: ConsoleChange[];
  refusals: ConsoleRefusal[];
  subscribe(body: unknown): Promise<ConsoleSubscribeResult>;
  waitFor(predicate: (c: ConsoleChange) => boolean, timeoutMs?: number): Promise<ConsoleChange>;
}

const sockets: Socket[] = [];

/** Connects to the console namespace; rejects with the refusal's data when the handshake is refused. */
const connectConsole = (url: string, credential: { token?: string; cookie?: string; origin?: string }): Promise<ConsoleSocket> =>
  new Promise((resolve, reject) => {
    const extraHeaders: Record<string, string> = {};
    if (credential.cookie) extraHeaders.cookie = `signalbox_session=${credential.cookie}`;
    if (credential.origin) extraHeaders.origin = credential.origin;
    const socket = io(`${url}/console`, {
      auth: credential.token ? { token: credential.token } : {},
      extraHeaders,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const changes: ConsoleChange[] = [];
    const refusals: ConsoleRefusal[] = [];
    const waiters: Array<{ predicate: (c: ConsoleChange) => boolean; resolve: (c: ConsoleChange) => void }> = [];
    socket.on('changed', (change: ConsoleChange) => {
      changes.push(change);
      for (const w of [...waiters]) {
        if (!w.predicate(change)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(change);
      }
    });
    socket.on('subscription-refused', (refusal: ConsoleRefusal) => refusals.push(refusal));
    socket.on('connect_error', (err: Error & { data?: ConsoleRefusal }) => reject(err.data ?? err));
    socket.on('connect', () =>
      resolve({
        socket,
        changes,
        refusals,
        subscribe: (body) => socket.emitWithAck('subscribe', body) as Promise<ConsoleSubscribeResult>,
        waitFor: (predicate, timeoutMs = 5000) => {
          const found = changes.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no matching change within ${timeoutMs} ms; got ${JSON.stringify(changes)}`)), timeoutMs);
            waiters.push({ predicate, resolve: (c) => (clearTimeout(timer), res(c)) });
          });
        },
      }),
    );
  });

afterEach(() => sockets.splice(0).forEach((s) => s.close()));

/** Waits for a change with every field given. */
const heard = (console: ConsoleSocket, expected: Partial<ConsoleChange>, timeoutMs?: number) =>
  console.waitFor((c) => Object.entries(expected).every(([field, value]) => (c as Record<string, unknown>)[field] === value), timeoutMs);

const isAdminKind = (c: ConsoleChange) => (ADMIN_KINDS as readonly string[]).includes(c.kind);
const isProjectKind = (c: ConsoleChange) => (PROJECT_KINDS as readonly string[]).includes(c.kind);

let sentinels = 0;
/**
 * Creates a flag and waits until `console` hears it. One server sends in commit order, so what a
 * console has not heard by then, it will not hear: no sleeping to show that something never came.
 */
const sentinel = async (http: TestAgent, console: ConsoleSocket, project: string) => {
  const key = `sentinel.${++sentinels}`;
  await aBooleanFlag(http, bearer(ADMIN_TOKEN), project, key);
  await heard(console, { kind: 'flag', key, action: 'flag.created' });
};

/** One observation of the control variant a minute ago: the baseline a rollout plan waits for. */
// Control's metrics from just now: a plan's baseline counts nothing from before its flag was created.
const controlBaseline = (flag: string) => {
  const now = Date.now();
  return {
    sdk: 'test/1',
    dropped: 0,
    batches: [
      {
        windowStart: new Date(now).toISOString(),
        windowEnd: new Date(now + 1).toISOString(),
        evaluations: [],
        series: [
          {
            flag,
            variant: 'v1',
            metric: 'model.latency_ms',
            count: 1,
            sum: 20,
            sumSquares: 400,
            errors: 0,
            histogram: { scheme: 'log2-16', buckets: { [histogramIndex(20)]: 1 } },
          },
        ],
      },
    ],
  };
};

const instantStages = [10, 50, 100].map((percent) => ({ percent, minDurationMinutes: 0, minSamples: 0 }));

describe('the console namespace', () => {
  let t: TestApp;
  let sdkKey: string;
  let viewerSession: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const created = await aProject(t.http, t.admin, 'live', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    sdkKey = created.sdkKeys.development!;
    await aProject(t.http, t.admin, 'elsewhere', [{ key: 'development', name: 'Development' }]);
    await aBooleanFlag(t.http, t.admin, 'live', 'live.flag');
    viewerSession = (await aUser(t.http, t.admin, 'viewer')).token;
  });
  afterAll(() => t.close());

  it('refuses a connection without a session or token', async () => {
    await expect(connectConsole(t.url, {})).rejects.toMatchObject({ error: 'UNAUTHENTICATED' });
  });

  it('refuses an unknown session and an SDK key', async () => {
    await expect(connectConsole(t.url, { cookie: 'sbs_not-a-session' })).rejects.toMatchObject({ error: 'UNAUTHENTICATED' });
    await expect(connectConsole(t.url, { token: sdkKey })).rejects.toMatchObject({ error: 'FORBIDDEN', message: expect.stringMatching(/SDK/) });
  });

  it('refuses a kill-switch token, which cannot read projects through the API either', async () => {
    const { secret } = await aToken(t.http, t.admin, 'kill-switch', { projects: ['live'] });
    await t.http
      .get('/api/v1/projects/live/flags')
      .set({ Authorization: `Bearer ${secret}` })
      .expect(403);
    await expect(connectConsole(t.url, { token: secret })).rejects.toMatchObject({ error: 'FORBIDDEN' });
  });

  it("refuses the session cookie when another site's page opens the socket", async () => {
    await expect(connectConsole(t.url, { cookie: viewerSession, origin: 'https://evil.example' })).rejects.toMatchObject({ error: 'FORBIDDEN' });
    const own = await connectConsole(t.url, { cookie: viewerSession, origin: t.url });
    expect(own.socket.connected).toBe(true);
  });

  it('refuses a subscription to a project that does not exist, with an event and the ack', async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project: 'nope' })).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    expect(await console.subscribe({ project: 'live', environment: 'nope' })).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    expect(await console.subscribe({ environment: 'development' })).toMatchObject({
      ok: false,
      error: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^project/),
    });
    expect(console.refusals.map((r) => r.error)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'VALIDATION_FAILED']);
  });

  it("tells a viewer's console which flag changed through the REST API, without the config", async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project: 'live' })).toEqual({ ok: true, project: 'live', environments: ['development', 'production'] });
    const res = await t.http.patch('/api/v1/projects/live/flags/live.flag/environments/production').set(t.admin).send({ version: 0, on: true }).expect(200);
    const change = await console.waitFor((c) => c.key === 'live.flag' && c.sequence !== null);
    expect(change).toEqual({ project: 'live', environment: 'production', kind: 'flag', key: 'live.flag', sequence: expect.any(Number), action: null });
    // The audit log names the same change, with its action.
    expect(await console.waitFor((c) => c.key === 'live.flag' && c.action !== null)).toEqual({
      project: 'live',
      environment: 'production',
      kind: 'flag',
      key: 'live.flag',
      sequence: null,
      action: 'flag.config.updated',
    });
    expect(res.body.version).toBe(1);
  });

  it('sends nothing for a change whose transaction rolled back, and the same change once committed', async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    await console.subscribe({ project: 'live' });
    const database = t.app.get(Database, { strict: false });
    const audit = t.app.get(AuditService, { strict: false });
    const entry = (key: string) => ({ actor: SYSTEM_ACTOR, action: 'flag.updated', resourceType: 'flag' as const, resourceKey: key, projectKey: 'live' });
    // A use case that fails after writing its audit entry, as any later step of a change may.
    await expect(
      database.transaction(async () => {
        await audit.record(entry('rolled.back'));
        throw new Error('a later step of the change failed');
      }),
    ).rejects.toThrow('a later step of the change failed');
    await sentinel(t.http, console, 'live');
    expect(console.changes.filter((c) => c.key === 'rolled.back')).toEqual([]);
    const logged = await t.http.get('/api/v1/audit').query({ flag: 'rolled.back' }).set(t.admin).expect(200);
    expect(logged.body.items).toEqual([]);

    await database.transaction(() => audit.record(entry('committed.change')));
    expect(await heard(console, { key: 'committed.change' })).toEqual({
      project: 'live',
      environment: null,
      kind: 'flag',
      key: 'committed.change',
      sequence: null,
      action: 'flag.updated',
    });
  });

  it('names segment changes in every environment, and keeps other projects out', async () => {
    const console = await connectConsole(t.url, { token: ADMIN_TOKEN });
    await console.subscribe({ project: 'live' });
    await aBooleanFlag(t.http, t.admin, 'elsewhere', 'other.flag');
    await t.http.patch('/api/v1/projects/elsewhere/flags/other.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    await t.http.post('/api/v1/projects/live/segments').set(t.admin).send({ key: 'beta', name: 'Beta', rules: [] }).expect(201);
    await console.waitFor((c) => c.kind === 'segment' && c.environment === 'development');
    await console.waitFor((c) => c.kind === 'segment' && c.environment === 'production');
    expect(console.changes.every((c) => c.project === 'live')).toBe(true);
  });

  it("sends only the subscribed environment's changes when one is named", async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project: 'live', environment: 'development' })).toMatchObject({ ok: true, environments: ['development'] });
    const current = (await t.http.get('/api/v1/projects/live/flags/live.flag').set(t.admin)).body.environments;
    await t.http
      .patch('/api/v1/projects/live/flags/live.flag/environments/production')
      .set(t.admin)
      .send({ version: current.production.version, on: false })
      .expect(200);
    await t.http
      .patch('/api/v1/projects/live/flags/live.flag/environments/development')
      .set(t.admin)
      .send({ version: current.development.version, on: true })
      .expect(200);
    // Both the change log's entry and the audit log's.
    await console.waitFor((c) => c.environment === 'development' && c.sequence !== null);
    await console.waitFor((c) => c.environment === 'development' && c.action === 'flag.config.updated');
    expect(new Set(console.changes.map((c) => c.environment))).toEqual(new Set(['development']));
  });

  it('switches project when subscribing again', async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    await console.subscribe({ project: 'elsewhere' });
    await console.subscribe({ project: 'live' });
    const version = (await t.http.get('/api/v1/projects/elsewhere/flags/other.flag').set(t.admin)).body.environments.development.version;
    await t.http.patch('/api/v1/projects/elsewhere/flags/other.flag/environments/development').set(t.admin).send({ version, on: false }).expect(200);
    const liveVersion = (await t.http.get('/api/v1/projects/live/flags/live.flag').set(t.admin)).body.environments.production.version;
    await t.http.patch('/api/v1/projects/live/flags/live.flag/environments/production').set(t.admin).send({ version: liveVersion, on: true }).expect(200);
    await console.waitFor((c) => c.project === 'live');
    expect(console.changes.filter((c) => c.project === 'elsewhere')).toEqual([]);
  });
});

describe('what consoles hear of changes the change log does not carry', () => {
  let t: TestApp;
  let sdkKey: string;
  let viewerSession: string;
  const P = '/api/v1/projects/audited';
  const plans = (flag: string) => `${P}/flags/${flag}/environments/production/rollout-plans`;

  beforeAll(async () => {
    // Webhooks may name a loopback URL (nothing is delivered in these tests).
    t = await startTestApp({ listen: true, env: { SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1' } });
    sdkKey = (
      await aProject(t.http, t.admin, 'audited', [
        { key: 'development', name: 'Development' },
        { key: 'production', name: 'Production' },
      ])
    ).sdkKeys.production!;
    await aProject(t.http, t.admin, 'bystander', [{ key: 'development', name: 'Development' }]);
    viewerSession = (await aUser(t.http, t.admin, 'viewer')).token;
  });
  afterAll(() => t.close());

  const viewerConsole = async (project = 'audited') => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project })).toMatchObject({ ok: true });
    return console;
  };

  it("tells a viewer's console of a flag created, renamed, archived, unarchived and deleted", async () => {
    const console = await viewerConsole();
    const created = await aBooleanFlag(t.http, t.admin, 'audited', 'meta.flag');
    expect(await heard(console, { key: 'meta.flag', action: 'flag.created' })).toEqual({
      project: 'audited',
      environment: null,
      kind: 'flag',
      key: 'meta.flag',
      sequence: null,
      action: 'flag.created',
    });
    await t.http
      .patch(`${P}/flags/meta.flag`)
      .set(t.admin)
      .send({ version: created.version, name: 'Meta', description: 'edited', tags: ['etl'], owner: 'data-team' })
      .expect(200);
    await heard(console, { key: 'meta.flag', action: 'flag.updated' });
    await t.http.post(`${P}/flags/meta.flag/archive`).set(t.admin).send({}).expect(200);
    await heard(console, { key: 'meta.flag', action: 'flag.archived' });
    await t.http.post(`${P}/flags/meta.flag/unarchive`).set(t.admin).send({}).expect(200);
    await heard(console, { key: 'meta.flag', action: 'flag.unarchived' });
    await t.http.post(`${P}/flags/meta.flag/archive`).set(t.admin).send({}).expect(200);
    await t.http.delete(`${P}/flags/meta.flag`).set(t.admin).expect(204);
    await heard(console, { key: 'meta.flag', action: 'flag.deleted' });
  });

  it('tells of a segment renamed without any config changing, and of triggers', async () => {
    const console = await viewerConsole();
    const segment = await t.http.post(`${P}/segments`).set(t.admin).send({ key: 'vip', name: 'VIP', rules: [] }).expect(201);
    await t.http.patch(`${P}/segments/vip`).set(t.admin).send({ version: segment.body.version, name: 'Very important' }).expect(200);
    expect(await heard(console, { kind: 'segment', key: 'vip', action: 'segment.updated' })).toMatchObject({ project: 'audited', environment: null });
    await aBooleanFlag(t.http, t.admin, 'audited', 'guarded.flag');
    const issued = await t.http.post(`${P}/flags/guarded.flag/environments/production/triggers`).set(t.admin).send({ name: 'alerts' }).expect(201);
    const id = issued.body.trigger.id as string;
    expect(await heard(console, { kind: 'trigger', key: id })).toMatchObject({ environment: 'production', action: 'trigger.created' });
    await t.http.delete(`${P}/flags/guarded.flag/environments/production/triggers/${id}`).set(t.admin).expect(204);
    await heard(console, { kind: 'trigger', key: id, action: 'trigger.deleted' });
  });

  it('tells of every step of a rollout plan: created, started, paused, resumed, advanced, a scheduler step, and an abort that changes no config', async () => {
    const console = await viewerConsole();
    await aStringFlag(t.http, t.admin, 'audited', 'model.ranker', ['v1', 'v2']);
    await t.http.post('/api/v1/sdk/events').set(bearer(sdkKey)).send(controlBaseline('model.ranker')).expect(202);
    const rollout = { kind: 'rollout', project: 'audited', environment: 'production', key: 'model.ranker' } as const;
    const plan = (
      await t.http
        .post(plans('model.ranker'))
        .set(t.admin)
        .send({ candidateVariant: 'v2', controlVariant: 'v1', stages: instantStages, guards: { minSamples: 1 } })
        .expect(201)
    ).body as { id: string; status: string };
    expect(plan.status).toBe('running');
    await heard(console, { ...rollout, action: 'rollout.created' });
    await heard(console, { ...rollout, action: 'rollout.advanced' });
    await t.http
      .post(`${plans('model.ranker')}/${plan.id}/pause`)
      .set(t.admin)
      .send({})
      .expect(200);
    await heard(console, { ...rollout, action: 'rollout.paused' });
    await t.http
      .post(`${plans('model.ranker')}/${plan.id}/resume`)
      .set(t.admin)
      .send({})
      .expect(200);
    await heard(console, { ...rollout, action: 'rollout.resumed' });
    const advancedBefore = console.changes.filter((c) => c.action === 'rollout.advanced').length;
    await t.http
      .post(`${plans('model.ranker')}/${plan.id}/advance`)
      .set(t.admin)
      .send({})
      .expect(200);
    await console.waitFor(() => console.changes.filter((c) => c.action === 'rollout.advanced').length > advancedBefore);

    // The scheduler's own step (to 100%, or back to control if a guard fails): what its timer would do.
    const scheduler = t.app.get(RolloutScheduler);
    scheduler.stop();
    const seen = console.changes.length;
    expect(await scheduler.tick()).toMatchObject({ ran: true });
    const step = await console.waitFor((c) => console.changes.indexOf(c) >= seen && c.kind === 'rollout');
    expect(['rollout.advanced', 'rollout.rolled_back']).toContain(step.action);
    const finished = (
      await t.http
        .get(`${plans('model.ranker')}/${plan.id}`)
        .set(t.admin)
        .expect(200)
    ).body as { status: string };
    expect(['completed', 'rolled-back']).toContain(finished.status);

    // A plan still waiting for its baseline: aborting it changes no config, and no audit entry names it.
    const waiting = (
      await t.http
        .post(plans('model.ranker'))
        .set(t.admin)
        .send({ candidateVariant: 'v2', controlVariant: 'v1', guards: { minSamples: 1000 } })
        .expect(201)
    ).body as { id: string; status: string };
    expect(waiting.status).toBe('waiting-for-baseline');
    await t.http
      .post(`${plans('model.ranker')}/${waiting.id}/abort`)
      .set(t.admin)
      .send({})
      .expect(200);
    await heard(console, { ...rollout, action: 'rollout.rolled_back' });
  });

  it('tells of an experiment created, rolled back and promoted', async () => {
    const console = await viewerConsole();
    await aStringFlag(t.http, t.admin, 'audited', 'model.checkout', ['v1', 'v2']);
    const experiment = (key: string) => ({
      key,
      flag: 'model.checkout',
      environment: 'production',
      controlVariant: 'v1',
      treatmentVariants: ['v2'],
      primaryMetric: { name: 'converted', type: 'rate' },
      minimumDetectableEffect: 0.03,
      baselineRate: 0.1,
    });
    const change = { kind: 'experiment', project: 'audited', environment: 'production', key: 'model.checkout' } as const;
    await t.http.post(`${P}/experiments`).set(t.admin).send(experiment('checkout-a')).expect(201);
    await heard(console, { ...change, action: 'experiment.created' });
    await t.http.post(`${P}/experiments/checkout-a/rollback`).set(t.admin).send({}).expect(200);
    await heard(console, { ...change, action: 'experiment.rolled-back' });
    await t.http.post(`${P}/experiments`).set(t.admin).send(experiment('checkout-b')).expect(201);
    await t.http.post(`${P}/experiments/checkout-b/promote`).set(t.admin).send({ variant: 'v2' }).expect(200);
    await heard(console, { ...change, action: 'experiment.promoted' });
  });

  it('tells every console, whatever project it watches, of projects, environments and SDK keys', async () => {
    const console = await viewerConsole('bystander');
    await aProject(t.http, t.admin, 'newcomer', [{ key: 'development', name: 'Development' }]);
    expect(await heard(console, { kind: 'project', key: 'newcomer' })).toMatchObject({ project: 'newcomer', action: 'project.created' });
    await t.http.post(`${P}/environments`).set(t.admin).send({ key: 'qa', name: 'QA' }).expect(201);
    await heard(console, { kind: 'environment', project: 'audited', key: 'qa', action: 'environment.created' });
    await t.http.post(`${P}/environments/qa/sdk-key`).set(t.admin).expect(201);
    await heard(console, { kind: 'sdk-key', project: 'audited', environment: 'qa', action: 'sdk-key.rotated' });
  });

  it('keeps the changes of one project from the consoles of another', async () => {
    const console = await viewerConsole('bystander');
    await aBooleanFlag(t.http, t.admin, 'audited', 'not.yours');
    await t.http.post(`${P}/flags/not.yours/archive`).set(t.admin).send({}).expect(200);
    await sentinel(t.http, console, 'bystander');
    expect(console.changes.filter((c) => isProjectKind(c) && c.project !== 'bystander')).toEqual([]);
  });

  it('tells admins, and only admins, of users, tokens and webhooks', async () => {
    const admin = await connectConsole(t.url, { token: ADMIN_TOKEN });
    await admin.subscribe({ project: 'bystander' });
    const viewer = await viewerConsole();
    const user = await aUser(t.http, t.admin, 'viewer');
    expect(await heard(admin, { kind: 'user', key: user.email, action: 'user.created' })).toEqual({
      kind: 'user',
      project: null,
      environment: null,
      key: user.email,
      sequence: null,
      action: 'user.created',
    });
    await t.http.patch(`/api/v1/users/${user.id}`).set(t.admin).send({ role: 'editor' }).expect(200);
    await heard(admin, { kind: 'user', key: user.email, action: 'user.updated' });
    const token = await aToken(t.http, t.admin, 'viewer');
    await heard(admin, { kind: 'token', key: 'viewer-token', action: 'token.created' });
    await t.http.delete(`/api/v1/tokens/${token.token.id}`).set(t.admin).expect(204);
    await heard(admin, { kind: 'token', key: 'viewer-token', action: 'token.revoked' });
    const webhook = await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({ name: 'ops-bus', url: 'http://127.0.0.1:9/hook', events: ['flag.changed'], projectKey: 'audited' })
      .expect(201);
    const id = webhook.body.webhook.id as string;
    expect(await heard(admin, { kind: 'webhook', key: id, action: 'webhook.created' })).toMatchObject({ project: 'audited' });
    await t.http.patch(`/api/v1/webhooks/${id}`).set(t.admin).send({ name: 'renamed' }).expect(200);
    await heard(admin, { kind: 'webhook', key: id, action: 'webhook.updated' });
    await t.http.delete(`/api/v1/webhooks/${id}`).set(t.admin).expect(204);
    await heard(admin, { kind: 'webhook', key: id, action: 'webhook.deleted' });

    // The viewer watches the webhook's project, and still hears none of it.
    await sentinel(t.http, viewer, 'audited');
    expect(viewer.changes.filter(isAdminKind)).toEqual([]);
  });

  it('stops telling a demoted admin of users at once, and ends the console of a revoked token', async () => {
    const formerAdmin = await aUser(t.http, t.admin, 'admin');
    const demoted = await connectConsole(t.url, { cookie: formerAdmin.token });
    await demoted.subscribe({ project: 'audited' });
    await t.http.patch(`/api/v1/users/${formerAdmin.id}`).set(t.admin).send({ role: 'viewer' }).expect(200);
    await heard(demoted, { kind: 'user', key: formerAdmin.email, action: 'user.updated' });
    // The role change is checked when it is heard: a user created afterwards must not reach the demoted console.
    const admin = await connectConsole(t.url, { token: ADMIN_TOKEN });
    await aUser(t.http, t.admin, 'viewer');
    await heard(admin, { kind: 'user', action: 'user.created' });
    await sentinel(t.http, demoted, 'audited');
    expect(demoted.changes.filter((c) => isAdminKind(c) && c.action !== 'user.updated')).toEqual([]);

    const token = await aToken(t.http, t.admin, 'viewer');
    const tokenConsole = await connectConsole(t.url, { token: token.secret });
    const refused = new Promise<ConsoleRefusal>((resolve) => tokenConsole.socket.on('refused', resolve));
    const ended = new Promise<string>((resolve) => tokenConsole.socket.on('disconnect', resolve));
    await t.http.delete(`/api/v1/tokens/${token.token.id}`).set(t.admin).expect(204);
    // Well before the minute-long recheck.
    expect(await refused).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect(await ended).toBe('io server disconnect');
  });

  it('ends the console of a user who is disabled, as soon as the change is heard', async () => {
    const user = await aUser(t.http, t.admin, 'editor');
    const open = await connectConsole(t.url, { cookie: user.token });
    await open.subscribe({ project: 'audited' });
    const refused = new Promise<ConsoleRefusal>((resolve) => open.socket.on('refused', resolve));
    const ended = new Promise<string>((resolve) => open.socket.on('disconnect', resolve));
    await t.http.patch(`/api/v1/users/${user.id}`).set(t.admin).send({ disabled: true }).expect(200);
    expect(await refused).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect(await ended).toBe('io server disconnect');
  });

  it('ends the console of an API token once it has expired, saying so, at the next credential check', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const created = await t.http.post('/api/v1/tokens').set(t.admin).send({ name: 'short-lived', access: 'viewer', expiresAt }).expect(201);
    const open = await connectConsole(t.url, { token: created.body.secret as string });
    await open.subscribe({ project: 'audited' });
    const refused = new Promise<ConsoleRefusal>((resolve) => open.socket.on('refused', resolve));
    const ended = new Promise<string>((resolve) => open.socket.on('disconnect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    // Any user or token change makes every console's credentials be checked again (else the minute-long recheck does).
    await aToken(t.http, t.admin, 'viewer');
    expect(await refused).toMatchObject({ error: 'UNAUTHENTICATED', message: expect.stringMatching(/^The API token expired on /) });
    expect(await ended).toBe('io server disconnect');
  });
});

// Several instances share one PostgreSQL server, so this runs only when TEST_DATABASE_URL names one.
describe.runIf(testDatabaseUrl())('the console namespace across two server processes', () => {
  let t: TestApp;
  let second: ServerProcess;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    await aProject(t.http, t.admin, 'multi', [{ key: 'development', name: 'Development' }]);
    await aBooleanFlag(t.http, t.admin, 'multi', 'multi.flag');
    second = await startServerProcess({ DATABASE_URL: t.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY });
  });
  afterAll(async () => {
    await second?.stop();
    await t?.close();
  });

  it('tells a console on one instance of a change made through the other', async () => {
    const console = await connectConsole(second.url, { token: ADMIN_TOKEN });
    expect(await console.subscribe({ project: 'multi' })).toMatchObject({ ok: true });
    await t.http.patch('/api/v1/projects/multi/flags/multi.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    expect(await console.waitFor((c) => c.key === 'multi.flag')).toMatchObject({ kind: 'flag', environment: 'development' });
  });

  it('tells consoles on one instance of audited changes and rollout steps made through the other, each to its audience', async () => {
    const admin = await connectConsole(second.url, { token: ADMIN_TOKEN });
    expect(await admin.subscribe({ project: 'multi' })).toMatchObject({ ok: true });
    const viewer = await connectConsole(second.url, { cookie: (await aUser(t.http, t.admin, 'viewer')).token });
    expect(await viewer.subscribe({ project: 'multi' })).toMatchObject({ ok: true });

    await aBooleanFlag(t.http, t.admin, 'multi', 'multi.created');
    await t.http.post('/api/v1/projects/multi/flags/multi.created/archive').set(t.admin).send({}).expect(200);
    await heard(viewer, { kind: 'flag', key: 'multi.created', action: 'flag.created' });
    await heard(viewer, { kind: 'flag', key: 'multi.created', action: 'flag.archived' });

    const user = await aUser(t.http, t.admin, 'editor');
    await heard(admin, { kind: 'user', key: user.email, action: 'user.created' });

    // A plan aborted before its first stage: announced by the rollouts domain's own transaction, not by the audit log.
    await aStringFlag(t.http, t.admin, 'multi', 'multi.model', ['v1', 'v2']);
    const plans = '/api/v1/projects/multi/flags/multi.model/environments/development/rollout-plans';
    const plan = (await t.http.post(plans).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201)).body as { id: string };
    await heard(viewer, { kind: 'rollout', key: 'multi.model', action: 'rollout.created' });
    await t.http.post(`${plans}/${plan.id}/abort`).set(t.admin).send({}).expect(200);
    await heard(viewer, { kind: 'rollout', key: 'multi.model', action: 'rollout.rolled_back' });

    await sentinel(t.http, viewer, 'multi');
    expect(viewer.changes.filter(isAdminKind)).toEqual([]);
  });
});
