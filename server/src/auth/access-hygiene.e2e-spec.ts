import { createHash } from 'node:crypto';
import { io } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aToken, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { LoginThrottle } from './login-throttle.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

interface AuditRow {
  action: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  resourceType: string;
  resourceKey: string;
  reason: string | null;
  after: Record<string, unknown> | null;
}

/** Resolves with the handshake's refusal message, or rejects if the console socket connects. */
const consoleRefusal = (url: string, token: string): Promise<{ error: string; message: string }> =>
  new Promise((resolve, reject) => {
    const socket = io(`${url}/console`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('connect', () => {
      socket.close();
      reject(new Error('the console socket connected'));
    });
    socket.on('connect_error', (err: Error & { data?: { error: string; message: string } }) => {
      socket.close();
      if (err.data) resolve(err.data);
      else reject(err);
    });
  });

const connects = (url: string, token: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = io(`${url}/console`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('connect', () => (socket.close(), resolve()));
    socket.on('connect_error', (err: Error & { data?: unknown }) => (socket.close(), reject(new Error(JSON.stringify(err.data ?? err.message)))));
  });

describe('access hygiene', () => {
  let t: TestApp;
  const createToken = (body: Record<string, unknown>) =>
    t.http
      .post('/api/v1/tokens')
      .set(t.admin)
      .send({ name: 'ci', access: 'viewer', ...body });

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    await aProject(t.http, t.admin, 'pipelines');
  });
  afterAll(() => t.close());

  describe('token expiry', () => {
    it('refuses an expiry that is not a date, in the past or more than five years ahead, naming expiresAt', async () => {
      for (const expiresAt of [
        'tomorrow',
        '2020-01-01T00:00:00Z',
        new Date(Date.now() - 1000).toISOString(),
        new Date(Date.now() + 6 * 365 * 86_400_000).toISOString(),
        // No zone: the server's local time would decide when it expires.
        new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 19),
        new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      ]) {
        const res = await createToken({ expiresAt });
        expect(res.status, expiresAt).toBe(400);
        expect(res.body.error).toBe('VALIDATION_FAILED');
        expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['expiresAt']);
      }
      expect((await t.http.get('/api/v1/tokens').set(t.admin)).body).toEqual([]);
    });

    it('creates a token with an expiry and lists it with expiresAt and lastUsedAt', async () => {
      const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const created = await createToken({ name: 'expiring', expiresAt });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatchObject({ name: 'expiring', expiresAt, lastUsedAt: null });
      const forever = await createToken({ name: 'forever' });
      expect(forever.body.token).toMatchObject({ expiresAt: null, lastUsedAt: null });
      const nulled = await createToken({ name: 'nulled', expiresAt: null });
      expect(nulled.body.token.expiresAt).toBeNull();
      const listed = (await t.http.get('/api/v1/tokens').set(t.admin)).body as Array<{ name: string; expiresAt: string | null }>;
      expect(listed.find((x) => x.name === 'expiring')?.expiresAt).toBe(expiresAt);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(200);
    });

    it('refuses an expired token with 401 naming its expiry, on REST, the kill switch and the console socket', async () => {
      const kill = await aToken(t.http, t.admin, 'kill-switch');
      const viewer = await createToken({ name: 'short', expiresAt: new Date(Date.now() + 60_000).toISOString() });
      await connects(t.url, viewer.body.secret);
      // Move both expiries into the past, as time passing would.
      const expiredAt = new Date(Date.now() - 1000);
      const ds = t.app.get(DataSource);
      await ds.query(`UPDATE api_tokens SET expires_at = $1 WHERE id = ANY($2)`, [expiredAt, [kill.token.id, viewer.body.token.id]]);
      const message = `The API token expired on ${expiredAt.toISOString()}`;

      const me = await t.http.get('/api/v1/auth/me').set(bearer(viewer.body.secret));
      expect(me.status).toBe(401);
      expect(me.body).toMatchObject({ error: 'UNAUTHENTICATED', message });

      await t.http.post('/api/v1/projects/pipelines/flags').set(t.admin).send({ key: 'etl.step', name: 'Step', kind: 'boolean' });
      const killed = await t.http
        .post('/api/v1/projects/pipelines/flags/etl.step/environments/production/kill')
        .set(bearer(kill.secret))
        .send({ reason: 'INC' });
      expect(killed.status).toBe(401);
      expect(killed.body.message).toBe(message);

      expect(await consoleRefusal(t.url, viewer.body.secret)).toEqual({ error: 'UNAUTHENTICATED', message });
      // Still listed, so an admin sees it expired.
      const listed = (await t.http.get('/api/v1/tokens').set(t.admin)).body as Array<{ id: string; expiresAt: string }>;
      expect(listed.find((x) => x.id === viewer.body.token.id)?.expiresAt).toBe(expiredAt.toISOString());
    });
  });

  describe('last used', () => {
    it('records when a token was used, and does not rewrite it on every request', async () => {
      const created = await createToken({ name: 'used' });
      const lastUsed = async () =>
        ((await t.http.get('/api/v1/tokens').set(t.admin)).body as Array<{ id: string; lastUsedAt: string | null }>).find(
          (x) => x.id === created.body.token.id,
        )!.lastUsedAt;
      expect(await lastUsed()).toBeNull();
      const before = Date.now();
      expect((await t.http.get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(200);
      const first = await lastUsed();
      expect(first).not.toBeNull();
      expect(new Date(first!).getTime()).toBeGreaterThanOrEqual(before - 5);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await t.http.get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(200);
      expect(await lastUsed()).toBe(first);
    });

    it('writes it again after a minute, also when another instance wrote it (the write is conditional)', async () => {
      const created = await createToken({ name: 'old-use' });
      const ds = t.app.get(DataSource);
      const longAgo = new Date(Date.now() - 5 * 60_000);
      // A use recorded long ago (by this or another instance): the next use updates it.
      await ds.query(`UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, [longAgo, created.body.token.id]);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(200);
      const [row] = (await ds.query(`SELECT last_used_at FROM api_tokens WHERE id = $1`, [created.body.token.id])) as Array<{ last_used_at: Date }>;
      expect(new Date(row!.last_used_at).getTime()).toBeGreaterThan(longAgo.getTime() + 60_000);
    });
  });

  describe('sign-ins audited', () => {
    const login = (email: string, password: string) => t.http.post('/api/v1/auth/login').send({ email, password });
    const signIns = async (email: string): Promise<AuditRow[]> => {
      const res = await t.http.get(`/api/v1/audit?limit=200&actor=${encodeURIComponent(email)}`).set(t.admin);
      expect(res.status).toBe(200);
      return (res.body.items as AuditRow[]).filter((e) => e.action.startsWith('auth.')).reverse();
    };

    it('records a success and each kind of failure with the email, address and why, never the password', async () => {
      const user = await aUser(t.http, t.admin, 'editor');
      const disabled = await aUser(t.http, t.admin, 'viewer');
      await t.http.patch(`/api/v1/users/${disabled.id}`).set(t.admin).send({ disabled: true });
      const secretWord = 'wrong-Horse-battery-staple-9';

      const wrong = await login(user.email, secretWord);
      const unknown = await login('nobody-here@example.com', secretWord);
      const off = await login(disabled.email, 'password-123');
      // No enumeration: the same status and body (but its request id) for an unknown user, a wrong password and a disabled user.
      const answer = (r: { status: number; body: Record<string, unknown> }) => ({ status: r.status, body: { ...r.body, requestId: undefined } });
      expect(answer(unknown)).toEqual(answer(wrong));
      expect(answer(off)).toEqual(answer(wrong));
      expect(wrong.status).toBe(401);
      expect((await login(user.email.toUpperCase(), 'password-123')).status).toBe(200);

      const mine = await signIns(user.email);
      // aUser signed in once before the wrong password.
      expect(mine.map((e) => [e.action, e.reason])).toEqual([
        ['auth.signed_in', null],
        ['auth.sign_in_failed', 'wrong-password'],
        ['auth.signed_in', null],
      ]);
      expect(mine[1]).toMatchObject({
        actorType: 'user',
        actorId: user.id,
        resourceType: 'user',
        resourceKey: user.email,
        after: { email: user.email, address: expect.stringMatching(/127\.0\.0\.1/), failure: 'wrong-password' },
      });
      expect(mine[2]!.after).toEqual({ email: user.email, address: expect.stringMatching(/127\.0\.0\.1/) });
      expect(await signIns('nobody-here@example.com')).toEqual([
        expect.objectContaining({
          action: 'auth.sign_in_failed',
          actorId: null,
          reason: 'unknown-user',
          after: expect.objectContaining({ failure: 'unknown-user' }),
        }),
      ]);
      expect((await signIns(disabled.email)).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'disabled', actorId: disabled.id });

      // The password is nowhere in the log, nor in any table.
      const ds = t.app.get(DataSource);
      const [audit] = (await ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE audit_log::text LIKE $1`, [`%${secretWord}%`])) as Array<{ n: number }>;
      expect(audit!.n).toBe(0);
      const [all] = (await ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE audit_log::text LIKE '%password-123%'`)) as Array<{ n: number }>;
      expect(all!.n).toBe(0);
    });

    it('audits only the first refusal of each backoff wait, so refused attempts cannot fill the log', async () => {
      // The throttle's own clock, frozen: slow scrypt on a busy machine cannot outlast a 1 s wait.
      const throttle = t.app.get(LoginThrottle);
      let now = Date.now();
      throttle.useClock(() => now);
      try {
        const email = 'flooded@example.com';
        for (let i = 0; i < 5; i++) expect((await login(email, 'guess')).status).toBe(401);
        for (let i = 0; i < 4; i++) expect((await login(email, 'guess')).status).toBe(429);
        const five = Array.from({ length: 5 }, () => 'unknown-user');
        expect((await signIns(email)).map((e) => e.reason)).toEqual([...five, 'throttled']);
        // The wait ends: one more guess goes through, starts a longer wait, whose first refusal is audited again.
        now += 1001;
        expect((await login(email, 'guess')).status).toBe(401);
        for (let i = 0; i < 3; i++) expect((await login(email, 'guess')).status).toBe(429);
        expect((await signIns(email)).map((e) => e.reason)).toEqual([...five, 'throttled', 'unknown-user', 'throttled']);
      } finally {
        throttle.useClock(Date.now);
      }
    });

    it('keeps sign-in entries from non-admins', async () => {
      const viewer = await aUser(t.http, t.admin, 'viewer');
      const editor = await aUser(t.http, t.admin, 'editor');
      for (const member of [viewer, editor]) {
        const res = await t.http.get('/api/v1/audit?limit=200').set(bearer(member.token));
        expect(res.status).toBe(200);
        expect((res.body.items as AuditRow[]).filter((e) => e.action.startsWith('auth.'))).toEqual([]);
        const byActor = await t.http.get(`/api/v1/audit?actor=${encodeURIComponent(viewer.email)}`).set(bearer(member.token));
        expect(byActor.body.items).toEqual([]);
      }
      expect((await signIns(viewer.email)).map((e) => e.action)).toEqual(['auth.signed_in']);
    });
  });

  it('stores only the hash of an expiring token', async () => {
    const created = await createToken({ name: 'hashed', expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const rows = (await t.app.get(DataSource).query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [created.body.token.id])) as Array<{
      token_hash: string;
    }>;
    expect(rows[0]!.token_hash).toBe(sha256(created.body.secret));
  });
});
