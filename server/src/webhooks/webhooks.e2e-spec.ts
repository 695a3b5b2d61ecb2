import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import type { WebhookDeliveryResponse } from './dto/webhook.dto.js';
import { verifySignature } from './webhook-signature.js';
import { WebhookSettings } from './webhook-settings.js';
import { WebhooksService } from './webhooks.service.js';

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; event: string; createdAt: string; data: Record<string, unknown> };
  signatureValid: boolean;
}

/** A real HTTP receiver on 127.0.0.1 that checks signatures like a user's endpoint would. */
const startReceiver = async (respond: (count: number) => number = () => 204) => {
  const received: Received[] = [];
  let secret = '';
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signatureValid = verifySignature(
        secret,
        { signature: req.headers['x-signalbox-signature'] as string | undefined, timestamp: req.headers['x-signalbox-timestamp'] as string | undefined },
        body,
      );
      received.push({ at: Date.now(), headers: req.headers, body, json: JSON.parse(body), signatureValid });
      res.statusCode = signatureValid ? respond(++count) : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    useSecret: (s: string) => (secret = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

// The receivers listen on loopback, which webhooks may reach only when the allowlist says so.
const LOOPBACK_ALLOWED = { SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1' };

describe('outbound webhooks', () => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  const flags = '/api/v1/projects/hooks/flags';
  const config = (flag: string) => `${flags}/${flag}/environments/development`;

  const aReceiver = async (respond?: (count: number) => number) => {
    const receiver = await startReceiver(respond);
    receivers.push(receiver);
    return receiver;
  };
  const subscribe = async (receiver: Receiver, body: Record<string, unknown> = {}) => {
    const res = await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({ name: 'ops-bus', url: receiver.url, events: ['flag.changed', 'flag.killed', 'flag.restored'], projectKey: 'hooks', ...body });
    if (res.status !== 201) throw new Error(`webhook: ${res.status} ${JSON.stringify(res.body)}`);
    receiver.useSecret(res.body.secret);
    return res.body as { webhook: { id: string }; secret: string };
  };
  const deliveries = async (id: string) => (await t.http.get(`/api/v1/webhooks/${id}/deliveries`).set(t.admin).expect(200)).body as WebhookDeliveryResponse[];

  beforeAll(async () => {
    t = await startTestApp({ env: LOOPBACK_ALLOWED });
    // Milliseconds instead of minutes, so retries and auto-disable run within the test.
    t.app.get(WebhookSettings).use({ backoffMs: [60, 120, 240], jitter: 0, pollIntervalMs: 25, maxAttempts: 6, disableAfterFailures: 4, timeoutMs: 2000 });
    await aProject(t.http, t.admin, 'hooks', [{ key: 'development', name: 'Development' }]);
    await aProject(t.http, t.admin, 'elsewhere', [{ key: 'development', name: 'Development' }]);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('delivers signed flag events that a receiver verifies, once per subscription, filtered by project', async () => {
    const receiver = await aReceiver();
    const generic = await aReceiver();
    const created = await subscribe(receiver);
    expect(created.secret).toMatch(/^sbw_/);
    await subscribe(generic, { name: 'changes-only', events: ['flag.changed'], projectKey: undefined });
    // The secret is never shown again.
    const listed = await t.http.get('/api/v1/webhooks').set(t.admin).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);
    expect(listed.body[0]).toMatchObject({ name: 'ops-bus', enabled: true, secretPrefix: created.secret.slice(0, 8), consecutiveFailures: 0 });

    await aBooleanFlag(t.http, t.admin, 'hooks', 'etl.enrich');
    await t.http.patch(config('etl.enrich')).set(t.admin).send({ version: 0, on: true, reason: 'launch' }).expect(200);
    await t.http
      .post(`${config('etl.enrich')}/kill`)
      .set(t.admin)
      .send({ reason: 'bad joins' })
      .expect(200);
    await t.http.post(`${flags}/etl.enrich/restore`).set(t.admin).send({ reason: 'fixed' }).expect(200);
    await aBooleanFlag(t.http, t.admin, 'elsewhere', 'etl.other');
    await t.http.patch('/api/v1/projects/elsewhere/flags/etl.other/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);

    await expect.poll(() => receiver.received.length, { timeout: 5000 }).toBe(3);
    await expect.poll(() => generic.received.length, { timeout: 5000 }).toBe(4);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    expect(generic.received.every((r) => r.signatureValid)).toBe(true);
    const events = receiver.received.map((r) => r.json).sort((a, b) => (a.data.version as number) - (b.data.version as number));
    expect(events.map((e) => [e.event, e.data.action, e.data.killed])).toEqual([
      ['flag.changed', 'flag.config.updated', false],
      ['flag.killed', 'flag.killed', true],
      ['flag.restored', 'flag.restored', false],
    ]);
    expect(events[1]!.data).toMatchObject({
      project: 'hooks',
      environment: 'development',
      flag: 'etl.enrich',
      reason: 'bad joins',
      actor: { type: 'admin-token' },
      version: 2,
    });
    const first = receiver.received[0]!;
    expect(first.headers['x-signalbox-event']).toBe(first.json.event);
    expect(first.headers['x-signalbox-delivery']).toBe(first.json.id);
    expect(first.headers['x-signalbox-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Math.abs(Number(first.headers['x-signalbox-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    // Without the specific events, a kill arrives as flag.changed; no project filter: both projects.
    expect(generic.received.map((r) => [r.json.data.project, r.json.event, r.json.data.action]).sort()).toEqual([
      ['elsewhere', 'flag.changed', 'flag.config.updated'],
      ['hooks', 'flag.changed', 'flag.config.updated'],
      ['hooks', 'flag.changed', 'flag.killed'],
      ['hooks', 'flag.changed', 'flag.restored'],
    ]);
    // A receiver holding the wrong secret refuses; that is a failed attempt like any other.
    expect(
      verifySignature(
        'sbw_wrong',
        { signature: first.headers['x-signalbox-signature'] as string, timestamp: first.headers['x-signalbox-timestamp'] as string },
        first.body,
      ),
    ).toBe(false);
    const log = await deliveries(created.webhook.id);
    expect(log.map((d) => [d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['delivered', 1, 204],
      ['delivered', 1, 204],
      ['delivered', 1, 204],
    ]);
  });

  it('sends flag.changed for a revert and for a scheduled change when it fires, as for any other write', async () => {
    const receiver = await aReceiver();
    await subscribe(receiver, { name: 'every-write', events: ['flag.changed'] });
    await aBooleanFlag(t.http, t.admin, 'hooks', 'etl.reverted');
    await t.http.patch(config('etl.reverted')).set(t.admin).send({ version: 0, on: true }).expect(200);
    await t.http.patch(config('etl.reverted')).set(t.admin).send({ version: 1, on: false }).expect(200);
    await t.http
      .post(`${config('etl.reverted')}/revert`)
      .set(t.admin)
      .send({ toVersion: 1, version: 2, reason: 'back' })
      .expect(200);
    await t.http
      .post(`${config('etl.reverted')}/scheduled-changes`)
      .set(t.admin)
      .send({ runAt: new Date(Date.now() + 1_500).toISOString(), version: 3, patch: { on: false } })
      .expect(201);
    // The scheduler runs on its own (every few seconds): the change fires and is announced like a PATCH.
    // Deliveries may arrive in any order: by version.
    const announced = () =>
      receiver.received
        .filter((r) => r.json.data.flag === 'etl.reverted')
        .map((r) => [r.json.data.version as number, r.json.data.action])
        .sort((a, b) => (a[0] as number) - (b[0] as number));
    await expect.poll(() => announced().length, { timeout: 20_000 }).toBe(4);
    expect(announced()).toEqual([
      [1, 'flag.config.updated'],
      [2, 'flag.config.updated'],
      [3, 'flag.config.reverted'],
      [4, 'flag.config.updated'],
    ]);
  }, 30_000);

  it('retries a failing receiver with growing delays until it answers', async () => {
    const flaky = await aReceiver((n) => (n <= 2 ? 500 : 200));
    const { webhook } = await subscribe(flaky, { name: 'flaky', events: ['flag.killed'] });
    await aBooleanFlag(t.http, t.admin, 'hooks', 'etl.flaky');
    await t.http.post(`${flags}/etl.flaky/kill`).set(t.admin).send({ reason: 'retry me' }).expect(200);

    await expect.poll(async () => (await deliveries(webhook.id))[0]?.status, { timeout: 5000 }).toBe('delivered');
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ event: 'flag.killed', attempts: 3, lastStatusCode: 200, lastError: null });
    expect(delivery!.attemptLog.map((a) => [a.statusCode, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [200, null],
    ]);
    // The same delivery (same id) each time, after at least the configured backoff.
    expect(new Set(flaky.received.map((r) => r.json.id)).size).toBe(1);
    const gaps = flaky.received.slice(1).map((r, i) => r.at - flaky.received[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(55);
    expect(gaps[1]).toBeGreaterThanOrEqual(115);
    expect((await t.http.get(`/api/v1/webhooks/${webhook.id}`).set(t.admin)).body).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  });

  it('never follows a redirect: a 3xx is a failed attempt, and the address it names gets nothing', async () => {
    const target = await aReceiver();
    let redirected = 0;
    const redirector = http.createServer((req, res) => {
      redirected += 1;
      req.resume();
      res.writeHead(307, { location: target.url }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hooks`;
      const created = await t.http
        .post('/api/v1/webhooks')
        .set(t.admin)
        .send({ name: 'redirects', url, events: ['flag.killed'], projectKey: 'hooks' })
        .expect(201);
      await aBooleanFlag(t.http, t.admin, 'hooks', 'etl.redirected');
      await t.http.post(`${flags}/etl.redirected/kill`).set(t.admin).send({ reason: 'follow me' }).expect(200);
      await expect.poll(async () => (await deliveries(created.body.webhook.id))[0]?.attempts ?? 0, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      const [delivery] = await deliveries(created.body.webhook.id);
      expect(delivery).toMatchObject({ lastStatusCode: 307 });
      expect(delivery!.status).not.toBe('delivered');
      expect(redirected).toBeGreaterThanOrEqual(2);
      expect(target.received).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });

  it('disables a subscription after repeated failures, keeps its deliveries, and resumes them when re-enabled', async () => {
    const dead = await aReceiver(() => 503);
    const { webhook } = await subscribe(dead, { name: 'dead', events: ['flag.killed'] });
    await aBooleanFlag(t.http, t.admin, 'hooks', 'etl.dead');
    await t.http.post(`${flags}/etl.dead/kill`).set(t.admin).send({ reason: 'nobody listens' }).expect(200);

    await expect.poll(async () => (await t.http.get(`/api/v1/webhooks/${webhook.id}`).set(t.admin)).body.enabled, { timeout: 5000 }).toBe(false);
    const disabled = (await t.http.get(`/api/v1/webhooks/${webhook.id}`).set(t.admin)).body;
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 4, disabledReason: expect.stringContaining('4 failed attempts in a row') });
    const [pending] = await deliveries(webhook.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 4, lastStatusCode: 503 });
    // Nothing more is sent or queued while disabled.
    await new Promise((r) => setTimeout(r, 300));
    expect(dead.received).toHaveLength(4);
    await t.http.post(`${flags}/etl.dead/restore`).set(t.admin).send({}).expect(200);
    await t.http.post(`${flags}/etl.dead/kill`).set(t.admin).send({ reason: 'again' }).expect(200);
    expect(await deliveries(webhook.id)).toHaveLength(1);

    const audit = await t.http.get('/api/v1/audit').query({ actor: 'signalbox', limit: 20 }).set(t.admin).expect(200);
    expect(
      audit.body.items.find((e: { action: string; resourceKey: string }) => e.action === 'webhook.disabled' && e.resourceKey === webhook.id),
    ).toMatchObject({ actorType: 'system' });

    // Fixed receiver: re-enable, and the pending delivery goes out.
    const alive = await aReceiver();
    alive.useSecret((await t.http.post(`/api/v1/webhooks/${webhook.id}/rotate-secret`).set(t.admin).expect(200)).body.secret);
    const enabled = await t.http.patch(`/api/v1/webhooks/${webhook.id}`).set(t.admin).send({ url: alive.url, enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    await expect.poll(() => alive.received.length, { timeout: 5000 }).toBe(1);
    expect(alive.received[0]!).toMatchObject({ signatureValid: true, json: { event: 'flag.killed', data: { reason: 'nobody listens' } } });
  });

  it('sends a test event on demand and reports the outcome', async () => {
    const receiver = await aReceiver();
    const { webhook, secret } = await subscribe(receiver, { name: 'tested' });
    const sent = await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200);
    expect(sent.body).toMatchObject({ event: 'webhook.test', status: 'delivered', attempts: 1, lastStatusCode: 204 });
    expect(receiver.received[0]).toMatchObject({ signatureValid: true, json: { event: 'webhook.test', id: sent.body.id } });

    // After a rotation the old secret no longer verifies.
    const rotated = await t.http.post(`/api/v1/webhooks/${webhook.id}/rotate-secret`).set(t.admin).expect(200);
    expect(rotated.body.secret).not.toBe(secret);
    const failed = await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200);
    expect(failed.body).toMatchObject({ status: 'pending', lastStatusCode: 401, nextAttemptAt: expect.any(String) });
    receiver.useSecret(rotated.body.secret);
    await t.http.patch(`/api/v1/webhooks/${webhook.id}`).set(t.admin).send({ enabled: false }).expect(200);
    await t.http.delete(`/api/v1/webhooks/${webhook.id}`).set(t.admin).expect(204);
    expect((await t.http.get(`/api/v1/webhooks/${webhook.id}`).set(t.admin)).status).toBe(404);
  });

  it('is for admins only, and validates subscriptions', async () => {
    const editor = await aUser(t.http, t.admin, 'editor');
    expect((await t.http.get('/api/v1/webhooks').set(bearer(editor.token))).status).toBe(403);
    expect(
      (
        await t.http
          .post('/api/v1/webhooks')
          .set(bearer(editor.token))
          .send({ name: 'x', url: 'http://127.0.0.1/x', events: ['flag.changed'] })
      ).status,
    ).toBe(403);
    const invalid = [
      { name: 'x', url: 'ftp://example.com/x', events: ['flag.changed'] },
      { name: 'x', url: 'not a url', events: ['flag.changed'] },
      { name: 'x', url: 'https://example.com/x', events: ['flag.exploded'] },
      { name: 'x', url: 'https://example.com/x', events: [] },
      { name: 'x', url: 'https://example.com/x', events: ['flag.changed'], secret: 'mine' },
    ];
    for (const body of invalid) expect((await t.http.post('/api/v1/webhooks').set(t.admin).send(body)).status).toBe(400);
    expect(
      (
        await t.http
          .post('/api/v1/webhooks')
          .set(t.admin)
          .send({ name: 'x', url: 'https://example.com/x', events: ['rollout.advanced'], projectKey: 'nope' })
      ).status,
    ).toBe(404);
    // null is not a project key: a 400 naming the field (omit it for every project), never a 500.
    const nullProject = await t.http
      .post('/api/v1/webhooks')
      .set(t.admin)
      .send({ name: 'x', url: 'https://example.com/x', events: ['flag.changed'], projectKey: null });
    expect(nullProject.status, JSON.stringify(nullProject.body)).toBe(400);
    expect(new Set(nullProject.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['projectKey']));
    expect((await t.http.get('/api/v1/webhooks/not-a-uuid').set(t.admin)).status).toBe(400);
    expect((await t.http.get('/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries').set(t.admin)).status).toBe(404);
  });

  describe('destinations', () => {
    it('refuses private and loopback URLs by default, naming the field and the setting that allows them', async () => {
      const strict = await startTestApp();
      try {
        for (const url of [
          'http://127.0.0.1:9/x',
          'http://169.254.169.254/latest/meta-data',
          'http://10.0.0.8/hook',
          'http://[::1]/x',
          'http://localhost:8080/x',
        ]) {
          const res = await strict.http
            .post('/api/v1/webhooks')
            .set(strict.admin)
            .send({ name: 'inside', url, events: ['flag.changed'] })
            .expect(400);
          expect(res.body.message).toMatch(
            /^url: .* is a (loopback|link-local|private) address; webhooks go to public addresses unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows it$/,
          );
        }
        // An IPv4 address inside an IPv6 one is judged as that IPv4 address.
        const embedded = await strict.http
          .post('/api/v1/webhooks')
          .set(strict.admin)
          .send({ name: 'inside', url: 'http://[::127.0.0.1]:1/', events: ['flag.changed'] });
        expect(embedded.status).toBe(400);
        expect(embedded.body.message).toMatch(/^url: 127\.0\.0\.1 is a loopback address/);
        // A zone id makes a URL no HTTP client here can send to: a 400 on url, not a 500.
        const zoned = await strict.http
          .post('/api/v1/webhooks')
          .set(strict.admin)
          .send({ name: 'inside', url: 'http://[::1%25lo]:1/', events: ['flag.changed'] });
        expect(zoned.status, JSON.stringify(zoned.body)).toBe(400);
        expect(new Set(zoned.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['url']));
        expect((await strict.http.get('/api/v1/webhooks').set(strict.admin).expect(200)).body).toEqual([]);
      } finally {
        await strict.close();
      }
    });

    it('refuses to send to an address the allowlist no longer names, and says why in the delivery log', async () => {
      const receiver = await aReceiver();
      const { webhook } = await subscribe(receiver, { name: 'moved-inside' });
      expect((await t.http.patch(`/api/v1/webhooks/${webhook.id}`).set(t.admin).send({ url: 'http://192.168.7.7/x' })).status).toBe(400);
      expect((await t.http.patch(`/api/v1/webhooks/${webhook.id}`).set(t.admin).send({ url: 'http://[fe80::1%25eth0]/x' })).status).toBe(400);
      // As if it was stored before the allowlist changed.
      await t.app.get(DataSource).query('UPDATE webhook_subscriptions SET url = $1 WHERE id = $2', ['http://192.168.7.7/x', webhook.id]);
      const sent = await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200);
      expect(sent.body).toMatchObject({ status: 'pending', lastStatusCode: null });
      expect(sent.body.lastError).toBe(
        'refused: 192.168.7.7 is a private address; webhooks go to public addresses unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows it',
      );
    });
  });

  describe('signing secrets at rest', () => {
    const storedSecret = async (id: string): Promise<string> =>
      ((await t.app.get(DataSource).query('SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1', [id])) as Array<{ secret_sealed: string }>)[0]!
        .secret_sealed;

    it('stores the secret sealed, never in the clear, and still signs with it', async () => {
      const receiver = await aReceiver();
      const { webhook, secret } = await subscribe(receiver, { name: 'sealed' });
      const stored = await storedSecret(webhook.id);
      expect(stored).toMatch(/^sb1\./);
      expect(stored).not.toContain(secret.slice(4));
      const sent = await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200);
      expect(sent.body).toMatchObject({ status: 'delivered', lastStatusCode: 204 });
      expect(receiver.received.at(-1)!.signatureValid).toBe(true);
      // A rotation seals the new secret too.
      const rotated = await t.http.post(`/api/v1/webhooks/${webhook.id}/rotate-secret`).set(t.admin).expect(200);
      expect(await storedSecret(webhook.id)).not.toContain(rotated.body.secret.slice(4));
    });

    it('seals secrets an older version stored in the clear, at start, and they keep verifying', async () => {
      const receiver = await aReceiver();
      const { webhook, secret } = await subscribe(receiver, { name: 'legacy' });
      await t.app.get(DataSource).query('UPDATE webhook_subscriptions SET secret_sealed = $1 WHERE id = $2', [secret, webhook.id]);
      await t.app.get(WebhooksService).onApplicationBootstrap();
      expect(await storedSecret(webhook.id)).toMatch(/^sb1\./);
      await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200);
      expect(receiver.received.at(-1)!.signatureValid).toBe(true);
    });

    it('sends nothing unsigned when the secret was sealed with another key, and says why', async () => {
      const receiver = await aReceiver();
      const { webhook } = await subscribe(receiver, { name: 'other-key' });
      const foreign = new SecretBox('another-servers-key-0123456789abcdef').seal('sbw_x', webhook.id);
      await t.app.get(DataSource).query('UPDATE webhook_subscriptions SET secret_sealed = $1 WHERE id = $2', [foreign, webhook.id]);
      const sent = await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200);
      expect(sent.body).toMatchObject({ status: 'pending', lastStatusCode: null });
      expect(sent.body.lastError).toMatch(/cannot unseal the signing secret: it was sealed with another key.*SIGNALBOX_SECRET_KEY/);
      expect(receiver.received).toHaveLength(0);
      // Rotating gives it a secret this server can use again.
      const rotated = await t.http.post(`/api/v1/webhooks/${webhook.id}/rotate-secret`).set(t.admin).expect(200);
      receiver.useSecret(rotated.body.secret);
      expect((await t.http.post(`/api/v1/webhooks/${webhook.id}/test`).set(t.admin).expect(200)).body.status).toBe('delivered');
    });

    it('seals every secret again with a new key at start when the old one is given as the previous key', async () => {
      const oldKey = 'old-key-0123456789abcdefghijklmnopqrstuv';
      const newKey = 'new-key-0123456789abcdefghijklmnopqrstuv';
      const before = await startTestApp({ env: { ...LOOPBACK_ALLOWED, SIGNALBOX_SECRET_KEY: oldKey } });
      const receiver = await aReceiver();
      const created = await before.http
        .post('/api/v1/webhooks')
        .set(before.admin)
        .send({ name: 'rotated-key', url: receiver.url, events: ['flag.changed'] })
        .expect(201);
      receiver.useSecret(created.body.secret);
      await before.stop();
      const after = await startTestApp({
        database: before.database,
        env: { ...LOOPBACK_ALLOWED, SIGNALBOX_SECRET_KEY: newKey, SIGNALBOX_SECRET_KEY_PREVIOUS: oldKey },
      });
      try {
        const [row] = (await after.app
          .get(DataSource)
          .query('SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1', [created.body.webhook.id])) as Array<{ secret_sealed: string }>;
        expect(row!.secret_sealed.split('.')[1]).toBe(new SecretBox(newKey).keyId);
        const sent = await after.http.post(`/api/v1/webhooks/${created.body.webhook.id}/test`).set(after.admin).expect(200);
        expect(sent.body.status).toBe('delivered');
        expect(receiver.received.at(-1)!.signatureValid).toBe(true);
      } finally {
        await after.close();
      }
    });

    it("keeps the embedded database's key in a file beside it, readable by the server's user only", () => {
      if (t.config.databaseUrl) return expect(t.config.secretKey).toBeDefined();
      const file = path.join(t.config.dataDir, 'secret.key');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    });
  });

  describe('outbox', () => {
    const pendingFor = async (id: string): Promise<number> =>
      // Through Database: inside a transaction it answers on that transaction's connection.
      Number(
        (
          (await t.app.get(Database).manager().query('SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = $1', [id])) as Array<{ n: string }>
        )[0]!.n,
      );

    it("writes the delivery in the change's own transaction: there when the API answers", async () => {
      const receiver = await aReceiver();
      const { webhook } = await subscribe(receiver, { name: 'outbox', events: ['flag.changed'] });
      await aBooleanFlag(t.http, t.admin, 'hooks', 'etl.outbox');
      await t.http.patch(config('etl.outbox')).set(t.admin).send({ version: 0, on: true }).expect(200);
      expect(await pendingFor(webhook.id)).toBe(1);
    });

    it('queues nothing for a change whose transaction rolls back', async () => {
      const receiver = await aReceiver();
      const { webhook } = await subscribe(receiver, { name: 'rollback', events: ['flag.changed'] });
      const heardAfterCommit: string[] = [];
      const off = t.app.get(DomainEvents).on('flag.changed', (e) => heardAfterCommit.push(e.flagKey));
      try {
        await expect(
          t.app.get(Database).transaction(async () => {
            await t.app.get(DomainEvents).publish('flag.changed', {
              projectKey: 'hooks',
              environmentKey: 'development',
              environmentId: 'x',
              flagKey: 'etl.rolled-back',
              action: 'flag.config.updated',
              actor: { type: 'admin-token', id: null, name: 'admin token' },
              reason: null,
              version: 1,
              sequence: 1,
              on: true,
              killed: false,
            });
            expect(await pendingFor(webhook.id)).toBe(1); // inside the transaction it is there...
            throw new Error('the change fails after publishing');
          }),
        ).rejects.toThrow('the change fails after publishing');
      } finally {
        off();
      }
      expect(await pendingFor(webhook.id)).toBe(0); // ...and it went with the rollback
      expect(heardAfterCommit).toEqual([]);
      expect(receiver.received).toHaveLength(0);
    });
  });
});
