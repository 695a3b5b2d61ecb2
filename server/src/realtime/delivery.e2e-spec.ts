import type { ChangeMessage, EnvironmentConfig, ServerMessage } from '@signalbox/sdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { connectSdk, sequences } from '../../test/sdk-socket.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const isChange = (key: string) => (m: ServerMessage) => m.type === 'change' && m.key === key;

describe('push delivery', () => {
  let t: TestApp;
  let devKey: string;
  let prodKey: string;
  const base = '/api/v1/projects/push/flags';
  const config = (flag: string, env = 'development') => `${base}/${flag}/environments/${env}`;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const project = await aProject(t.http, t.admin, 'push', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    devKey = project.sdkKeys.development!;
    prodKey = project.sdkKeys.production!;
  });
  afterAll(() => t.close());

  it('sends a snapshot on connect, then every create, update, kill and archive as it happens', async () => {
    await aBooleanFlag(t.http, t.admin, 'push', 'push.existing');
    const sdk = await connectSdk(t.url, devKey);
    const snapshot = await sdk.waitFor((m) => m.type === 'snapshot');
    expect(snapshot.type === 'snapshot' && snapshot.config.flags.map((f) => f.key)).toContain('push.existing');

    await aBooleanFlag(t.http, t.admin, 'push', 'push.created');
    const created = (await sdk.waitFor(isChange('push.created'))) as ChangeMessage;
    expect(created).toMatchObject({ kind: 'flag', flag: { key: 'push.created', on: false, version: 0 } });

    await t.http.patch(config('push.created')).set(t.admin).send({ version: 0, on: true }).expect(200);
    await sdk.waitFor((m) => isChange('push.created')(m) && m.type === 'change' && m.kind === 'flag' && m.flag?.on === true);

    await t.http
      .post(`${config('push.created')}/kill`)
      .set(t.admin)
      .send({ reason: 'bad output' })
      .expect(200);
    await sdk.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'push.created' && m.flag?.killed === true);

    await t.http.post(`${base}/push.created/archive`).set(t.admin).send({}).expect(200);
    await sdk.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'push.created' && m.flag === null);

    // Strictly increasing, no repeats, no holes after the snapshot.
    const seqs = sequences(sdk.messages);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    sdk.close();
  });

  it('gives a client that was away every change it missed, in order, when it reconnects with its sequence', async () => {
    await aBooleanFlag(t.http, t.admin, 'push', 'push.away');
    const first = await connectSdk(t.url, devKey);
    const snapshot = await first.waitFor((m) => m.type === 'snapshot');
    first.close();
    let version = 0;
    for (let i = 0; i < 5; i++) {
      await t.http
        .patch(config('push.away'))
        .set(t.admin)
        .send({ version: version++, on: i % 2 === 0 })
        .expect(200);
    }
    const back = await connectSdk(t.url, devKey, snapshot.sequence);
    await back.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'push.away' && m.flag?.version === 5);
    expect(back.messages.every((m) => m.type === 'change')).toBe(true);
    expect(sequences(back.messages)).toEqual([1, 2, 3, 4, 5].map((i) => snapshot.sequence + i));
    expect(back.messages.map((m) => m.type === 'change' && m.kind === 'flag' && m.flag?.on)).toEqual([true, false, true, false, true]);
    back.close();
  });

  it('gives a client more than one page (1,000) of changes behind every change it missed, in order, not a snapshot', { timeout: 180_000 }, async () => {
    await aBooleanFlag(t.http, t.admin, 'push', 'push.far-away');
    const first = await connectSdk(t.url, prodKey);
    const snapshot = await first.waitFor((m) => m.type === 'snapshot');
    first.close();
    const missed = 1_100;
    for (let version = 0; version < missed; version++)
      await t.http
        .patch(config('push.far-away', 'production'))
        .set(t.admin)
        .send({ version, on: version % 2 === 0, reason: 'resume test' })
        .expect(200);
    const back = await connectSdk(t.url, prodKey, snapshot.sequence);
    await back.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'push.far-away' && m.flag?.version === missed, 60_000);
    expect(back.messages.every((m) => m.type === 'change')).toBe(true);
    expect(sequences(back.messages)).toEqual(Array.from({ length: missed }, (_, i) => snapshot.sequence + 1 + i));
    back.close();
  });

  it('answers a resync (a client that saw a gap) and an unknown future sequence with a snapshot', async () => {
    const sdk = await connectSdk(t.url, devKey);
    await sdk.waitFor((m) => m.type === 'snapshot');
    sdk.socket.emit('resync', { type: 'resync' });
    await expect.poll(() => sdk.messages.filter((m) => m.type === 'snapshot').length).toBe(2);
    sdk.close();
    const future = await connectSdk(t.url, devKey, 1_000_000);
    const message = await future.waitFor(() => true);
    expect(message.type).toBe('snapshot');
    future.close();
  });

  it('never sends a client of one environment the changes of another', async () => {
    await aBooleanFlag(t.http, t.admin, 'push', 'push.isolated');
    const prod = await connectSdk(t.url, prodKey);
    const dev = await connectSdk(t.url, devKey);
    await prod.waitFor((m) => m.type === 'snapshot');
    await dev.waitFor((m) => m.type === 'snapshot');
    await t.http.patch(config('push.isolated', 'development')).set(t.admin).send({ version: 0, on: true }).expect(200);
    await dev.waitFor(isChange('push.isolated'));
    await t.http.patch(config('push.isolated', 'production')).set(t.admin).send({ version: 0, on: true }).expect(200);
    const prodChange = await prod.waitFor(isChange('push.isolated'));
    expect(prodChange.type === 'change' && prodChange.kind === 'flag' && prodChange.flag?.on).toBe(true);
    expect(prod.messages.filter((m) => m.type === 'change')).toHaveLength(1);
    const devChanges = dev.messages.filter((m) => m.type === 'change');
    expect(devChanges).toHaveLength(1);
    prod.close();
    dev.close();
  });

  it('refuses a bad SDK key, and an admin token, with a clear error', async () => {
    await expect(connectSdk(t.url, 'sbk_not-a-real-key')).rejects.toMatchObject({
      data: { error: 'UNAUTHENTICATED', message: 'The SDK key is unknown or was revoked' },
    });
    await expect(connectSdk(t.url, '')).rejects.toMatchObject({ data: { error: 'UNAUTHENTICATED' } });
    await expect(connectSdk(t.url, t.admin.Authorization.replace('Bearer ', ''))).rejects.toMatchObject({ data: { error: 'FORBIDDEN' } });
  });

  it('drops the live connections of a rotated key and refuses the old key from then on', async () => {
    const project = await aProject(t.http, t.admin, 'rotation', [{ key: 'development', name: 'Development' }]);
    const oldKey = project.sdkKeys.development!;
    const sdk = await connectSdk(t.url, oldKey);
    await sdk.waitFor((m) => m.type === 'snapshot');
    const disconnected = new Promise<string>((resolve) => sdk.socket.on('disconnect', resolve));
    const rotated = await t.http.post('/api/v1/projects/rotation/environments/development/sdk-key').set(t.admin).expect(201);
    expect(await disconnected).toBe('io server disconnect');
    expect(sdk.refused).toEqual([{ error: 'UNAUTHENTICATED', message: 'The SDK key was revoked or rotated' }]);
    await expect(connectSdk(t.url, oldKey)).rejects.toMatchObject({ data: { error: 'UNAUTHENTICATED' } });
    const fresh = await connectSdk(t.url, rotated.body.sdkKey);
    await fresh.waitFor((m) => m.type === 'snapshot');
    fresh.close();
  });

  it('counts how many connected SDKs confirmed a change', async () => {
    const project = await aProject(t.http, t.admin, 'acks', [{ key: 'development', name: 'Development' }]);
    const key = project.sdkKeys.development!;
    await aBooleanFlag(t.http, t.admin, 'acks', 'acks.flag');
    const acking = await connectSdk(t.url, key);
    const silent = await connectSdk(t.url, key, 0, { autoAck: false });
    await acking.waitFor((m) => m.type === 'snapshot');
    await silent.waitFor((m) => m.type === 'snapshot');
    await t.http.patch('/api/v1/projects/acks/flags/acks.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    await acking.waitFor(isChange('acks.flag'));
    await silent.waitFor(isChange('acks.flag'));
    await expect
      .poll(async () => (await t.http.get('/api/v1/projects/acks/environments/development/delivery').set(t.admin)).body, { timeout: 3000 })
      .toMatchObject({ connected: 2, confirmed: 1 });
    acking.close();
    silent.close();
    await expect
      .poll(async () => (await t.http.get('/api/v1/projects/acks/environments/development/delivery').set(t.admin)).body.connected, { timeout: 3000 })
      .toBe(0);
  });

  describe('HTTP', () => {
    it('serves the snapshot with an ETag and answers 304 while it is current', async () => {
      const first = await t.http.get('/api/v1/sdk/config').set(bearer(devKey)).expect(200);
      const config = first.body as EnvironmentConfig;
      expect(first.headers.etag).toBe(`"${config.sequence}"`);
      await t.http.get('/api/v1/sdk/config').set(bearer(devKey)).set('If-None-Match', first.headers.etag!).expect(304);
      await aBooleanFlag(t.http, t.admin, 'push', 'push.etag');
      const next = await t.http.get('/api/v1/sdk/config').set(bearer(devKey)).set('If-None-Match', first.headers.etag!).expect(200);
      expect(next.body.sequence).toBeGreaterThan(config.sequence);
      expect(next.body.flags.map((f: { key: string }) => f.key)).toContain('push.etag');
      await t.http.get('/api/v1/sdk/config').set(t.admin).expect(403);
    });

    it('streams the same messages over Server-Sent Events and resumes from Last-Event-ID', async () => {
      const events = async (headers: Record<string, string>, until: (events: Array<{ event: string; id?: string; data: unknown }>) => boolean) => {
        const controller = new AbortController();
        const res = await fetch(`${t.url}/api/v1/sdk/stream`, { headers: { authorization: `Bearer ${devKey}`, ...headers }, signal: controller.signal });
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        const seen: Array<{ event: string; id?: string; data: unknown }> = [];
        let buffer = '';
        while (!until(seen)) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const fields = Object.fromEntries(
              block
                .split('\n')
                .filter((l) => !l.startsWith(':'))
                .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
            );
            if (fields.event) seen.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? 'null') });
          }
        }
        controller.abort();
        return seen;
      };
      await aBooleanFlag(t.http, t.admin, 'push', 'push.sse');
      const first = await events({}, (seen) => seen.some((e) => e.event === 'snapshot'));
      expect(first[0]).toMatchObject({ event: 'hello', data: { type: 'hello', connectionId: expect.stringMatching(/^sse:/) } });
      const snapshot = first.find((e) => e.event === 'snapshot')!;
      await t.http.patch(config('push.sse')).set(t.admin).send({ version: 0, on: true }).expect(200);
      const resumed = await events({ 'Last-Event-ID': snapshot.id! }, (seen) => seen.some((e) => e.event === 'change'));
      const change = resumed.find((e) => e.event === 'change')!;
      expect(Number(change.id)).toBe(Number(snapshot.id) + 1);
      expect(change.data).toMatchObject({ type: 'change', kind: 'flag', key: 'push.sse', flag: { on: true } });
    });
  });
});
