import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, TEST_SECRET_KEY } from '../../test/test-app.js';
import { cloneTemplate } from '../../test/test-database.js';
import { signInAtProvider, startTestProvider } from '../../test/oidc-test-provider.js';
import { totpCode } from './two-factor/totp.js';

const CLIENT_SECRET = 'oidc-client-secret-for-log-test';
const ADMIN_PASSWORD = 'admin-password-for-2fa-log-test';
const REDIRECT_URI = 'http://localhost:4998/api/v1/auth/oidc/callback';

/**
 * The second factor and OIDC through a real server process logging at its most verbose level: no
 * TOTP secret, code or recovery code, no OIDC client secret, code, state, nonce or session appears
 * in what it printed.
 */
describe('sign-in secrets never reach the logs', () => {
  let server: ServerProcess;
  let provider: Awaited<ReturnType<typeof startTestProvider>>;
  const secrets = new Map<string, string>([
    ['admin password', ADMIN_PASSWORD],
    ['client secret', CLIENT_SECRET],
  ]);
  const call = async (path: string, init: { method?: string; body?: unknown; bearer?: string; cookie?: string } = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
        'content-type': 'application/json',
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  beforeAll(async () => {
    provider = await startTestProvider({
      clientId: 'signalbox',
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      accounts: { ada: { email: 'ada@example.com', name: 'Ada', groups: ['sb-editors'] } },
    });
    const db = await cloneTemplate();
    server = await startServerProcess(
      {
        SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
        SIGNALBOX_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOG_LEVEL: 'trace',
        SIGNALBOX_OIDC_ISSUER: provider.issuer,
        SIGNALBOX_OIDC_CLIENT_ID: 'signalbox',
        SIGNALBOX_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SIGNALBOX_OIDC_REDIRECT_URL: REDIRECT_URI,
        SIGNALBOX_OIDC_ROLE_MAP: 'sb-editors=editor',
        ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY } : { SIGNALBOX_DATA_DIR: db.dataDir! }),
      },
      120_000,
    );
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
    await provider?.close();
  });

  it('enrols, signs in with a code and a recovery code, and through the provider, without printing a secret', async () => {
    const login = await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD } });
    const session = login.body.token as string;
    secrets.set('session', session);
    const begun = await call('/api/v1/auth/two-factor/enrolment', { method: 'POST', bearer: session });
    const secret = begun.body.secret as string;
    secrets.set('totp secret', secret);
    const now = Math.floor(Date.now() / 1000);
    const confirmed = await call('/api/v1/auth/two-factor/enrolment/confirm', {
      method: 'POST',
      bearer: session,
      body: { code: await totpCode({ secret, epoch: now }) },
    });
    expect(confirmed.status).toBe(200);
    const [recovery] = confirmed.body.recoveryCodes as string[];
    secrets.set('recovery code', recovery!);
    const code = await totpCode({ secret, epoch: now + 30 });
    expect((await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD, code } })).status).toBe(200);
    expect((await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD, code } })).status).toBe(401);
    expect(
      (await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD, recoveryCode: recovery } })).status,
    ).toBe(200);
    const wrongRecovery = 'zzzz-yyyy-xxxx-wwww';
    secrets.set('wrong recovery code', wrongRecovery);
    expect(
      (await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD, recoveryCode: wrongRecovery } }))
        .status,
    ).toBe(401);

    const start = await call('/api/v1/auth/oidc/start');
    const location = new URL(start.headers.get('location')!);
    const flowCookie = start.headers
      .getSetCookie()
      .find((c) => c.startsWith('signalbox_oidc='))!
      .split(';')[0]!;
    for (const param of ['state', 'nonce', 'code_challenge']) secrets.set(param, location.searchParams.get(param)!);
    secrets.set('flow cookie', flowCookie.slice('signalbox_oidc='.length));
    const answer = await signInAtProvider(location.href, 'ada', REDIRECT_URI);
    secrets.set('authorization code', answer.searchParams.get('code')!);
    const back = await call(`/api/v1/auth/oidc/callback${answer.search}`, { cookie: flowCookie });
    expect(back.status).toBe(303);
    secrets.set(
      'oidc session',
      back.headers
        .getSetCookie()
        .find((c) => c.startsWith('signalbox_session='))!
        .split(';')[0]!
        .slice('signalbox_session='.length),
    );
    // The same answer again is refused (and logged as refused), still without its secrets.
    expect((await call(`/api/v1/auth/oidc/callback${answer.search}`, { cookie: flowCookie })).status).toBe(403);

    // The process writes its log asynchronously: wait for the last line before reading everything.
    const deadline = Date.now() + 10_000;
    while (!server.output().includes('refused an OIDC sign-in') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const output = server.output();
    expect(output).toContain('refused an OIDC sign-in');
    for (const [what, value] of secrets) expect(output.includes(value), `${what} was printed`).toBe(false);
  });
});
