import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

// Triggers that do more than kill, called over a real socket (fetch), with CloudEvents in both
// HTTP modes, plain JSON and Alertmanager bodies; and what a hostile caller gets.

interface Fired {
  effect: string;
  action: string;
  changed: boolean;
  duplicate: boolean;
  eventId: string | null;
  source: string;
  note: string | null;
}

describe('trigger effects', () => {
  let t: TestApp;
  const flags = '/api/v1/projects/effects/flags';
  const triggers = (flag: string, env = 'staging') => `${flags}/${flag}/environments/${env}/triggers`;
  const config = async (flag: string, env = 'staging') => (await t.http.get(`${flags}/${flag}/environments/${env}`).set(t.admin).expect(200)).body;

  const aTrigger = async (flag: string, body: Record<string, unknown>, env = 'staging') => {
    const res = await t.http
      .post(triggers(flag, env))
      .set(t.admin)
      .send({ name: `${flag}-${String(body.effect && (body.effect as { type: string }).type)}`, ...body });
    if (res.status !== 201) throw new Error(`trigger: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { trigger: { id: string; effect: Record<string, unknown> }; url: string };
  };

  /** A call over the socket: the body is sent exactly as given (a string is not re-encoded). */
  const call = async (url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method: 'POST', headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${t.url}${new URL(url).pathname}`, init);
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // An error page that is not JSON would fail the assertions below on its own.
    }
    return { status: res.status, body: json };
  };
  const fired = async (url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Fired> => {
    const res = await call(url, body, headers);
    if (res.status !== 200) throw new Error(`fire: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as unknown as Fired;
  };
  const structured = (id: string, data: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      source: '/monitoring/prometheus',
      type: 'com.example.alert',
      datacontenttype: 'application/json',
      data,
      ...extra,
    });
  const CE = { 'content-type': 'application/cloudevents+json' };
  const fields = (body: Record<string, unknown>) => ((body.details ?? []) as Array<{ field: string }>).map((d) => d.field);
  const audit = async () =>
    (await t.http.get('/api/v1/audit').query({ project: 'effects', limit: 200 }).set(t.admin).expect(200)).body.items as Array<{
      action: string;
      resourceKey: string;
      environmentKey: string | null;
      actorName: string;
      after: Record<string, unknown> | null;
    }>;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    await aProject(t.http, t.admin, 'effects', [
      { key: 'staging', name: 'Staging' },
      { key: 'production', name: 'Production' },
    ]);
  });
  afterAll(() => t.close());

  it('turns a flag off on firing and back on when resolved, each change audited as the trigger', async () => {
    await aBooleanFlag(t.http, t.admin, 'effects', 'etl.enrich');
    await t.http.patch(`${flags}/etl.enrich/environments/staging`).set(t.admin).send({ version: 0, on: true }).expect(200);
    const trigger = await aTrigger('etl.enrich', { effect: { type: 'turn-off' }, restoreOnResolve: true });
    expect(trigger.trigger.effect).toEqual({ type: 'turn-off' });

    expect(await fired(trigger.url, { status: 'firing', alerts: [{ labels: { alertname: 'EnrichErrors' } }] })).toMatchObject({
      effect: 'turn-off',
      action: 'turned-off',
      changed: true,
      source: 'alertmanager',
    });
    expect(await config('etl.enrich')).toMatchObject({ on: false, killed: false });
    // Alertmanager resends while the alert fires: nothing more changes.
    expect(await fired(trigger.url, { status: 'firing', alerts: [] })).toMatchObject({ action: 'turned-off', changed: false });
    expect(await fired(trigger.url, { status: 'resolved', alerts: [] })).toMatchObject({ action: 'turned-on', changed: true });
    expect((await config('etl.enrich')).on).toBe(true);

    const entries = (await audit()).filter((e) => e.resourceKey === 'etl.enrich' || e.resourceKey === trigger.trigger.id);
    const flagChanges = entries.filter((e) => e.action === 'flag.config.updated' && e.actorName === 'trigger:etl.enrich-turn-off');
    expect(flagChanges.map((e) => (e.after as { on: boolean }).on)).toEqual([true, false]);
    expect(entries.filter((e) => e.action === 'trigger.fired')).toHaveLength(3);
  });

  it('serves a variant on a structured CloudEvent, and a repeated event id does nothing twice', async () => {
    await aStringFlag(t.http, t.admin, 'effects', 'model.sentiment');
    const trigger = await aTrigger('model.sentiment', { effect: { type: 'serve-variant', variant: 'v3' } });
    const first = await fired(trigger.url, structured('evt-1', { reason: 'v2 drifted' }), CE);
    expect(first).toMatchObject({ action: 'variant-served', changed: true, duplicate: false, eventId: 'evt-1', source: 'cloudevents' });
    const served = await config('model.sentiment');
    expect(served.defaultRule).toEqual({ variant: 'v3' });
    expect(served.kill).toBeNull();

    // Someone sets the default back by hand; the same event delivered again must not undo that.
    await t.http
      .patch(`${flags}/model.sentiment/environments/staging`)
      .set(t.admin)
      .send({ version: served.version, defaultRule: { variant: 'v1' } })
      .expect(200);
    const again = await fired(trigger.url, structured('evt-1', { reason: 'v2 drifted' }), CE);
    expect(again).toMatchObject({ action: 'variant-served', changed: false, duplicate: true, eventId: 'evt-1' });
    expect((await config('model.sentiment')).defaultRule).toEqual({ variant: 'v1' });
    // The same id from another source is another event.
    const other = await fired(trigger.url, structured('evt-1', {}, { source: '/monitoring/grafana' }), CE);
    expect(other).toMatchObject({ changed: true, duplicate: false });
    expect((await config('model.sentiment')).defaultRule).toEqual({ variant: 'v3' });
    const fires = (await audit()).filter((e) => e.resourceKey === trigger.trigger.id && e.action === 'trigger.fired');
    expect(fires).toHaveLength(2);
    expect(fires[0]!.after).toMatchObject({ eventId: 'evt-1', source: 'cloudevents', action: 'variant-served' });

    // Event ids are kept as SHA-256 hashes, and for 24 hours: a day later the same event acts again.
    const db = t.app.get(DataSource);
    const stored = (await db.query('SELECT event_hash FROM trigger_events WHERE trigger_id = $1', [trigger.trigger.id])) as Array<{ event_hash: string }>;
    expect(stored).toHaveLength(2);
    for (const { event_hash: hash } of stored) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).not.toContain('evt-1');
    }
    await t.http
      .patch(`${flags}/model.sentiment/environments/staging`)
      .set(t.admin)
      .send({ version: (await config('model.sentiment')).version, defaultRule: { variant: 'v1' } })
      .expect(200);
    await db.query(`UPDATE trigger_events SET received_at = received_at - interval '25 hours' WHERE trigger_id = $1`, [trigger.trigger.id]);
    const dayLater = await fired(trigger.url, structured('evt-1', { reason: 'v2 drifted' }), CE);
    expect(dayLater).toMatchObject({ changed: true, duplicate: false });
    expect((await config('model.sentiment')).defaultRule).toEqual({ variant: 'v3' });
  });

  it('sets a rollout percentage from a binary-mode CloudEvent, keeping the bucketing unit', async () => {
    await aStringFlag(t.http, t.admin, 'effects', 'model.ranker');
    await t.http
      .patch(`${flags}/model.ranker/environments/staging`)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { rollout: { bucketBy: 'runId', variants: [{ variant: 'v1', weight: 100_000 }] } } })
      .expect(200);
    const trigger = await aTrigger('model.ranker', { effect: { type: 'set-rollout', variant: 'v2', percentage: 12.5, restVariant: 'v1' } });
    const headers = {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'run-77',
      'ce-source': 'urn:pipeline:nightly',
      'ce-type': 'com.example.canary.firing',
    };
    expect(await fired(trigger.url, { reason: 'canary healthy' }, headers)).toMatchObject({ action: 'rollout-set', changed: true, eventId: 'run-77' });
    expect((await config('model.ranker')).defaultRule).toEqual({
      rollout: {
        bucketBy: 'runId',
        variants: [
          { variant: 'v2', weight: 12_500 },
          { variant: 'v1', weight: 87_500 },
        ],
      },
    });
    // Idempotency-Key gives plain calls the same protection.
    const plain = await fired(trigger.url, {}, { 'idempotency-key': 'deploy-4411' });
    expect(plain).toMatchObject({ changed: false, duplicate: false, eventId: 'deploy-4411' });
    expect(await fired(trigger.url, {}, { 'idempotency-key': 'deploy-4411' })).toMatchObject({ duplicate: true });
  });

  it('pauses, resumes and aborts the rollout plan, and says so when there is none', async () => {
    await aStringFlag(t.http, t.admin, 'effects', 'model.scorer');
    const plans = `${flags}/model.scorer/environments/staging/rollout-plans`;
    const pause = await aTrigger('model.scorer', { effect: { type: 'pause-rollout' }, restoreOnResolve: true });
    const abort = await aTrigger('model.scorer', { effect: { type: 'abort-rollout' } });
    expect(await fired(pause.url)).toMatchObject({ action: 'ignored', changed: false, note: expect.stringContaining('No active rollout plan') });

    const plan = (await t.http.post(plans).set(t.admin).send({ candidateVariant: 'v2', controlVariant: 'v1' }).expect(201)).body as {
      id: string;
      status: string;
    };
    const statusOf = async () => (await t.http.get(`${plans}/${plan.id}`).set(t.admin).expect(200)).body.status as string;
    const before = await statusOf();
    expect(await fired(pause.url, { status: 'firing', alerts: [] })).toMatchObject({ action: 'rollout-paused', changed: true });
    expect(await statusOf()).toBe('paused');
    expect(await fired(pause.url, { status: 'firing', alerts: [] })).toMatchObject({ action: 'rollout-paused', changed: false });
    expect(await fired(pause.url, { status: 'resolved', alerts: [] })).toMatchObject({ action: 'rollout-resumed', changed: true });
    expect(await statusOf()).toBe(before);
    expect(await fired(abort.url, structured('abort-1', { status: 'firing' }), CE)).toMatchObject({ action: 'rollout-aborted', changed: true });
    expect(await statusOf()).toBe('aborted');
    expect(await fired(abort.url, structured('abort-2', { status: 'firing' }), CE)).toMatchObject({ action: 'ignored', changed: false });
    const planEntries = (await audit()).filter((e) => e.resourceKey === 'model.scorer').map((e) => e.action);
    expect(planEntries).toEqual(expect.arrayContaining(['rollout.paused', 'rollout.resumed']));
  });

  it('fixes the effect at creation and refuses one that cannot work, naming the field', async () => {
    await aStringFlag(t.http, t.admin, 'effects', 'model.guarded');
    const refused = async (body: Record<string, unknown>) => {
      const res = await t.http
        .post(triggers('model.guarded'))
        .set(t.admin)
        .send({ name: 'x', ...body });
      expect(res.status).toBe(400);
      return fields(res.body);
    };
    expect(await refused({ effect: { type: 'serve-variant', variant: 'v9' } })).toEqual(['effect.variant']);
    expect(await refused({ effect: { type: 'serve-variant' } })).toEqual(['effect.variant']);
    expect(await refused({ effect: { type: 'set-rollout', variant: 'v2' } })).toEqual(['effect.percentage']);
    expect(await refused({ effect: { type: 'set-rollout', variant: 'v2', percentage: 101 } })).toContain('effect.percentage');
    expect(await refused({ effect: { type: 'set-rollout', variant: 'v2', percentage: 10, restVariant: 'v2' } })).toEqual(['effect.restVariant']);
    expect(await refused({ effect: { type: 'turn-off', variant: 'v2' } })).toEqual(['effect.variant']);
    expect(await refused({ effect: { type: 'delete-everything' } })).toContain('effect.type');
    // Found by the API fuzzer: exponent notation crashed class-validator's decimal check (500), and an array passed as the effect.
    expect(await refused({ effect: { type: 'set-rollout', variant: 'v2', percentage: 5e-324 } })).toEqual(['effect.percentage']);
    expect(await refused({ effect: { type: 'set-rollout', variant: 'v2', percentage: 12.3456 } })).toEqual(['effect.percentage']);
    expect(await refused({ effect: [{ type: 'kill' }] })).toEqual(['effect']);
    expect(await refused({ effect: { type: 'serve-variant', variant: 'v1' }, restoreOnResolve: true })).toEqual(['restoreOnResolve']);
    // The URL's caller cannot pick the effect: a body asking for another one is just a body.
    const trigger = await aTrigger('model.guarded', { effect: { type: 'serve-variant', variant: 'v2' } });
    expect(await fired(trigger.url, { effect: { type: 'serve-variant', variant: 'v1' }, variant: 'v1' })).toMatchObject({ action: 'variant-served' });
    expect((await config('model.guarded')).defaultRule).toEqual({ variant: 'v2' });
  });

  it('refuses unreadable calls with 400 naming the field, and changes nothing', async () => {
    await aBooleanFlag(t.http, t.admin, 'effects', 'etl.strict');
    const trigger = await aTrigger('etl.strict', { effect: { type: 'kill' } });
    const expectRefused = async (body: unknown, headers: Record<string, string>, field: string) => {
      const res = await call(trigger.url, body, headers);
      expect(res.status, `${field}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(fields(res.body)).toContain(field);
    };
    await expectRefused(JSON.stringify({ specversion: '1.0', source: '/x', type: 't' }), CE, 'id');
    await expectRefused(structured('e', {}, { specversion: '0.3' }), CE, 'specversion');
    await expectRefused(structured('e', {}, { type: 42 }), CE, 'type');
    await expectRefused(structured('e', {}, { data_base64: 'AAAA' }), CE, 'data_base64');
    await expectRefused(structured('e', { reason: 7 }), CE, 'data.reason');
    await expectRefused(JSON.stringify(['not', 'an', 'event']), CE, 'body');
    await expectRefused({}, { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': 't' }, 'ce-source');
    await expectRefused({ reason: 12 }, {}, 'reason');
    await expectRefused({ status: ['firing'] }, {}, 'status');
    await expectRefused([1, 2, 3], {}, 'body');
    // Other media types: 415, as everywhere in the API (a form post's reason would otherwise be silently lost).
    for (const [body, type] of [
      ['reason=because', 'application/x-www-form-urlencoded'],
      ['kill it', 'text/plain'],
      ['<alert/>', 'application/xml'],
      ['[]', 'application/cloudevents-batch+json'],
    ]) {
      const res = await call(trigger.url, body, { 'content-type': type! });
      expect(res.status, type).toBe(415);
      expect(res.body).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    await expectRefused({}, { 'idempotency-key': 'k'.repeat(300) }, 'idempotency-key');
    const listed = (await t.http.get(triggers('etl.strict')).set(t.admin).expect(200)).body as Array<{ fireCount: number }>;
    expect(listed[0]!.fireCount).toBe(0);
    expect((await config('etl.strict')).killed).toBe(false);
    // A wrong secret is a 404 whatever the (readable) body; a media type no trigger reads is refused first.
    const wrong = `${t.url}/api/v1/triggers/sbx_${'Z'.repeat(43)}`;
    expect((await call(wrong, structured('e', {}), CE)).status).toBe(404);
    expect((await call(wrong, { reason: 12 })).status).toBe(404);
    expect((await call(wrong, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    // An empty POST still fires, whatever it declares.
    expect(await fired(trigger.url, undefined, { 'content-type': 'text/plain' })).toMatchObject({ action: 'killed', changed: true });
  });

  it('survives hostile bodies: huge, deeply nested, malformed', async () => {
    await aBooleanFlag(t.http, t.admin, 'effects', 'etl.hostile');
    const trigger = await aTrigger('etl.hostile', { effect: { type: 'turn-on' } });
    const huge = JSON.stringify({ reason: 'x', padding: 'y'.repeat(3 * 1024 * 1024) });
    expect((await call(trigger.url, huge)).status).toBe(413);
    expect((await call(trigger.url, structured('big', { padding: 'y'.repeat(400 * 1024) }), CE)).status).toBe(413);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const headers of [{}, CE]) {
      const res = await call(trigger.url, deep, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      // The app's JSON parser refuses it before any handler runs, naming the field in its message (as for every route).
      expect(String(res.body.message), JSON.stringify(headers)).toMatch(/^body: is nested more than \d+ levels deep/);
    }
    expect((await call(trigger.url, '{"specversion": "1.0", "id": ', CE)).status).toBe(400);
    expect((await call(trigger.url, '{"reason": "unterminated')).status).toBe(400);
    expect((await call(trigger.url, Buffer.from([0xff, 0xfe, 0x00, 0x7b]) as unknown as string)).status).toBe(400);
    // Many headers that look like CloudEvents attributes but are not the required ones.
    const noise = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`ce-x${i}`, 'v'.repeat(100)]));
    expect((await call(trigger.url, {}, noise)).status).toBe(200);
    expect((await config('etl.hostile')).on).toBe(true);
  });

  it('keeps the per-trigger limit, and a repeated event is answered even when the limit is reached', async () => {
    await aBooleanFlag(t.http, t.admin, 'effects', 'etl.limited');
    const trigger = await aTrigger('etl.limited', { effect: { type: 'turn-off' } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await call(trigger.url, structured(`n-${i}`, {}), CE)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const repeat = await call(trigger.url, structured('n-3', {}), CE);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ duplicate: true, changed: false });
  });
});
