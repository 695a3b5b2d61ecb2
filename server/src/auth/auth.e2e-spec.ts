import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aToken, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { LoginThrottle } from './login-throttle.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const login = (t: TestApp, email: string, password: string) => t.http.post('/api/v1/auth/login').send({ email, password });

describe('auth API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'pipelines');
  });
  afterAll(() => t.close());

  describe('sessions', () => {
    it('login sets an httpOnly SameSite=Strict cookie that authenticates later requests', async () => {
      const user = await aUser(t.http, t.admin, 'editor');
      const res = await login(t, user.email, 'password-123');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token: expect.stringMatching(/^sbs_/), expiresAt: expect.any(String), user: { email: user.email, role: 'editor' } });
      const cookies = res.headers['set-cookie'] as unknown as string[];
      const session = cookies.find((c) => c.startsWith('signalbox_session='))!;
      expect(session).toBeDefined();
      expect(session).toContain(`signalbox_session=${res.body.token};`);
      expect(session).toMatch(/;\s*HttpOnly/i);
      expect(session).toMatch(/;\s*SameSite=Strict/i);
      expect(session).toMatch(/;\s*Path=\//);
      const expires = /Expires=([^;]+)/i.exec(session)?.[1];
      expect(new Date(expires!).getTime()).toBeCloseTo(new Date(res.body.expiresAt).getTime(), -4);

      const me = await t.http.get('/api/v1/auth/me').set('Cookie', session.split(';')[0]!);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ kind: 'user', role: 'editor', user: { id: user.id, email: user.email } });
      expect((await t.http.get('/api/v1/auth/me').set('Cookie', 'signalbox_session=sbs_forged')).status).toBe(401);
    });

    it('accepts the session token as a bearer token, and emails in any case', async () => {
      const user = await aUser(t.http, t.admin, 'viewer');
      const res = await login(t, user.email.toUpperCase(), 'password-123');
      expect(res.status).toBe(200);
      const me = await t.http.get('/api/v1/auth/me').set(bearer(res.body.token));
      expect(me.body).toMatchObject({ kind: 'user', name: user.email, role: 'viewer' });
    });

    it('logout ends the session, whether presented as a bearer token or a cookie', async () => {
      const user = await aUser(t.http, t.admin, 'viewer');
      expect((await t.http.post('/api/v1/auth/logout').set(bearer(user.token))).status).toBe(204);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(user.token))).status).toBe(401);

      const second = await login(t, user.email, 'password-123');
      const cookie = `signalbox_session=${second.body.token}`;
      const out = await t.http.post('/api/v1/auth/logout').set('Cookie', cookie).set('Host', 'signalbox.test').set('Origin', 'http://signalbox.test');
      expect(out.status).toBe(204);
      expect((out.headers['set-cookie'] as unknown as string[]).join()).toMatch(/signalbox_session=;/);
      expect((await t.http.get('/api/v1/auth/me').set('Cookie', cookie)).status).toBe(401);
    });

    it('refuses an expired session with 401', async () => {
      const user = await aUser(t.http, t.admin, 'viewer');
      await t.app.get(DataSource).query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [sha256(user.token)]);
      const res = await t.http.get('/api/v1/auth/me').set(bearer(user.token));
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('UNAUTHENTICATED');
    });
  });

  describe('GET /auth/me', () => {
    it('describes each kind of principal', async () => {
      const admin = await login(t, 'admin@signalbox.local', 'admin-password-1');
      expect((await t.http.get('/api/v1/auth/me').set(bearer(admin.body.token))).body).toMatchObject({
        kind: 'user',
        name: 'admin@signalbox.local',
        role: 'admin',
        user: { email: 'admin@signalbox.local', role: 'admin', disabled: false },
      });
      expect((await t.http.get('/api/v1/auth/me').set(t.admin)).body).toEqual({ kind: 'admin-token', name: 'admin-token', role: 'admin' });
      const editor = await aToken(t.http, t.admin, 'editor');
      expect((await t.http.get('/api/v1/auth/me').set(bearer(editor.secret))).body).toEqual({ kind: 'token', name: 'editor-token', role: 'editor' });
      // Neither a kill-switch token nor an SDK key may use anything but its own endpoints.
      const killSwitch = await aToken(t.http, t.admin, 'kill-switch');
      expect((await t.http.get('/api/v1/auth/me').set(bearer(killSwitch.secret))).status).toBe(403);
      const project = await aProject(t.http, t.admin, 'me-project');
      expect((await t.http.get('/api/v1/auth/me').set(bearer(project.sdkKeys.development!))).status).toBe(403);
      expect((await t.http.get('/api/v1/auth/me')).status).toBe(401);
    });
  });

  describe('users', () => {
    it('creates a user with a generated password, returned once, that signs in', async () => {
      const created = await t.http.post('/api/v1/users').set(t.admin).send({ email: 'Generated@Example.com', name: 'Gen', role: 'editor' });
      expect(created.status).toBe(201);
      expect(created.body.user).toMatchObject({ email: 'generated@example.com', name: 'Gen', role: 'editor', disabled: false });
      expect(created.body.password).toEqual(expect.any(String));
      expect(created.body.password.length).toBeGreaterThanOrEqual(16);
      expect((await login(t, 'generated@example.com', created.body.password)).status).toBe(200);

      const list = await t.http.get('/api/v1/users').set(t.admin);
      expect(list.body.find((u: { email: string }) => u.email === 'generated@example.com')).toEqual(created.body.user);
      expect(JSON.stringify(list.body)).not.toContain(created.body.password);
      expect(JSON.stringify(list.body)).not.toMatch(/password|scrypt/i);
      // A chosen password is not echoed back.
      const chosen = await t.http
        .post('/api/v1/users')
        .set(t.admin)
        .send({ email: 'chosen@example.com', name: 'C', role: 'viewer', password: 'chosen-password' });
      expect(chosen.status).toBe(201);
      expect(chosen.body).not.toHaveProperty('password');
    });

    it('refuses a duplicate email, in any case, with 409', async () => {
      await t.http.post('/api/v1/users').set(t.admin).send({ email: 'dup@example.com', name: 'A', role: 'viewer' });
      const res = await t.http.post('/api/v1/users').set(t.admin).send({ email: 'DUP@example.com', name: 'B', role: 'admin' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'CONFLICT', message: 'A user with email dup@example.com already exists' });
      const users = (await t.http.get('/api/v1/users').set(t.admin)).body as Array<{ email: string; role: string }>;
      expect(users.filter((u) => u.email === 'dup@example.com')).toEqual([expect.objectContaining({ role: 'viewer' })]);
    });

    it('changes name and role, effective at once for existing sessions', async () => {
      const user = await aUser(t.http, t.admin, 'editor');
      const create = () =>
        t.http
          .post('/api/v1/projects/pipelines/segments')
          .set(bearer(user.token))
          .send({ key: `s-${Math.random().toString(36).slice(2)}`, name: 's' });
      expect((await create()).status).toBe(201);
      const res = await t.http.patch(`/api/v1/users/${user.id}`).set(t.admin).send({ role: 'viewer', name: 'Demoted' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: user.id, role: 'viewer', name: 'Demoted', disabled: false });
      expect((await create()).status).toBe(403);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(user.token))).body).toMatchObject({ role: 'viewer', user: { name: 'Demoted' } });
    });

    it('disabling a user ends their sessions and refuses their logins; enabling lets them sign in again', async () => {
      const user = await aUser(t.http, t.admin, 'editor');
      const other = await login(t, user.email, 'password-123');
      const disabled = await t.http.patch(`/api/v1/users/${user.id}`).set(t.admin).send({ disabled: true });
      expect(disabled.body).toMatchObject({ disabled: true });
      expect((await t.http.get('/api/v1/auth/me').set(bearer(user.token))).status).toBe(401);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(other.body.token))).status).toBe(401);
      const refused = await login(t, user.email, 'password-123');
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe((await login(t, 'nobody@example.com', 'password-123')).body.message);

      expect((await t.http.patch(`/api/v1/users/${user.id}`).set(t.admin).send({ disabled: false })).body).toMatchObject({ disabled: false });
      // The sessions ended for good; a new login works.
      expect((await t.http.get('/api/v1/auth/me').set(bearer(user.token))).status).toBe(401);
      expect((await login(t, user.email, 'password-123')).status).toBe(200);
    });

    it('refuses with 400 an admin demoting or disabling themselves, but lets another admin do it', async () => {
      const me = await aUser(t.http, t.admin, 'admin');
      const demote = await t.http.patch(`/api/v1/users/${me.id}`).set(bearer(me.token)).send({ role: 'editor' });
      expect(demote.status).toBe(400);
      expect(demote.body.details).toEqual([{ field: 'role', reason: 'admins cannot demote or disable themselves' }]);
      const disable = await t.http.patch(`/api/v1/users/${me.id}`).set(bearer(me.token)).send({ disabled: true });
      expect(disable.status).toBe(400);
      expect(disable.body.details).toEqual([{ field: 'disabled', reason: 'admins cannot demote or disable themselves' }]);
      expect((await t.http.patch(`/api/v1/users/${me.id}`).set(bearer(me.token)).send({ name: 'Still admin', role: 'admin' })).status).toBe(200);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(me.token))).body).toMatchObject({ role: 'admin', user: { name: 'Still admin', disabled: false } });

      const other = await aUser(t.http, t.admin, 'admin');
      expect((await t.http.patch(`/api/v1/users/${me.id}`).set(bearer(other.token)).send({ role: 'editor' })).body).toMatchObject({ role: 'editor' });
    });

    it('refuses null for fields that cannot be cleared with 400 naming the field, changing nothing', async () => {
      const user = await aUser(t.http, t.admin, 'editor');
      for (const field of ['name', 'role', 'disabled', 'password']) {
        const res = await t.http
          .patch(`/api/v1/users/${user.id}`)
          .set(t.admin)
          .send({ [field]: null });
        expect(res.status, field).toBe(400);
        expect(
          res.body.details.map((d: { field: string }) => d.field),
          field,
        ).toContain(field);
      }
      expect((await t.http.get('/api/v1/auth/me').set(bearer(user.token))).body).toMatchObject({ role: 'editor', user: { name: 'editor', disabled: false } });
      const created = await t.http.post('/api/v1/users').set(t.admin).send({ email: 'null-password@example.com', name: 'N', role: 'viewer', password: null });
      expect(created.status).toBe(400);
      expect(created.body.details.map((d: { field: string }) => d.field)).toContain('password');
    });

    it('answers 404 for an unknown user and 400 for an id that is not a UUID', async () => {
      expect((await t.http.patch('/api/v1/users/00000000-0000-4000-8000-000000000000').set(t.admin).send({ name: 'x' })).status).toBe(404);
      expect((await t.http.patch('/api/v1/users/not-a-uuid').set(t.admin).send({ name: 'x' })).status).toBe(400);
    });
  });

  describe('API tokens', () => {
    it('shows the secret only once: the list never contains it or its hash', async () => {
      const created = await t.http.post('/api/v1/tokens').set(t.admin).send({ name: 'ci-deploy', access: 'editor' });
      expect(created.status).toBe(201);
      const { secret, token } = created.body;
      expect(secret).toMatch(/^sbt_[A-Za-z0-9_-]{43}$/);
      expect(token).toMatchObject({
        name: 'ci-deploy',
        access: 'editor',
        prefix: secret.slice(0, 8),
        projects: null,
        environments: null,
        createdBy: 'admin-token',
      });
      expect(token).not.toHaveProperty('secret');
      const list = await t.http.get('/api/v1/tokens').set(t.admin);
      const text = JSON.stringify(list.body);
      expect(list.body.map((x: { id: string }) => x.id)).toContain(token.id);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sha256(secret));
      expect(text).not.toMatch(/hash/i);
    });

    it('refuses scoping a token that is not kill-switch', async () => {
      const res = await t.http
        .post('/api/v1/tokens')
        .set(t.admin)
        .send({ name: 'x', access: 'editor', projects: ['pipelines'] });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'projects', reason: 'only kill-switch tokens can be limited to projects or environments' }]);
    });

    it('limits a kill-switch token to projects and environments, lists it with that scope, and null means all', async () => {
      const scoped = await t.http
        .post('/api/v1/tokens')
        .set(t.admin)
        .send({ name: 'pagerduty-prod', access: 'kill-switch', projects: ['pipelines'], environments: ['production', 'staging'] });
      expect(scoped.status).toBe(201);
      expect(scoped.body.token).toMatchObject({ projects: ['pipelines'], environments: ['production', 'staging'] });
      const unlimited = await t.http
        .post('/api/v1/tokens')
        .set(t.admin)
        .send({ name: 'pagerduty-all', access: 'kill-switch', projects: null, environments: null });
      expect(unlimited.status).toBe(201);
      const list: { id: string; projects: string[] | null; environments: string[] | null }[] = (await t.http.get('/api/v1/tokens').set(t.admin)).body;
      expect(list.find((x) => x.id === scoped.body.token.id)).toMatchObject({ projects: ['pipelines'], environments: ['production', 'staging'] });
      expect(list.find((x) => x.id === unlimited.body.token.id)).toMatchObject({ projects: null, environments: null });
    });

    it.each([
      ['an empty projects list', { projects: [] }, 'projects', 'projects must name at least one project; omit it for all projects'],
      ['an empty environments list', { environments: [] }, 'environments', 'environments must name at least one environment; omit it for all environments'],
      ['a project named twice', { projects: ['pipelines', 'pipelines'] }, 'projects', 'projects must not name the same project twice'],
      ['an environment named twice', { environments: ['production', 'production'] }, 'environments', 'environments must not name the same environment twice'],
      [
        'an environment key that is not a key',
        { environments: ['Production'] },
        'environments',
        'environments must use only lowercase letters, digits, ".", "-" and "_", starting with a letter or digit',
      ],
    ])('refuses %s with 400 naming the field, creating no token', async (_case, scope, field, reason) => {
      const before = (await t.http.get('/api/v1/tokens').set(t.admin)).body.length;
      const res = await t.http
        .post('/api/v1/tokens')
        .set(t.admin)
        .send({ name: 'scoped', access: 'kill-switch', ...scope });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field, reason }]);
      expect((await t.http.get('/api/v1/tokens').set(t.admin)).body.length).toBe(before);
    });

    it('refuses limiting the environments of a token that is not kill-switch, naming environments', async () => {
      const res = await t.http
        .post('/api/v1/tokens')
        .set(t.admin)
        .send({ name: 'x', access: 'viewer', environments: ['production'] });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'environments', reason: 'only kill-switch tokens can be limited to projects or environments' }]);
    });

    it('revocation stops the token at once and drops it from the list', async () => {
      const { token, secret } = await aToken(t.http, t.admin, 'admin');
      expect((await t.http.get('/api/v1/users').set(bearer(secret))).status).toBe(200);
      expect((await t.http.delete(`/api/v1/tokens/${token.id}`).set(t.admin)).status).toBe(204);
      expect((await t.http.get('/api/v1/users').set(bearer(secret))).status).toBe(401);
      expect((await t.http.get('/api/v1/tokens').set(t.admin)).body.map((x: { id: string }) => x.id)).not.toContain(token.id);
      // Revoking again is harmless; an unknown id is 404.
      expect((await t.http.delete(`/api/v1/tokens/${token.id}`).set(t.admin)).status).toBe(204);
      expect((await t.http.delete('/api/v1/tokens/00000000-0000-4000-8000-000000000000').set(t.admin)).status).toBe(404);
    });
  });

  describe('secrets at rest', () => {
    it('stores no session token, API token, SDK key or password in plaintext in any column', async () => {
      const generated = (await t.http.post('/api/v1/users').set(t.admin).send({ email: 'rest@example.com', name: 'R', role: 'viewer' })).body
        .password as string;
      const session = (await login(t, 'rest@example.com', generated)).body.token as string;
      const apiToken = (await aToken(t.http, t.admin, 'viewer')).secret;
      const project = await aProject(t.http, t.admin, 'rest-project');
      const sdkKey = project.sdkKeys.production!;
      const rotated = (await t.http.post('/api/v1/projects/rest-project/environments/development/sdk-key').set(t.admin)).body.sdkKey as string;
      const plaintexts = [generated, session, apiToken, sdkKey, rotated, 'password-123', 'admin-password-1', 'chosen-password'];
      expect(plaintexts.every((p) => typeof p === 'string' && p.length >= 8)).toBe(true);

      const ds = t.app.get(DataSource);
      // What is stored is the hash: lookups by hash find each secret.
      expect(await ds.query('SELECT 1 FROM sessions WHERE token_hash = $1', [sha256(session)])).toHaveLength(1);
      expect(await ds.query('SELECT 1 FROM api_tokens WHERE token_hash = $1', [sha256(apiToken)])).toHaveLength(1);
      expect(await ds.query('SELECT 1 FROM sdk_keys WHERE key_hash = $1 AND revoked_at IS NULL', [sha256(rotated)])).toHaveLength(1);
      const [{ password_hash }] = await ds.query(`SELECT password_hash FROM users WHERE email = 'rest@example.com'`);
      expect(password_hash).toMatch(/^scrypt\$/);

      const columns: Array<{ table_name: string; column_name: string }> = await ds.query(
        `SELECT c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
         WHERE c.table_schema = 'public' ORDER BY 1, 2`,
      );
      const tables = new Set(columns.map((c) => c.table_name));
      for (const table of ['users', 'sessions', 'api_tokens', 'sdk_keys', 'audit_log', 'change_log']) expect(tables).toContain(table);
      const leaks: string[] = [];
      for (const { table_name, column_name } of columns) {
        const rows: Array<{ n: number }> = await ds.query(
          `SELECT count(*)::int AS n FROM "${table_name}" WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS s(secret) WHERE position(s.secret IN ` +
            `"${column_name}"::text) > 0)`,
          [plaintexts],
        );
        if (rows[0]!.n > 0) leaks.push(`${table_name}.${column_name}`);
      }
      expect(leaks).toEqual([]);
    });
  });

  describe('sign-in throttling', () => {
    /** `n` sign-ins in a row, as fast as they answer; their statuses, and the last answer. */
    const attempts = async (email: string, password: string, n: number) => {
      const statuses: number[] = [];
      let last = await login(t, email, password);
      statuses.push(last.status);
      for (let i = 1; i < n; i++) {
        last = await login(t, email, password);
        statuses.push(last.status);
      }
      return { statuses, last };
    };

    it('stops a hundred wrong passwords: after a few the account must wait, and the right password waits too', async () => {
      const user = await aUser(t.http, t.admin, 'viewer');
      // Time stands still for the throttle, so however slow this machine is no wait runs out meanwhile.
      const frozen = Date.now();
      t.app.get(LoginThrottle).useClock(() => frozen);
      try {
        const { statuses } = await attempts(user.email, 'not-the-password', 100);
        expect(statuses).toEqual([...Array(5).fill(401), ...Array(95).fill(429)]);
        const right = await login(t, user.email, 'password-123');
        expect(right.status).toBe(429);
        expect(right.body).toMatchObject({ error: 'RATE_LIMITED', message: expect.any(String), requestId: expect.any(String) });
        expect(right.body.token).toBeUndefined();
        expect(right.headers['set-cookie']).toBeUndefined();
        // Refused attempts did not count: the wait is still the one the fifth failure set.
        expect(right.headers['retry-after']).toBe('1');
      } finally {
        t.app.get(LoginThrottle).useClock(Date.now);
      }
    }, 60_000);

    it('answers an unknown account exactly as a real one, so throttling tells nothing about who exists', async () => {
      const user = await aUser(t.http, t.admin, 'viewer');
      const frozen = Date.now();
      t.app.get(LoginThrottle).useClock(() => frozen);
      try {
        const answers = async (email: string) => {
          const seen: Array<[number, unknown, unknown]> = [];
          for (let i = 0; i < 7; i++) {
            const res = await login(t, email, 'not-the-password');
            seen.push([res.status, res.body.message, res.headers['retry-after']]);
          }
          return seen;
        };
        const real = await answers(user.email);
        const unknown = await answers(`nobody-${Math.random().toString(36).slice(2)}@example.com`);
        expect(unknown).toEqual(real);
        expect(real.map(([status]) => status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
        expect(real[6]).toEqual([429, 'Too many failed sign-ins; try again in 1 s', '1']);
      } finally {
        t.app.get(LoginThrottle).useClock(Date.now);
      }
    }, 60_000);
  });

  describe('cross-site requests', () => {
    // supertest sends no Origin or Referer unless told; a browser sends Origin with every cross-site POST.
    const HOST = 'signalbox.test';
    let cookie = '';
    const rotate = () => t.http.post('/api/v1/projects/csrf/environments/development/sdk-key').set('Host', HOST);

    beforeAll(async () => {
      await aProject(t.http, t.admin, 'csrf');
      const admin = await aUser(t.http, t.admin, 'admin');
      cookie = `signalbox_session=${admin.token}`;
    });

    it('refuses a write authenticated by the session cookie from another origin, or from nowhere, with 403', async () => {
      const before = (await t.http.get('/api/v1/projects/csrf').set(t.admin)).body.environments.find(
        (e: { key: string }) => e.key === 'development',
      ).sdkKeyPrefix;
      const refused = [
        await rotate().set('Cookie', cookie).set('Origin', 'http://evil.example'),
        await rotate().set('Cookie', cookie).set('Origin', 'null'),
        await rotate().set('Cookie', cookie).set('Origin', `http://${HOST}.evil.example`),
        await rotate().set('Cookie', cookie).set('Referer', 'http://evil.example/form.html'),
        await rotate().set('Cookie', cookie).set('Origin', 'http://evil.example').set('Referer', `http://${HOST}/`),
        await rotate().set('Cookie', cookie),
        await t.http.post('/api/v1/auth/logout').set('Host', HOST).set('Cookie', cookie).set('Origin', 'http://evil.example'),
        await t.http.delete('/api/v1/projects/csrf/segments/none').set('Host', HOST).set('Cookie', cookie).set('Origin', 'http://evil.example'),
      ];
      for (const res of refused) {
        expect(res.status, JSON.stringify(res.body)).toBe(403);
        expect(res.body).toMatchObject({ error: 'FORBIDDEN', message: expect.stringMatching(/origin/i), requestId: expect.any(String) });
      }
      // Nothing changed, and the session still works.
      const after = (await t.http.get('/api/v1/projects/csrf').set(t.admin)).body.environments.find(
        (e: { key: string }) => e.key === 'development',
      ).sdkKeyPrefix;
      expect(after).toBe(before);
      expect((await t.http.get('/api/v1/auth/me').set('Cookie', cookie)).status).toBe(200);
    });

    it("accepts cookie writes from the console's own origin, safe methods from anywhere, and bearer tokens from anywhere", async () => {
      expect((await rotate().set('Cookie', cookie).set('Origin', `http://${HOST}`)).status).toBe(201);
      expect((await rotate().set('Cookie', cookie).set('Origin', `https://${HOST}`)).status).toBe(201);
      expect((await rotate().set('Cookie', cookie).set('Referer', `http://${HOST}/projects/csrf/flags`)).status).toBe(201);
      // Behind a proxy that rewrites Host, the original host it forwards counts.
      expect((await rotate().set('Cookie', cookie).set('X-Forwarded-Host', 'flags.example.com').set('Origin', 'https://flags.example.com')).status).toBe(201);
      expect((await t.http.get('/api/v1/projects/csrf').set('Host', HOST).set('Cookie', cookie).set('Origin', 'http://evil.example')).status).toBe(200);
      expect((await rotate().set(t.admin).set('Origin', 'http://evil.example')).status).toBe(201);
      // A bearer token wins over a cookie sent alongside it, and needs no Origin.
      expect((await rotate().set(t.admin).set('Cookie', cookie)).status).toBe(201);
    });
  });

  describe('SDK key rotation', () => {
    const evaluate = (key: string) =>
      t.http
        .post('/api/v1/sdk/evaluate')
        .set(bearer(key))
        .send({ context: { targetingKey: 'run-1' } });

    it('refuses the old key at once and accepts the new one', async () => {
      const project = await aProject(t.http, t.admin, 'rotation');
      const old = project.sdkKeys.development!;
      // Used first, so a cache of recognised keys would hold it.
      expect((await evaluate(old)).status).toBe(200);
      const rotated = await t.http.post('/api/v1/projects/rotation/environments/development/sdk-key').set(t.admin);
      expect(rotated.status).toBe(201);
      const fresh = rotated.body.sdkKey as string;
      expect(fresh).toMatch(/^sbk_/);
      expect(rotated.body.prefix).toBe(fresh.slice(0, 8));
      expect(fresh).not.toBe(old);

      const refused = await evaluate(old);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('UNAUTHENTICATED');
      expect((await evaluate(fresh)).status).toBe(200);
      // Recognised as an SDK key, and still not an admin credential.
      expect((await t.http.get('/api/v1/projects').set(bearer(fresh))).status).toBe(403);
      expect((await t.http.get('/api/v1/projects').set(bearer(old))).status).toBe(401);
      // Other environments keep their keys.
      expect((await evaluate(project.sdkKeys.production!)).status).toBe(200);
      const view = await t.http.get('/api/v1/projects/rotation').set(t.admin);
      expect(view.body.environments.find((e: { key: string }) => e.key === 'development').sdkKeyPrefix).toBe(rotated.body.prefix);
    });
  });
});

describe('first start', () => {
  it('creates exactly one admin that can sign in, and a second boot on the same database creates none', async () => {
    const env = { SIGNALBOX_ADMIN_TOKEN: undefined, SIGNALBOX_ADMIN_EMAIL: 'owner@example.com', SIGNALBOX_ADMIN_PASSWORD: 'first-boot-password' };
    const first = await startTestApp({ env });
    let second: TestApp | undefined;
    try {
      const signedIn = await login(first, 'owner@example.com', 'first-boot-password');
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user).toMatchObject({ role: 'admin', disabled: false });
      const users = await first.http.get('/api/v1/users').set(bearer(signedIn.body.token));
      expect(users.body).toEqual([expect.objectContaining({ email: 'owner@example.com', role: 'admin' })]);
      // Without SIGNALBOX_ADMIN_TOKEN there is no admin token.
      expect((await first.http.get('/api/v1/users').set(first.admin)).status).toBe(401);
      await first.stop();

      second = await startTestApp({ database: first.database, env: { ...env, SIGNALBOX_ADMIN_PASSWORD: 'second-boot-password' } });
      expect((await login(second, 'owner@example.com', 'second-boot-password')).status).toBe(401);
      const again = await login(second, 'owner@example.com', 'first-boot-password');
      expect(again.status).toBe(200);
      const after = await second.http.get('/api/v1/users').set(bearer(again.body.token));
      expect(after.body).toHaveLength(1);
      const created = await second.http.get('/api/v1/audit?resourceType=user').set(bearer(again.body.token));
      // One user.created; the sign-ins are audited too (access-hygiene.e2e-spec.ts).
      expect(
        created.body.items
          .filter((e: { action: string }) => !e.action.startsWith('auth.'))
          .map((e: { action: string; actorType: string }) => `${e.actorType} ${e.action}`),
      ).toEqual(['system user.created']);
    } finally {
      if (second) await second.close();
      else await first.close();
    }
  });
});

// SIGNALBOX_SESSION_TTL_HOURS decides how long a sign-in lasts: what the answer, the cookie and the
// stored session say, since the stored expiry is what refuses the session later ('refuses an expired session').
describe('SIGNALBOX_SESSION_TTL_HOURS', () => {
  const HOUR = 3_600_000;
  const signIn = async (t: TestApp) => {
    const user = await aUser(t.http, t.admin, 'viewer');
    const before = Date.now();
    const res = await login(t, user.email, 'password-123');
    const after = Date.now();
    expect(res.status).toBe(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('signalbox_session='))!;
    const [stored] = await t.app.get(DataSource).query(`SELECT expires_at FROM sessions WHERE token_hash = $1`, [sha256(res.body.token)]);
    return { before, after, expiresAt: Date.parse(res.body.expiresAt), cookie, stored: new Date(stored.expires_at).getTime() };
  };
  const expectLasting = (session: Awaited<ReturnType<typeof signIn>>, hours: number) => {
    expect(session.expiresAt).toBeGreaterThanOrEqual(session.before + hours * HOUR - 1000);
    expect(session.expiresAt).toBeLessThanOrEqual(session.after + hours * HOUR + 1000);
    expect(Math.abs(session.stored - session.expiresAt)).toBeLessThan(1000);
    // The cookie's Expires has whole seconds.
    expect(Math.abs(Date.parse(/Expires=([^;]+)/i.exec(session.cookie)![1]!) - session.expiresAt)).toBeLessThan(1000);
  };

  it('lasts 168 hours by default', async () => {
    const t = await startTestApp();
    try {
      expectLasting(await signIn(t), 168);
    } finally {
      await t.close();
    }
  });

  it('lasts as many hours as it says', async () => {
    const t = await startTestApp({ env: { SIGNALBOX_SESSION_TTL_HOURS: '2' } });
    try {
      expectLasting(await signIn(t), 2);
    } finally {
      await t.close();
    }
  });
});
