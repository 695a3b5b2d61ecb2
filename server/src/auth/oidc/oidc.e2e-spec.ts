import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser } from '../../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../../test/test-app.js';
import crypto from 'node:crypto';
import {
  decodeJwt,
  freePort,
  jwtPart,
  signInAtProvider,
  signJwt,
  startTestProvider,
  type TestAccounts,
  type TestProvider,
} from '../../../test/oidc-test-provider.js';

const CLIENT_ID = 'signalbox-test';
const CLIENT_SECRET = 'test-client-secret-0123456789';
// The test calls the callback itself, so this only has to be the URL registered at the provider.
const REDIRECT_URI = 'http://localhost:4999/api/v1/auth/oidc/callback';
const PROVIDER_NAME = 'Test IdP';

interface AuditRow {
  action: string;
  actorName: string;
  actorId: string | null;
  resourceKey: string;
  reason: string | null;
  after: Record<string, unknown> | null;
}

const cookiesOf = (res: { headers: Record<string, unknown> }): Record<string, { value: string; attributes: string }> => {
  const lines = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return Object.fromEntries(
    lines.map((line) => {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      return [pair!.slice(0, at), { value: pair!.slice(at + 1), attributes: attributes.join(';') }];
    }),
  );
};

describe('OIDC sign-in', () => {
  let t: TestApp;
  let provider: TestProvider;
  const accounts: TestAccounts = {
    ada: { email: 'ada@example.com', name: 'Ada Lovelace', groups: ['staff', 'sb-editors'] },
    nobody: { email: 'nobody@example.com', name: 'No Body', groups: ['staff'] },
    grace: { email: 'grace@example.com', name: 'Grace', groups: ['sb-viewers'] },
  };

  /** `/start`: where it sends the browser, and the flow cookie it sets. */
  const start = async () => {
    const res = await t.http.get('/api/v1/auth/oidc/start');
    expect(res.status).toBe(303);
    return { location: res.headers.location as string, cookie: cookiesOf(res).signalbox_oidc! };
  };
  const callback = (url: URL, flowCookie?: string) => {
    const req = t.http.get(`/api/v1/auth/oidc/callback${url.search}`);
    return flowCookie ? req.set('Cookie', `signalbox_oidc=${flowCookie}`) : req;
  };
  /** The whole flow as a browser goes through it: start, the provider's login page, the callback. */
  const signInAs = async (login: string) => {
    const started = await start();
    return callback(await signInAtProvider(started.location, login, REDIRECT_URI), started.cookie.value);
  };
  const audit = async (): Promise<AuditRow[]> => ((await t.http.get('/api/v1/audit?limit=200').set(t.admin)).body.items as AuditRow[]).reverse();

  beforeAll(async () => {
    provider = await startTestProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, accounts });
    t = await startTestApp({
      env: {
        SIGNALBOX_OIDC_ISSUER: provider.issuer,
        SIGNALBOX_OIDC_CLIENT_ID: CLIENT_ID,
        SIGNALBOX_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SIGNALBOX_OIDC_REDIRECT_URL: REDIRECT_URI,
        SIGNALBOX_OIDC_NAME: PROVIDER_NAME,
        SIGNALBOX_OIDC_ROLE_CLAIM: 'groups',
        SIGNALBOX_OIDC_ROLE_MAP: 'sb-viewers=viewer,sb-editors=editor,sb-admins=admin',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('tells the sign-in page about the provider', async () => {
    const res = await t.http.get('/api/v1/auth/sign-in-options');
    expect(res.body).toEqual({ oidcProvider: PROVIDER_NAME, oidcStartPath: '/api/v1/auth/oidc/start' });
  });

  it('starts the authorization code flow with PKCE (S256), state and nonce, kept sealed in a Lax cookie', async () => {
    const { location, cookie } = await start();
    const url = new URL(location);
    expect(url.origin).toBe(provider.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
    });
    expect(cookie.value).toMatch(/^sb1\./);
    for (const param of ['state', 'nonce', 'code_challenge']) expect(cookie.value).not.toContain(url.searchParams.get(param));
    expect(cookie.attributes).toMatch(/HttpOnly/);
    expect(cookie.attributes).toMatch(/SameSite=Lax/);
    expect(cookie.attributes).toMatch(/Path=\/api\/v1\/auth\/oidc/);
  });

  it('signs a new user in with the mapped role, creates them, and audits both', async () => {
    const res = await signInAs('ada');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const session = cookiesOf(res).signalbox_session!;
    expect(session.attributes).toMatch(/HttpOnly/);
    const me = await t.http.get('/api/v1/auth/me').set(bearer(session.value));
    expect(me.body).toMatchObject({
      kind: 'user',
      role: 'editor',
      user: { email: 'ada@example.com', name: 'Ada Lovelace', role: 'editor', singleSignOn: true },
    });

    const entries = await audit();
    expect(entries.find((e) => e.action === 'user.created' && e.resourceKey === 'ada@example.com')).toMatchObject({ actorName: `oidc:${PROVIDER_NAME}` });
    expect(entries.filter((e) => e.resourceKey === 'ada@example.com' && e.action.startsWith('auth.'))).toEqual([
      expect.objectContaining({
        action: 'auth.signed_in',
        actorId: me.body.user.id,
        after: { email: 'ada@example.com', address: expect.any(String), provider: PROVIDER_NAME },
      }),
    ]);
    // No password signs this user in.
    const ds = t.app.get(DataSource);
    const [row] = (await ds.query(`SELECT password_hash, oidc_subject FROM users WHERE email = 'ada@example.com'`)) as Array<{
      password_hash: string;
      oidc_subject: string;
    }>;
    expect(row).toEqual({ password_hash: '!oidc', oidc_subject: `${provider.issuer} ada` });
    expect((await t.http.post('/api/v1/auth/login').send({ email: 'ada@example.com', password: '!oidc' })).status).toBe(401);
  });

  it('updates the role from the claim at every sign-in, audited', async () => {
    accounts.ada!.groups = ['sb-admins', 'sb-viewers'];
    try {
      const res = await signInAs('ada');
      expect(res.status).toBe(303);
      const me = await t.http.get('/api/v1/auth/me').set(bearer(cookiesOf(res).signalbox_session!.value));
      expect(me.body.role).toBe('admin');
      const updated = (await audit()).filter((e) => e.action === 'user.updated' && e.resourceKey === 'ada@example.com');
      expect(updated.at(-1)).toMatchObject({ actorName: `oidc:${PROVIDER_NAME}`, after: expect.objectContaining({ role: 'admin' }) });
    } finally {
      accounts.ada!.groups = ['staff', 'sb-editors'];
    }
  });

  it('refuses a user without a mapped role with a page that says why, and audits it', async () => {
    const res = await signInAs('nobody');
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('No Signalbox role');
    expect(res.text).toContain('nobody@example.com');
    expect(res.text).toContain('&quot;staff&quot;');
    expect(cookiesOf(res).signalbox_session).toBeUndefined();
    expect(((await t.http.get('/api/v1/users').set(t.admin)).body as Array<{ email: string }>).map((u) => u.email)).not.toContain('nobody@example.com');
    expect((await audit()).filter((e) => e.resourceKey === 'nobody@example.com')).toEqual([
      expect.objectContaining({ action: 'auth.sign_in_failed', reason: 'oidc-no-mapped-role', after: expect.objectContaining({ provider: PROVIDER_NAME }) }),
    ]);
  });

  it('ends the sessions of a user whose claims no longer map to a role', async () => {
    const first = await signInAs('ada');
    expect(first.status).toBe(303);
    const session = cookiesOf(first).signalbox_session!.value;
    expect((await t.http.get('/api/v1/auth/me').set(bearer(session))).status).toBe(200);
    accounts.ada!.groups = ['staff'];
    try {
      expect((await signInAs('ada')).status).toBe(403);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(session))).status).toBe(401);
    } finally {
      accounts.ada!.groups = ['staff', 'sb-editors'];
    }
  });

  it('links an existing password user at their first sign-in only when the provider vouches for the email', async () => {
    const created = await t.http
      .post('/api/v1/users')
      .set(t.admin)
      .send({ email: 'linus@example.com', name: 'Linus', role: 'viewer', password: 'password-123' })
      .expect(201);
    accounts.linus = { email: 'linus@example.com', name: 'Linus T', groups: ['sb-editors'], email_verified: false };
    const ds = t.app.get(DataSource);
    const link = async () =>
      ((await ds.query(`SELECT oidc_subject FROM users WHERE email = 'linus@example.com'`)) as Array<{ oidc_subject: string | null }>)[0]!.oidc_subject;

    const unverified = await signInAs('linus');
    expect(unverified.status).toBe(403);
    expect(unverified.text).toContain('Email already in use');
    expect(cookiesOf(unverified).signalbox_session).toBeUndefined();
    expect(await link()).toBeNull();
    expect((await audit()).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'oidc-email-taken', actorId: created.body.user.id });
    // The password still works: nothing was taken over.
    expect((await t.http.post('/api/v1/auth/login').send({ email: 'linus@example.com', password: 'password-123' })).status).toBe(200);

    accounts.linus.email_verified = true;
    const verified = await signInAs('linus');
    expect(verified.status).toBe(303);
    const me = await t.http.get('/api/v1/auth/me').set(bearer(cookiesOf(verified).signalbox_session!.value));
    expect(me.body.user).toMatchObject({ id: created.body.user.id, email: 'linus@example.com', role: 'editor' });
    expect(await link()).toBe(`${provider.issuer} linus`);
  });

  it("refuses an answer meant for another sign-in (the state does not match this browser's)", async () => {
    const mine = await start();
    const theirs = await start();
    const answer = await signInAtProvider(theirs.location, 'grace', REDIRECT_URI);
    const res = await callback(answer, mine.cookie.value);
    expect(res.status).toBe(403);
    expect(res.text).toContain('state-mismatch');
    expect(cookiesOf(res).signalbox_session).toBeUndefined();
    expect((await audit()).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'oidc-state-mismatch', actorId: null });
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    const started = await start();
    const tampered = new URL(started.location);
    tampered.searchParams.set('nonce', 'a-nonce-from-somewhere-else');
    const res = await callback(await signInAtProvider(tampered.href, 'grace', REDIRECT_URI), started.cookie.value);
    expect(res.status).toBe(403);
    expect(res.text).toContain('nonce-mismatch');
    expect(cookiesOf(res).signalbox_session).toBeUndefined();
    expect((await audit()).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'oidc-nonce-mismatch' });
  });

  it("refuses an ID token that is not the provider's own for this sign-in: altered, signed by another key, for another client, from another issuer, expired", async () => {
    const foreignKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const resigned = (change: (claims: Record<string, unknown>) => Record<string, unknown>) => (jwt: string) => {
      const { header, claims } = decodeJwt(jwt);
      return provider.sign(header, change(claims));
    };
    const cases: Record<string, (jwt: string) => string> = {
      'altered after signing': (jwt) => {
        const [header, , signature] = jwt.split('.');
        const claims = { ...decodeJwt(jwt).claims, groups: ['sb-admins'], email: 'root@example.com' };
        return `${header}.${jwtPart(claims)}.${signature}`;
      },
      'signed by a key the provider does not publish': (jwt) => {
        const { header, claims } = decodeJwt(jwt);
        return signJwt(header, claims, foreignKey);
      },
      'meant for another client': resigned((claims) => ({ ...claims, aud: 'another-client', azp: undefined })),
      'from another issuer': resigned((claims) => ({ ...claims, iss: 'https://idp.example.com' })),
      expired: resigned((claims) => ({ ...claims, iat: now - 7200, exp: now - 3600 })),
      'without a signature': (jwt) => {
        const { claims } = decodeJwt(jwt);
        return `${jwtPart({ alg: 'none' })}.${jwtPart(claims)}.`;
      },
    };
    try {
      for (const [name, tamper] of Object.entries(cases)) {
        provider.tamperIdTokens(tamper);
        const res = await signInAs('grace');
        expect({ name, status: res.status, session: cookiesOf(res).signalbox_session }).toEqual({ name, status: 403, session: undefined });
        expect((await audit()).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'oidc-invalid-response' });
      }
      // The same path with the token re-signed unchanged signs in: each refusal above is the change's.
      provider.tamperIdTokens(resigned((claims) => claims));
      const accepted = await signInAs('grace');
      expect(accepted.status).toBe(303);
      expect(cookiesOf(accepted).signalbox_session).toBeDefined();
    } finally {
      provider.tamperIdTokens(undefined);
    }
  });

  it('refuses a callback without the flow cookie, or with a tampered one, and a code used twice', async () => {
    const started = await start();
    const answer = await signInAtProvider(started.location, 'grace', REDIRECT_URI);
    const without = await callback(answer);
    expect(without.status).toBe(403);
    expect(without.text).toContain('Sign-in expired');
    // One character in the middle changed: every such character carries six bits of the sealed bytes
    // (the last ones may carry only padding bits, which decode to the same bytes: a tamper that is none).
    const value = started.cookie.value;
    const middle = Math.floor(value.length / 2);
    const tampered = await callback(answer, `${value.slice(0, middle)}${value[middle] === 'A' ? 'B' : 'A'}${value.slice(middle + 1)}`);
    expect(tampered.status).toBe(403);
    expect((await callback(answer, started.cookie.value)).status).toBe(303);
    expect((await callback(answer, started.cookie.value)).status).toBe(403);
    expect((await audit()).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'oidc-invalid-response' });
  });

  it('refuses a disabled user', async () => {
    const grace = ((await t.http.get('/api/v1/users').set(t.admin)).body as Array<{ id: string; email: string }>).find((u) => u.email === 'grace@example.com')!;
    await t.http.patch(`/api/v1/users/${grace.id}`).set(t.admin).send({ disabled: true });
    const res = await signInAs('grace');
    expect(res.status).toBe(403);
    expect(res.text).toContain('disabled');
    expect((await audit()).at(-1)).toMatchObject({ action: 'auth.sign_in_failed', reason: 'disabled', actorId: grace.id });
  });

  it('shows the provider cancelling the sign-in as a page, audited', async () => {
    const started = await start();
    const state = new URL(started.location).searchParams.get('state')!;
    const res = await callback(new URL(`${REDIRECT_URI}?error=access_denied&error_description=End-User+aborted&state=${state}`), started.cookie.value);
    expect(res.status).toBe(403);
    expect(res.text).toContain('access_denied: End-User aborted');
    expect((await audit()).at(-1)).toMatchObject({ reason: 'oidc-provider-error' });
  });
});

describe('OIDC configuration', () => {
  it('answers that OIDC is off when it is not configured', async () => {
    const t = await startTestApp();
    try {
      expect((await t.http.get('/api/v1/auth/sign-in-options')).body).toEqual({ oidcProvider: null, oidcStartPath: '/api/v1/auth/oidc/start' });
      expect((await t.http.get('/api/v1/auth/oidc/start')).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('starts while the provider is unreachable, answers its sign-in with 503 "Cannot reach", and passwords still work', async () => {
    // A port nothing listens on: the discovery document cannot be read at start or at sign-in.
    const closed = await freePort();
    const t = await startTestApp({
      env: {
        SIGNALBOX_OIDC_ISSUER: `http://127.0.0.1:${closed}`,
        SIGNALBOX_OIDC_CLIENT_ID: CLIENT_ID,
        SIGNALBOX_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SIGNALBOX_OIDC_REDIRECT_URL: REDIRECT_URI,
        SIGNALBOX_OIDC_NAME: 'Corp SSO',
        SIGNALBOX_OIDC_ROLE_MAP: 'sb-admins=admin',
      },
    });
    try {
      await t.http.get('/readyz').expect(200);
      expect((await t.http.get('/api/v1/auth/sign-in-options')).body).toMatchObject({ oidcProvider: 'Corp SSO' });
      const start = await t.http.get('/api/v1/auth/oidc/start');
      expect(start.status).toBe(503);
      expect(start.text).toContain('Cannot reach Corp SSO');
      const viewer = await aUser(t.http, t.admin, 'viewer');
      await t.http.get('/api/v1/projects').set(bearer(viewer.token)).expect(200);
    } finally {
      await t.close();
    }
  });

  it('stops the server at start with a message naming what is missing or wrong', async () => {
    const main = path.resolve(import.meta.dirname, '../../../dist/src/main.js');
    expect(fs.existsSync(main), `${main} is missing: run node scripts/build.mjs`).toBe(true);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-oidc-config-'));
    try {
      const run = (env: Record<string, string>) =>
        new Promise<{ code: number | null; output: string }>((resolve) => {
          const child = spawn(process.execPath, [main], {
            env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SIGNALBOX_DATA_DIR: dataDir, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let output = '';
          child.stdout.on('data', (c: Buffer) => (output += c.toString()));
          child.stderr.on('data', (c: Buffer) => (output += c.toString()));
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('exit', (code) => (clearTimeout(timer), resolve({ code, output })));
        });
      const half = await run({ SIGNALBOX_OIDC_ISSUER: 'https://login.example.com', SIGNALBOX_OIDC_CLIENT_ID: 'signalbox' });
      expect(half.code).not.toBe(0);
      expect(half.output).toContain('also set SIGNALBOX_OIDC_CLIENT_SECRET, SIGNALBOX_OIDC_REDIRECT_URL, SIGNALBOX_OIDC_ROLE_MAP');
      const badMap = await run({
        SIGNALBOX_OIDC_ISSUER: 'https://login.example.com',
        SIGNALBOX_OIDC_CLIENT_ID: 'signalbox',
        SIGNALBOX_OIDC_CLIENT_SECRET: 'x',
        SIGNALBOX_OIDC_REDIRECT_URL: 'https://flags.example.com/api/v1/auth/oidc/callback',
        SIGNALBOX_OIDC_ROLE_MAP: 'sb-admins=superuser',
      });
      expect(badMap.code).not.toBe(0);
      expect(badMap.output).toContain('SIGNALBOX_OIDC_ROLE_MAP: "sb-admins=superuser" is not <claim value>=<viewer|editor|admin>');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
