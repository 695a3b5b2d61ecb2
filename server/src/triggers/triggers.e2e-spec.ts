import type { ServerMessage } from '@signalbox/sdk/protocol';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aUser } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const alertmanager = (status: 'firing' | 'resolved', names = ['GpuErrorRate']) => ({
  version: '4',
  groupKey: '{}:{alertname="GpuErrorRate"}',
  truncatedAlerts: 0,
  status,
  receiver: 'signalbox-kill',
  groupLabels: { alertname: names[0] },
  commonLabels: { alertname: names[0], severity: 'page' },
  commonAnnotations: { summary: 'GPU step failing' },
  externalURL: 'http://alertmanager:9093',
  alerts: names.map((alertname) => ({
    status,
    labels: { alertname, job: 'embedder' },
    annotations: { summary: 'GPU step failing' },
    startsAt: '2026-11-20T10:00:00Z',
    endsAt: status === 'resolved' ? '2026-11-20T10:05:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: 'abc123',
  })),
});

const grafana = (state: 'alerting' | 'ok') => ({
  receiver: 'signalbox',
  status: state === 'alerting' ? 'firing' : 'resolved',
  orgId: 1,
  alerts: [
    {
      status: state === 'alerting' ? 'firing' : 'resolved',
      labels: { alertname: 'ModelLatencyP95', grafana_folder: 'ml' },
      annotations: {},
      startsAt: '2026-11-20T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: 'f1',
    },
  ],
  groupLabels: { alertname: 'ModelLatencyP95' },
  commonLabels: { alertname: 'ModelLatencyP95' },
  commonAnnotations: {},
  externalURL: 'http://grafana:3000/',
  version: '1',
  groupKey: '{}:{alertname="ModelLatencyP95"}',
  title: `[${state === 'alerting' ? 'FIRING' : 'RESOLVED'}:1] ModelLatencyP95 (ml)`,
  state,
  message: '**Firing**',
});

describe('trigger URLs', () => {
  let t: TestApp;
  let sdkKeys: Record<string, string>;
  const flags = '/api/v1/projects/alerts/flags';
  const triggers = (flag: string, env = 'production') => `${flags}/${flag}/environments/${env}/triggers`;
  const config = (flag: string, env = 'production') => `${flags}/${flag}/environments/${env}`;
  const pathOf = (url: string) => new URL(url).pathname;

  const aTrigger = async (flag: string, body: Record<string, unknown> = {}, env = 'production') => {
    const res = await t.http
      .post(triggers(flag, env))
      .set(t.admin)
      .send({ name: `${flag}-alerts`, ...body });
    if (res.status !== 201) throw new Error(`trigger: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { trigger: { id: string; name: string; secretPrefix: string }; secret: string; url: string };
  };

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKeys = (
      await aProject(t.http, t.admin, 'alerts', [
        { key: 'staging', name: 'Staging' },
        { key: 'production', name: 'Production', requireChangeReason: true },
      ])
    ).sdkKeys;
  });
  afterAll(() => t.close());

  it('issues a secret URL once, lists it by prefix only, and keeps only the hash', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'gpu.embed');
    const created = await aTrigger('gpu.embed', { description: 'Alertmanager route gpu' });
    expect(created.secret).toMatch(/^sbx_[A-Za-z0-9_-]{43}$/);
    expect(pathOf(created.url)).toBe(`/api/v1/triggers/${created.secret}`);
    expect(created.trigger).toMatchObject({
      name: 'gpu.embed-alerts',
      flag: 'gpu.embed',
      environment: 'production',
      enabled: true,
      restoreOnResolve: false,
      secretPrefix: created.secret.slice(0, 8),
      fireCount: 0,
    });
    const listed = await t.http.get(triggers('gpu.embed')).set(t.admin).expect(200);
    expect(listed.body).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);
    const stored = await t.app.get(DataSource).query('SELECT secret_hash FROM flag_triggers WHERE id = $1', [created.trigger.id]);
    expect(stored[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].secret_hash).not.toContain(created.secret);
  });

  it('kills on a plain POST and on an Alertmanager firing payload; a resolved one restores only when configured', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'gpu.train');
    await t.http.patch(config('gpu.train')).set(t.admin).send({ version: 0, on: true, reason: 'launch' }).expect(200);
    const restoring = await aTrigger('gpu.train', { name: 'am-gpu', restoreOnResolve: true });
    const sdk = await connectSdk(t.url, sdkKeys.production!);
    await sdk.waitFor((m) => m.type === 'snapshot');

    const fired = await t.http
      .post(pathOf(restoring.url))
      .send(alertmanager('firing', ['GpuErrorRate', 'GpuOOM']))
      .expect(200);
    expect(fired.body).toEqual({
      trigger: 'am-gpu',
      flag: 'gpu.train',
      environment: 'production',
      effect: 'kill',
      action: 'killed',
      changed: true,
      killed: true,
      source: 'alertmanager',
      alerts: ['GpuErrorRate', 'GpuOOM'],
      note: null,
      eventId: null,
      duplicate: false,
    });
    await sdk.waitFor((m: ServerMessage) => m.type === 'change' && m.kind === 'flag' && m.key === 'gpu.train' && m.flag?.killed === true);
    const killed = (await t.http.get(config('gpu.train')).set(t.admin)).body;
    expect(killed.kill).toMatchObject({ by: 'trigger:am-gpu', reason: 'Alertmanager firing: GpuErrorRate, GpuOOM via trigger am-gpu' });

    // Alertmanager repeats notifications: a second firing is a no-op.
    expect((await t.http.post(pathOf(restoring.url)).send(alertmanager('firing')).expect(200)).body).toMatchObject({ action: 'killed', changed: false });

    const resolved = await t.http.post(pathOf(restoring.url)).send(alertmanager('resolved')).expect(200);
    expect(resolved.body).toMatchObject({ action: 'restored', changed: true, killed: false });
    const back = (await t.http.get(config('gpu.train')).set(t.admin)).body;
    expect(back).toMatchObject({ on: true, killed: false });

    // Without restoreOnResolve a resolution is acknowledged and the flag stays killed.
    const killOnly = await aTrigger('gpu.train', { name: 'am-kill-only' });
    await t.http.post(pathOf(killOnly.url)).expect(200);
    const ignored = await t.http.post(pathOf(killOnly.url)).send(alertmanager('resolved')).expect(200);
    expect(ignored.body).toMatchObject({ action: 'ignored', changed: false, killed: true, note: expect.stringContaining('does not restore') });
    expect((await t.http.get(config('gpu.train')).set(t.admin)).body.killed).toBe(true);
    sdk.close();

    // Every call is in the audit log, naming the trigger and the alert.
    const audit = await t.http.get('/api/v1/audit').query({ project: 'alerts', limit: 100 }).set(t.admin).expect(200);
    const entries = audit.body.items as Array<{
      action: string;
      actorType: string;
      actorName: string;
      reason: string | null;
      after: { action?: string } | null;
    }>;
    expect(entries.filter((e) => e.actorName === 'trigger:am-gpu').map((e) => [e.action, e.actorType, e.reason])).toEqual([
      ['trigger.fired', 'trigger', 'Alertmanager resolved: GpuErrorRate via trigger am-gpu'],
      ['flag.restored', 'trigger', 'Alertmanager resolved: GpuErrorRate via trigger am-gpu'],
      ['trigger.fired', 'trigger', 'Alertmanager firing: GpuErrorRate via trigger am-gpu'],
      ['trigger.fired', 'trigger', 'Alertmanager firing: GpuErrorRate, GpuOOM via trigger am-gpu'],
      ['flag.killed', 'trigger', 'Alertmanager firing: GpuErrorRate, GpuOOM via trigger am-gpu'],
    ]);
    expect(entries.filter((e) => e.actorName === 'trigger:am-kill-only').map((e) => [e.action, e.after?.action])).toEqual([
      ['trigger.fired', 'ignored'],
      ['trigger.fired', 'killed'],
      ['flag.killed', undefined],
    ]);
    const listed = (await t.http.get(triggers('gpu.train')).set(t.admin)).body as Array<{ name: string; fireCount: number; lastAction: string }>;
    expect(listed.map((tr) => [tr.name, tr.fireCount, tr.lastAction])).toEqual([
      ['am-gpu', 3, 'restored'],
      ['am-kill-only', 2, 'ignored'],
    ]);
  });

  it('takes Grafana alert webhooks: alerting kills, ok restores when configured', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'model.ranker');
    const trigger = await aTrigger('model.ranker', { name: 'grafana-latency', restoreOnResolve: true }, 'staging');
    const fired = await t.http.post(pathOf(trigger.url)).send(grafana('alerting')).expect(200);
    expect(fired.body).toMatchObject({ source: 'grafana', action: 'killed', changed: true, alerts: ['ModelLatencyP95'] });
    expect((await t.http.get(config('model.ranker', 'staging')).set(t.admin)).body.kill.reason).toBe(
      'Grafana firing: ModelLatencyP95 ([FIRING:1] ModelLatencyP95 (ml)) via trigger grafana-latency',
    );
    const legacy = await t.http
      .post(pathOf(trigger.url))
      .send({ title: '[OK] latency', ruleName: 'ModelLatencyP95', state: 'ok', evalMatches: [] })
      .expect(200);
    expect(legacy.body).toMatchObject({ source: 'grafana', action: 'restored', changed: true, killed: false });
    const noData = await t.http.post(pathOf(trigger.url)).send({ title: 'x', ruleName: 'ModelLatencyP95', state: 'no_data' }).expect(200);
    expect(noData.body).toMatchObject({ action: 'ignored', killed: false });
  });

  it('answers a wrong, rotated-away or disabled secret with the same 404', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'etl.dedupe');
    const trigger = await aTrigger('etl.dedupe');
    const shapeOf = (res: { status: number; body: Record<string, unknown> }) => ({
      status: res.status,
      keys: Object.keys(res.body).sort(),
      error: res.body.error,
      message: res.body.message,
    });
    const wrong = shapeOf(await t.http.post(`/api/v1/triggers/sbx_${'A'.repeat(43)}`).send({}));
    expect(wrong).toEqual({ status: 404, keys: ['error', 'message', 'requestId'], error: 'NOT_FOUND', message: 'No such trigger' });
    expect(shapeOf(await t.http.post('/api/v1/triggers/not-even-a-secret').send({}))).toEqual(wrong);
    // One character off the real secret: hashed and looked up like any other.
    const nearMiss = trigger.secret.slice(0, -1) + (trigger.secret.endsWith('A') ? 'B' : 'A');
    expect(shapeOf(await t.http.post(`/api/v1/triggers/${nearMiss}`).send({}))).toEqual(wrong);

    const rotated = await t.http
      .post(`${triggers('etl.dedupe')}/${trigger.trigger.id}/rotate`)
      .set(t.admin)
      .expect(200);
    expect(rotated.body.secret).not.toBe(trigger.secret);
    expect(shapeOf(await t.http.post(pathOf(trigger.url)).send({}))).toEqual(wrong);
    await t.http.post(pathOf(rotated.body.url)).send({ reason: 'dedupe dropped rows' }).expect(200);
    expect((await t.http.get(config('etl.dedupe')).set(t.admin)).body.kill.reason).toBe('dedupe dropped rows (trigger etl.dedupe-alerts)');

    await t.http
      .post(`${triggers('etl.dedupe')}/${trigger.trigger.id}/disable`)
      .set(t.admin)
      .expect(200);
    expect(shapeOf(await t.http.post(pathOf(rotated.body.url)).send({}))).toEqual(wrong);
    const enabled = await t.http
      .patch(`${triggers('etl.dedupe')}/${trigger.trigger.id}`)
      .set(t.admin)
      .send({ enabled: true })
      .expect(200);
    expect(enabled.body.enabled).toBe(true);
    await t.http.post(pathOf(rotated.body.url)).send({}).expect(200);

    await t.http
      .delete(`${triggers('etl.dedupe')}/${trigger.trigger.id}`)
      .set(t.admin)
      .expect(204);
    expect(shapeOf(await t.http.post(pathOf(rotated.body.url)).send({}))).toEqual(wrong);
    const audit = await t.http.get('/api/v1/audit').query({ project: 'alerts', limit: 100 }).set(t.admin);
    const managed = (audit.body.items as Array<{ action: string; after: { name?: string } | null; before: { name?: string } | null }>)
      .filter((e) => (e.after ?? e.before)?.name === 'etl.dedupe-alerts')
      .map((e) => e.action);
    expect(managed).toEqual(['trigger.deleted', 'trigger.enabled', 'trigger.disabled', 'trigger.rotated', 'trigger.created']);
  });

  it('limits calls per trigger with 429 and the usual error body', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'etl.noisy');
    const trigger = await aTrigger('etl.noisy', {}, 'staging');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await t.http.post(pathOf(trigger.url)).send(alertmanager('firing'))).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await t.http.post(pathOf(trigger.url)).send(alertmanager('firing'));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'RATE_LIMITED', message: expect.any(String), requestId: expect.any(String) });
    // Refused calls do not count: one more fits as soon as the first accepted call is a minute old.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another trigger is not affected.
    const other = await aTrigger('etl.noisy', { name: 'other' }, 'staging');
    await t.http.post(pathOf(other.url)).expect(200);
  });

  it('counts calls per trigger, not per URL: a rotated-away URL answers 404 however often it was called', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'etl.rotated');
    const trigger = await aTrigger('etl.rotated', {}, 'staging');
    for (let i = 0; i < 10; i++) await t.http.post(pathOf(trigger.url)).expect(200);
    const rotated = await t.http
      .post(`${triggers('etl.rotated', 'staging')}/${trigger.trigger.id}/rotate`)
      .set(t.admin)
      .expect(200);
    for (let i = 0; i < 3; i++) {
      const old = await t.http.post(pathOf(trigger.url));
      expect(old.status).toBe(404);
      expect(old.body).toMatchObject({ error: 'NOT_FOUND', message: 'No such trigger' });
    }
    // The trigger's minute is spent, whichever URL it has now.
    const renewed = await t.http.post(pathOf(rotated.body.url));
    expect(renewed.status).toBe(429);
    expect(Number(renewed.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('answers an unknown URL 404 however often it is called', async () => {
    const unknown = `/api/v1/triggers/sbx_${'Q'.repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await t.http.post(unknown)).status);
    expect(statuses).toEqual(Array(15).fill(404));
  });

  it('is managed by editors only, and validates its input', async () => {
    await aBooleanFlag(t.http, t.admin, 'alerts', 'etl.guarded');
    const viewer = await aUser(t.http, t.admin, 'viewer');
    const editor = await aUser(t.http, t.admin, 'editor');
    expect((await t.http.get(triggers('etl.guarded')).set(bearer(viewer.token))).status).toBe(403);
    expect((await t.http.post(triggers('etl.guarded')).set(bearer(viewer.token)).send({ name: 'x' })).status).toBe(403);
    expect((await t.http.post(triggers('etl.guarded')).set(bearer(editor.token)).send({ name: 'x' })).status).toBe(201);
    expect((await t.http.post(triggers('etl.guarded')).set(t.admin).send({})).status).toBe(400);
    expect((await t.http.post(triggers('etl.guarded')).set(t.admin).send({ name: 'x', restoreOnResolve: 'yes' })).status).toBe(400);
    expect((await t.http.post(triggers('no.such.flag')).set(t.admin).send({ name: 'x' })).status).toBe(404);
    expect((await t.http.post(triggers('etl.guarded', 'nowhere')).set(t.admin).send({ name: 'x' })).status).toBe(404);
    expect((await t.http.post(`${triggers('etl.guarded')}/not-a-uuid/rotate`).set(t.admin)).status).toBe(400);
    expect((await t.http.post(`${triggers('etl.guarded')}/00000000-0000-4000-8000-000000000000/rotate`).set(t.admin)).status).toBe(404);
    expect(
      (
        await t.http
          .patch(`${triggers('etl.guarded')}/00000000-0000-4000-8000-000000000000`)
          .set(t.admin)
          .send({ name: null })
      ).status,
    ).toBe(400);
  });
});

describe('trigger calls per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('takes 300 calls a minute from one address, whatever the URL, and answers the next with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await t.http.post(`/api/v1/triggers/sbx_${String(i).padStart(43, 'Q')}`)).status);
    expect(statuses).toEqual(Array(300).fill(404));
    const refused = await t.http.post(`/api/v1/triggers/sbx_${'R'.repeat(43)}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: 'RATE_LIMITED' });
  }, 120_000);
});
