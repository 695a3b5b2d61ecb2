import { performance } from 'node:perf_hooks';
import { compileEnvironment, evaluate } from '@signalbox/sdk/core';
import type { ChangeMessage, ServerMessage } from '@signalbox/sdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aToken, aUser } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const ENVIRONMENTS = [
  { key: 'development', name: 'Development' },
  { key: 'staging', name: 'Staging' },
  { key: 'production', name: 'Production', requireChangeReason: true },
];

const killedChange = (key: string) => (m: ServerMessage) => m.type === 'change' && m.kind === 'flag' && m.key === key && m.flag?.killed === true;
const restoredChange = (key: string) => (m: ServerMessage) => m.type === 'change' && m.kind === 'flag' && m.key === key && m.flag?.killed === false;
const withoutVersion = ({ version: _v, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;

describe('kill switch across environments and by tag', () => {
  let t: TestApp;
  let sdkKeys: Record<string, string>;
  const flags = '/api/v1/projects/ops/flags';

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKeys = (await aProject(t.http, t.admin, 'ops', ENVIRONMENTS)).sdkKeys;
    await aProject(t.http, t.admin, 'other');
    await aStringFlag(t.http, t.admin, 'ops', 'model.sentiment');
    // A config worth restoring exactly: on, a target, a rule with a rollout, a default rule.
    for (const env of ['development', 'production']) {
      await t.http
        .put(`${flags}/model.sentiment/environments/${env}`)
        .set(t.admin)
        .send({
          version: 0,
          on: true,
          reason: 'canary',
          offVariant: 'v1',
          targets: [{ variant: 'v3', values: ['batch-7'] }],
          rules: [
            {
              clauses: [{ attribute: 'region', op: 'in', values: ['eu'] }],
              serve: {
                rollout: {
                  bucketBy: 'runId',
                  variants: [
                    { variant: 'v1', weight: 90000 },
                    { variant: 'v2', weight: 10000 },
                  ],
                },
              },
            },
          ],
          defaultRule: { variant: 'v2' },
          prerequisites: [],
        })
        .expect(200);
    }
  });
  afterAll(() => t.close());

  it('kills through a scoped kill-switch token: connected SDKs get the change (reason KILLED) and the response counts their confirmations', async () => {
    const token = await aToken(t.http, t.admin, 'kill-switch', { projects: ['ops'], environments: ['production'] });
    const sdk = await connectSdk(t.url, sdkKeys.production!);
    const second = await connectSdk(t.url, sdkKeys.production!);
    await Promise.all([sdk.waitFor((m) => m.type === 'snapshot'), second.waitFor((m) => m.type === 'snapshot')]);

    const started = performance.now();
    let seenAfterMs = -1;
    const seen = sdk.waitFor(killedChange('model.sentiment')).then((m) => ((seenAfterMs = performance.now() - started), m));
    const res = await t.http
      .post(`${flags}/model.sentiment/kill`)
      .set(bearer(token.secret))
      .send({ reason: 'v2 returns NaN scores', environments: ['production'], waitForConfirmationMs: 3000 });
    const respondedAfterMs = performance.now() - started;
    expect(res.status).toBe(200);
    const change = (await seen) as ChangeMessage;
    console.log(`kill → SDK: change seen after ${seenAfterMs.toFixed(1)} ms; response (with 2 of 2 confirmations) after ${respondedAfterMs.toFixed(1)} ms`);

    expect(res.body).toMatchObject({
      flag: 'model.sentiment',
      action: 'kill',
      environments: [
        { environment: 'production', killed: true, changed: true, sequence: change.sequence, delivery: { connected: 2, confirmed: 2, allConfirmed: true } },
      ],
    });
    expect(res.body.environments).toHaveLength(1);
    // What the SDK now serves, through the one evaluator: the off variant, reason KILLED, rules and targets notwithstanding.
    if (change.kind !== 'flag' || !change.flag) throw new Error('expected a flag change');
    const compiled = compileEnvironment({ sequence: change.sequence, flags: [change.flag], segments: [] });
    expect(evaluate(compiled, 'model.sentiment', { targetingKey: 'batch-7', region: 'eu', runId: 'r1' }, 'fallback')).toMatchObject({
      value: 'model-v1',
      variant: 'v1',
      reason: 'KILLED',
    });
    // The response waited for both SDKs' acks, so the SDK had the change before the answer came back.
    expect(seenAfterMs).toBeGreaterThan(0);
    expect(seenAfterMs).toBeLessThanOrEqual(respondedAfterMs);
    // Only production was touched.
    const dev = await t.http.get(`${flags}/model.sentiment/environments/development`).set(t.admin);
    expect(dev.body.killed).toBe(false);
    sdk.close();
    second.close();
  });

  it("measures kill → SDK latency through a kill-switch token (printed; the bound is the delivery benchmark's)", async () => {
    const { secret } = await aToken(t.http, t.admin, 'kill-switch', { projects: ['ops'], environments: ['staging'] });
    await aBooleanFlag(t.http, t.admin, 'ops', 'etl.latency');
    const sdk = await connectSdk(t.url, sdkKeys.staging!);
    await sdk.waitFor((m) => m.type === 'snapshot');
    const fromRequest: number[] = [];
    const fromResponse: number[] = [];
    for (let i = 0; i < 20; i++) {
      const action = i % 2 === 0 ? 'kill' : 'restore';
      const predicate = action === 'kill' ? killedChange('etl.latency') : restoredChange('etl.latency');
      const before = sdk.messages.length;
      const started = performance.now();
      let seenAt = 0;
      const seen = sdk.waitFor((m) => sdk.messages.indexOf(m) >= before && predicate(m)).then(() => (seenAt = performance.now()));
      await t.http
        .post(`${flags}/etl.latency/${action}`)
        .set(bearer(secret))
        .send({ reason: `latency probe ${i}`, environments: ['staging'] })
        .expect(200);
      const respondedAt = performance.now();
      await seen;
      fromRequest.push(seenAt - started);
      fromResponse.push(Math.max(0, seenAt - respondedAt));
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!.toFixed(1);
    console.log(
      `kill/restore → SDK over 20 calls: request sent → SDK has it p50 ${pct(fromRequest, 50)} ms, p99 ${pct(fromRequest, 99)} ms; response → SDK ` +
        `has it p50 ${pct(fromResponse, 50)} ms, p99 ${pct(fromResponse, 99)} ms`,
    );
    expect(fromRequest).toHaveLength(20);
    sdk.close();
  });

  it('answers at once without waiting, saying how many confirmed so far', async () => {
    await aBooleanFlag(t.http, t.admin, 'ops', 'etl.nowait');
    const res = await t.http
      .post(`${flags}/etl.nowait/kill`)
      .set(t.admin)
      .send({ reason: 'test', environments: ['development'] })
      .expect(200);
    expect(res.body.environments[0].delivery).toEqual({ connected: 0, confirmed: 0, allConfirmed: true, waitedMs: expect.any(Number) });
  });

  it('gives a scoped kill-switch token 403 on everything else', async () => {
    const { secret } = await aToken(t.http, t.admin, 'kill-switch', { projects: ['ops'], environments: ['production'] });
    const auth = bearer(secret);
    await aBooleanFlag(t.http, t.admin, 'other', 'other.flag');
    await aBooleanFlag(t.http, t.admin, 'ops', 'gpu.scoped', { tags: ['gpu'] });
    const refused: Array<[string, Promise<{ status: number; body: { error?: string } }>]> = [
      ['other project', t.http.post('/api/v1/projects/other/flags/other.flag/kill').set(auth).send({ reason: 'x' })],
      [
        'other environment',
        t.http
          .post(`${flags}/model.sentiment/kill`)
          .set(auth)
          .send({ reason: 'x', environments: ['development'] }),
      ],
      [
        'one allowed, one not',
        t.http
          .post(`${flags}/model.sentiment/kill`)
          .set(auth)
          .send({ reason: 'x', environments: ['production', 'staging'] }),
      ],
      ['per-environment kill elsewhere', t.http.post(`${flags}/model.sentiment/environments/staging/kill`).set(auth).send({ reason: 'x' })],
      ['kill by tag elsewhere', t.http.post('/api/v1/projects/ops/environments/staging/kill-by-tag').set(auth).send({ tag: 'gpu', reason: 'x' })],
      [
        'restore elsewhere',
        t.http
          .post(`${flags}/model.sentiment/restore`)
          .set(auth)
          .send({ environments: ['development'] }),
      ],
      ['list flags', t.http.get(flags).set(auth)],
      ['read a flag', t.http.get(`${flags}/model.sentiment`).set(auth)],
      ['read a config', t.http.get(`${flags}/model.sentiment/environments/production`).set(auth)],
      ['edit a config', t.http.patch(`${flags}/model.sentiment/environments/production`).set(auth).send({ version: 1, on: false, reason: 'x' })],
      ['create a flag', t.http.post(flags).set(auth).send({ key: 'sneaky', name: 'sneaky', kind: 'boolean' })],
      ['archive a flag', t.http.post(`${flags}/model.sentiment/archive`).set(auth).send({})],
      ['stale report', t.http.get(`${flags}/stale`).set(auth)],
      ['create a trigger', t.http.post(`${flags}/model.sentiment/environments/production/triggers`).set(auth).send({ name: 'x' })],
      ['list webhooks', t.http.get('/api/v1/webhooks').set(auth)],
      ['read the audit log', t.http.get('/api/v1/audit').set(auth)],
      ['create a token', t.http.post('/api/v1/tokens').set(auth).send({ name: 'x', access: 'admin' })],
      ['delivery status', t.http.get('/api/v1/projects/ops/environments/production/delivery').set(auth)],
    ];
    for (const [what, request] of refused) {
      const res = await request;
      expect({ what, status: res.status, error: res.body.error }).toEqual({ what, status: 403, error: 'FORBIDDEN' });
    }
    // Within its scope it works, and with no environments named it acts on the ones it may.
    const ok = await t.http.post(`${flags}/gpu.scoped/kill`).set(auth).send({ reason: 'in scope' }).expect(200);
    expect(ok.body.environments.map((e: { environment: string }) => e.environment)).toEqual(['production']);
    await t.http.post('/api/v1/projects/ops/environments/production/restore-by-tag').set(auth).send({ tag: 'gpu', reason: 'back' }).expect(200);
  });

  it('restores exactly the config each environment had before the kill, idempotently, and records every change', async () => {
    const before = (await t.http.get(`${flags}/model.sentiment`).set(t.admin).expect(200)).body;
    const editor = await aUser(t.http, t.admin, 'editor');
    const killAll = await t.http.post(`${flags}/model.sentiment/kill`).set(bearer(editor.token)).send({ reason: 'bad model everywhere' }).expect(200);
    expect(killAll.body.environments.map((e: { environment: string; killed: boolean }) => [e.environment, e.killed])).toEqual([
      ['development', true],
      ['staging', true],
      ['production', true],
    ]);
    // production was already killed by the first test: nothing changes there, and it says so.
    expect(killAll.body.environments.map((e: { changed: boolean }) => e.changed)).toEqual([true, true, false]);
    const again = await t.http.post(`${flags}/model.sentiment/kill`).set(bearer(editor.token)).send({ reason: 'again' }).expect(200);
    expect(again.body.environments.map((e: { changed: boolean }) => e.changed)).toEqual([false, false, false]);
    expect(again.body.environments.map((e: { version: number }) => e.version)).toEqual(killAll.body.environments.map((e: { version: number }) => e.version));

    // production requires a reason: refused before anything is restored anywhere.
    const refused = await t.http.post(`${flags}/model.sentiment/restore`).set(bearer(editor.token)).send({});
    expect(refused.status).toBe(400);
    expect((await t.http.get(`${flags}/model.sentiment/environments/development`).set(t.admin)).body.killed).toBe(true);

    await t.http.post(`${flags}/model.sentiment/restore`).set(bearer(editor.token)).send({ reason: 'fixed in v2.1' }).expect(200);
    const after = (await t.http.get(`${flags}/model.sentiment`).set(t.admin).expect(200)).body;
    for (const env of ['development', 'staging']) {
      expect(withoutVersion(after.environments[env])).toEqual(withoutVersion(before.environments[env]));
    }
    // production was killed when `before` was read; everything but the kill is as it was.
    expect(withoutVersion({ ...after.environments.production, killed: true, kill: before.environments.production.kill })).toEqual(
      withoutVersion(before.environments.production),
    );

    const audit = await t.http.get('/api/v1/audit').query({ project: 'ops', flag: 'model.sentiment', limit: 50 }).set(t.admin).expect(200);
    const actions = audit.body.items.map(
      (e: { action: string; actorName: string; environmentKey: string }) => `${e.action} ${e.environmentKey} ${e.actorName}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'flag.killed production token:kill-switch-token',
        `flag.killed development ${editor.email}`,
        `flag.restored production ${editor.email}`,
        `flag.restored staging ${editor.email}`,
      ]),
    );
  });

  it('refuses viewers, unknown environments and flags, and a missing reason', async () => {
    const viewer = await aUser(t.http, t.admin, 'viewer');
    expect((await t.http.post(`${flags}/model.sentiment/kill`).set(bearer(viewer.token)).send({ reason: 'x' })).status).toBe(403);
    expect(
      (
        await t.http
          .post(`${flags}/model.sentiment/kill`)
          .set(t.admin)
          .send({ reason: 'x', environments: ['nowhere'] })
      ).status,
    ).toBe(404);
    expect((await t.http.post(`${flags}/no.such.flag/kill`).set(t.admin).send({ reason: 'x' })).status).toBe(404);
    expect((await t.http.post(`${flags}/model.sentiment/kill`).set(t.admin).send({})).status).toBe(400);
    expect((await t.http.post(`${flags}/model.sentiment/kill`).set(t.admin).send({ reason: 'x', waitForConfirmationMs: 60_000 })).status).toBe(400);
    expect((await t.http.post(`${flags}/model.sentiment/kill`).set(t.admin).send({ reason: 'x', environments: [] })).status).toBe(400);
  });

  it('kills and restores every active flag with a tag in one environment', async () => {
    await aBooleanFlag(t.http, t.admin, 'ops', 'gpu.embed', { tags: ['gpu', 'nightly'] });
    await aBooleanFlag(t.http, t.admin, 'ops', 'gpu.train', { tags: ['gpu'] });
    await aBooleanFlag(t.http, t.admin, 'ops', 'cpu.parse', { tags: ['cpu'] });
    const sdk = await connectSdk(t.url, sdkKeys.staging!);
    await sdk.waitFor((m) => m.type === 'snapshot');

    const res = await t.http
      .post('/api/v1/projects/ops/environments/staging/kill-by-tag')
      .set(t.admin)
      .send({ tag: 'gpu', reason: 'stop all GPU steps', waitForConfirmationMs: 3000 })
      .expect(200);
    expect(res.body).toMatchObject({ environment: 'staging', tag: 'gpu', action: 'kill', delivery: { connected: 1, confirmed: 1, allConfirmed: true } });
    expect(res.body.flags.map((f: { flag: string; killed: boolean; changed: boolean }) => [f.flag, f.killed, f.changed])).toEqual([
      ['gpu.embed', true, true],
      ['gpu.scoped', true, true],
      ['gpu.train', true, true],
    ]);
    await sdk.waitFor(killedChange('gpu.embed'));
    await sdk.waitFor(killedChange('gpu.train'));
    const list = (await t.http.get(flags).query({ tag: 'gpu' }).set(t.admin)).body as Array<{ key: string; environments: Record<string, { killed: boolean }> }>;
    for (const flag of list) expect([flag.key, flag.environments.staging!.killed, flag.environments.development!.killed]).toEqual([flag.key, true, false]);
    expect((await t.http.get(`${flags}/cpu.parse/environments/staging`).set(t.admin)).body.killed).toBe(false);

    const restored = await t.http.post('/api/v1/projects/ops/environments/staging/restore-by-tag').set(t.admin).send({ tag: 'gpu' }).expect(200);
    expect(restored.body.flags.every((f: { killed: boolean; changed: boolean }) => !f.killed && f.changed)).toBe(true);
    await sdk.waitFor(restoredChange('gpu.train'));
    // production requires a reason for a restore, checked before any flag is touched.
    expect((await t.http.post('/api/v1/projects/ops/environments/production/restore-by-tag').set(t.admin).send({ tag: 'gpu' })).status).toBe(400);
    sdk.close();
  });
});
