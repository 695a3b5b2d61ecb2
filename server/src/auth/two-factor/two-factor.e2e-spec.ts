import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aToken, aUser } from '../../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../../test/test-app.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { LoginThrottle } from '../login-throttle.js';
import { totpCode } from './totp.js';

interface AuditRow {
  action: string;
  actorName: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const PASSWORD = 'password-123';
// A code of the next time step: the one accepted at enrolment was the current step, so it would be a replay.
const nextCode = (secret: string) => totpCode({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
const currentCode = (secret: string) => totpCode({ secret, epoch: Math.floor(Date.now() / 1000) });

describe('two-factor sign-in (TOTP)', () => {
  let t: TestApp;
  const login = (email: string, extra: Record<string, unknown> = {}) => t.http.post('/api/v1/auth/login').send({ email, password: PASSWORD, ...extra });
  const audit = async (email: string): Promise<AuditRow[]> => {
    const res = await t.http.get(`/api/v1/audit?limit=200&actor=${encodeURIComponent(email)}`).set(t.admin);
    return (res.body.items as AuditRow[]).reverse();
  };
  const aboutUser = async (email: string): Promise<AuditRow[]> => {
    const res = await t.http.get(`/api/v1/audit?limit=200`).set(t.admin);
    return (res.body.items as Array<AuditRow & { resourceKey: string }>).filter((e) => e.resourceKey === email).reverse();
  };

  /** A user with two-factor sign-in on: their session, secret and recovery codes. */
  const enrolled = async () => {
    const user = await aUser(t.http, t.admin, 'editor');
    const begun = await t.http.post('/api/v1/auth/two-factor/enrolment').set(bearer(user.token));
    expect(begun.status).toBe(201);
    const confirmed = await t.http
      .post('/api/v1/auth/two-factor/enrolment/confirm')
      .set(bearer(user.token))
      .send({ code: await currentCode(begun.body.secret) });
    expect(confirmed.status).toBe(200);
    return { ...user, secret: begun.body.secret as string, recoveryCodes: confirmed.body.recoveryCodes as string[] };
  };

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'pipelines');
  });
  afterAll(() => t.close());

  it('enrols: a secret and otpauth URI, refused with a wrong code, on with the right one and ten recovery codes', async () => {
    const user = await aUser(t.http, t.admin, 'viewer');
    const auth = bearer(user.token);
    expect((await t.http.get('/api/v1/auth/two-factor').set(auth)).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    const begun = await t.http.post('/api/v1/auth/two-factor/enrolment').set(auth);
    expect(begun.status).toBe(201);
    expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(begun.body.otpauthUri as string);
    expect(uri.searchParams.get('secret')).toBe(begun.body.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);

    // Not on until confirmed: the password alone still signs in.
    expect((await login(user.email)).status).toBe(200);
    const wrong = await t.http.post('/api/v1/auth/two-factor/enrolment/confirm').set(auth).send({ code: '000000' });
    expect(wrong.status).toBe(400);
    const malformed = await t.http.post('/api/v1/auth/two-factor/enrolment/confirm').set(auth).send({ code: '12ab' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([{ field: 'code', reason: expect.stringContaining('6 digits') }]);

    const confirmed = await t.http
      .post('/api/v1/auth/two-factor/enrolment/confirm')
      .set(auth)
      .send({ code: await currentCode(begun.body.secret) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect((await t.http.get('/api/v1/auth/two-factor').set(auth)).body).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect((await t.http.post('/api/v1/auth/two-factor/enrolment').set(auth)).status).toBe(409);
    const listed = (await t.http.get('/api/v1/users').set(t.admin)).body as Array<{ id: string; twoFactor: boolean }>;
    expect(listed.find((u) => u.id === user.id)?.twoFactor).toBe(true);
    expect((await aboutUser(user.email)).map((e) => e.action)).toContain('user.two_factor_enabled');

    // At rest: the secret sealed, recovery codes hashed; neither anywhere in clear, nor in the audit log.
    const ds = t.app.get(DataSource);
    const [row] = (await ds.query(`SELECT totp_secret_sealed FROM users WHERE id = $1`, [user.id])) as Array<{ totp_secret_sealed: string }>;
    expect(row!.totp_secret_sealed).toMatch(/^sb1\./);
    for (const table of ['users', 'user_recovery_codes', 'audit_log']) {
      for (const secret of [begun.body.secret as string, ...(confirmed.body.recoveryCodes as string[])]) {
        const [found] = (await ds.query(`SELECT count(*)::int AS n FROM ${table} t WHERE t::text ILIKE $1`, [`%${secret}%`])) as Array<{ n: number }>;
        expect(found!.n, `${table} holds a secret`).toBe(0);
      }
    }
  });

  it('asks for the code after the password, refuses a wrong code, accepts the right one once, and audits each', async () => {
    const user = await enrolled();
    const missing = await login(user.email);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: 'UNAUTHENTICATED', details: { secondFactor: 'totp' } });
    expect(missing.body.token).toBeUndefined();

    const wrong = await login(user.email, { code: (Number(await nextCode(user.secret)) ^ 1).toString().padStart(6, '0') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('The code is wrong or was already used');
    // A wrong password with the right code is still a wrong password.
    const code = await nextCode(user.secret);
    expect((await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'not-the-password', code })).status).toBe(401);

    const ok = await login(user.email, { code });
    expect(ok.status).toBe(200);
    expect((await t.http.get('/api/v1/auth/me').set(bearer(ok.body.token))).body.user).toMatchObject({ email: user.email, twoFactor: true });
    const replayed = await login(user.email, { code });
    expect(replayed.status).toBe(401);
    // An older code than the last accepted one is refused too.
    expect((await login(user.email, { code: await currentCode(user.secret) })).status).toBe(401);

    const entries = (await audit(user.email)).filter((e) => e.action.startsWith('auth.'));
    expect(entries.slice(1).map((e) => [e.action, e.reason, e.after?.secondFactor ?? null])).toEqual([
      ['auth.sign_in_failed', 'wrong-code', null],
      ['auth.sign_in_failed', 'wrong-password', null],
      ['auth.signed_in', null, 'totp'],
      ['auth.sign_in_failed', 'replayed-code', null],
      ['auth.sign_in_failed', 'replayed-code', null],
    ]);
  });

  /**
   * Runs `test` with the sign-in throttle's clock two hours back: the failures it counts (against
   * this test client's address too) are forgotten by the time the next test signs in.
   */
  const inThePast = async (test: () => Promise<void>) => {
    const throttle = t.app.get(LoginThrottle);
    const then = Date.now() - 2 * 3_600_000;
    throttle.useClock(() => then);
    try {
      await test();
    } finally {
      throttle.useClock(Date.now);
    }
  };

  it('accepts a code once when sign-ins race with it: exactly one gets in', () =>
    inThePast(async () => {
      const user = await enrolled();
      const code = await nextCode(user.secret);
      const raced = await Promise.all(Array.from({ length: 4 }, () => login(user.email, { code })));
      expect(raced.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
      const reasons = (await audit(user.email)).filter((e) => e.action.startsWith('auth.')).slice(-4);
      expect(reasons.map((e) => e.reason ?? 'signed in').sort()).toEqual(['replayed-code', 'replayed-code', 'replayed-code', 'signed in']);
    }));

  it('counts asking for the code (the password alone) as an attempt: after five, even the right code waits', () =>
    inThePast(async () => {
      const user = await enrolled();
      for (let i = 0; i < 5; i++) expect((await login(user.email)).body).toMatchObject({ details: { secondFactor: 'totp' } });
      expect((await login(user.email, { code: await nextCode(user.secret) })).status).toBe(429);
    }));

  it('throttles wrong codes like wrong passwords: after five, even the right code waits', async () => {
    const user = await enrolled();
    const throttle = t.app.get(LoginThrottle);
    const now = Date.now();
    throttle.useClock(() => now);
    try {
      for (let i = 0; i < 5; i++) expect((await login(user.email, { code: '000000' })).status).toBe(401);
      const refused = await login(user.email, { code: await nextCode(user.secret) });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      const reasons = (await audit(user.email)).map((e) => e.reason).filter((r) => r !== null);
      expect(reasons.slice(-6)).toEqual([...Array(5).fill('wrong-code'), 'throttled']);
    } finally {
      throttle.useClock(Date.now);
    }
  });

  it('takes a recovery code instead of the code, once', async () => {
    const user = await enrolled();
    const [first, second] = user.recoveryCodes;
    const used = await login(user.email, { recoveryCode: first!.toUpperCase() });
    expect(used.status).toBe(200);
    expect((await login(user.email, { recoveryCode: first })).status).toBe(401);
    expect((await login(user.email, { recoveryCode: 'aaaa-bbbb-cccc-dddd' })).status).toBe(401);
    expect((await t.http.get('/api/v1/auth/two-factor').set(bearer(used.body.token))).body.recoveryCodesLeft).toBe(9);
    // Two sign-ins racing with the same code: exactly one gets in.
    const raced = await Promise.all([login(user.email, { recoveryCode: second }), login(user.email, { recoveryCode: second })]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
    const entries = (await audit(user.email)).filter((e) => e.action.startsWith('auth.')).slice(1);
    expect(entries.slice(0, 3).map((e) => [e.action, e.reason, e.after?.secondFactor ?? null])).toEqual([
      ['auth.signed_in', null, 'recovery-code'],
      ['auth.sign_in_failed', 'wrong-recovery-code', null],
      ['auth.sign_in_failed', 'wrong-recovery-code', null],
    ]);
    expect(
      entries
        .slice(3)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['auth.sign_in_failed', 'auth.signed_in']);
  });

  it('lets an admin reset a second factor, audited; the user then signs in with the password alone', async () => {
    const user = await enrolled();
    const other = await aUser(t.http, t.admin, 'editor');
    expect((await t.http.delete(`/api/v1/users/${user.id}/two-factor`).set(bearer(other.token))).status).toBe(403);
    expect((await t.http.delete(`/api/v1/users/00000000-0000-4000-8000-000000000000/two-factor`).set(t.admin)).status).toBe(404);
    expect((await t.http.delete(`/api/v1/users/${user.id}/two-factor`).set(t.admin)).status).toBe(204);
    expect((await login(user.email)).status).toBe(200);
    const reset = (await aboutUser(user.email)).find((e) => e.action === 'user.two_factor_reset');
    expect(reset).toMatchObject({ actorName: 'admin-token', before: { twoFactor: true }, after: { twoFactor: false } });
    const [codes] = (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM user_recovery_codes WHERE user_id = $1`, [user.id])) as Array<{
      n: number;
    }>;
    expect(codes!.n).toBe(0);
  });

  it('lets users turn it off with a current code, not without', async () => {
    const user = await enrolled();
    const auth = bearer(user.token);
    expect((await t.http.post('/api/v1/auth/two-factor/disable').set(auth).send({ code: '000000' })).status).toBe(400);
    expect(
      (
        await t.http
          .post('/api/v1/auth/two-factor/disable')
          .set(auth)
          .send({ code: await nextCode(user.secret) })
      ).status,
    ).toBe(204);
    expect((await t.http.get('/api/v1/auth/two-factor').set(auth)).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect((await login(user.email)).status).toBe(200);
    expect((await aboutUser(user.email)).map((e) => e.action)).toContain('user.two_factor_disabled');
  });

  it('is only for users: an API token cannot enrol', async () => {
    const res = await t.http.post('/api/v1/auth/two-factor/enrolment').set(t.admin);
    expect(res.status).toBe(403);
  });
});

describe('SIGNALBOX_REQUIRE_TWO_FACTOR', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNALBOX_REQUIRE_TWO_FACTOR: 'true' } });
    await aProject(t.http, t.admin, 'pipelines');
  });
  afterAll(() => t.close());

  it('lets a user without a second factor do nothing but enrol, then everything their role allows', async () => {
    const user = await aUser(t.http, t.admin, 'editor');
    const auth = bearer(user.token);
    const me = await t.http.get('/api/v1/auth/me').set(auth);
    expect(me.body).toMatchObject({ kind: 'user', secondFactorPending: true });
    const refused = await t.http.get('/api/v1/projects').set(auth);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/requires two-factor sign-in/);
    expect((await t.http.get('/api/v1/auth/two-factor').set(auth)).body).toMatchObject({ enabled: false, required: true });
    const begun = await t.http.post('/api/v1/auth/two-factor/enrolment').set(auth);
    const confirmed = await t.http
      .post('/api/v1/auth/two-factor/enrolment/confirm')
      .set(auth)
      .send({ code: await currentCode(begun.body.secret) });
    expect(confirmed.status).toBe(200);
    expect((await t.http.get('/api/v1/projects').set(auth)).status).toBe(200);
    expect((await t.http.get('/api/v1/auth/me').set(auth)).body.secondFactorPending).toBe(false);
    // And it cannot be turned off while required.
    expect(
      (
        await t.http
          .post('/api/v1/auth/two-factor/disable')
          .set(auth)
          .send({ code: await nextCode(begun.body.secret) })
      ).status,
    ).toBe(409);
  });

  it('does not hold back the admin token, API tokens or SDK keys', async () => {
    expect((await t.http.get('/api/v1/projects').set(t.admin)).status).toBe(200);
    const token = await aToken(t.http, t.admin, 'editor');
    expect((await t.http.get('/api/v1/projects').set(bearer(token.secret))).status).toBe(200);
    const { sdkKeys } = await aProject(t.http, t.admin, 'sdk-side');
    expect((await t.http.get('/api/v1/sdk/config').set(bearer(sdkKeys.development!))).status).toBe(200);
  });
});

describe('TOTP secrets across a key rotation', () => {
  it('seals them again with the new key at start when the old one is given as the previous key, and codes keep working', async () => {
    const oldKey = 'old-key-0123456789abcdefghijklmnopqrstuv';
    const newKey = 'new-key-0123456789abcdefghijklmnopqrstuv';
    const before = await startTestApp({ env: { SIGNALBOX_SECRET_KEY: oldKey } });
    const user = await aUser(before.http, before.admin, 'editor');
    const begun = await before.http.post('/api/v1/auth/two-factor/enrolment').set(bearer(user.token)).expect(201);
    await before.http
      .post('/api/v1/auth/two-factor/enrolment/confirm')
      .set(bearer(user.token))
      .send({ code: await currentCode(begun.body.secret) })
      .expect(200);
    const sealed = async (app: TestApp) =>
      (
        (await app.app.get(DataSource).query('SELECT totp_secret_sealed FROM users WHERE email = $1', [user.email])) as Array<{ totp_secret_sealed: string }>
      )[0]!.totp_secret_sealed;
    const sealedBefore = await sealed(before);
    expect(sealedBefore).not.toContain(begun.body.secret);
    expect(sealedBefore.split('.')[1]).toBe(new SecretBox(oldKey).keyId);
    await before.stop();
    const after = await startTestApp({ database: before.database, env: { SIGNALBOX_SECRET_KEY: newKey, SIGNALBOX_SECRET_KEY_PREVIOUS: oldKey } });
    try {
      expect((await sealed(after)).split('.')[1]).toBe(new SecretBox(newKey).keyId);
      const signedIn = await after.http.post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD, code: await nextCode(begun.body.secret) });
      expect(signedIn.status).toBe(200);
    } finally {
      await after.close();
    }
  }, 120_000);
});
