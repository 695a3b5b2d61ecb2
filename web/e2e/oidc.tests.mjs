// OIDC sign-in in Chromium: a real OpenID Connect provider (the oidc-provider package, with its
// development login page) and a second Signalbox server configured for it, both started here on
// free loopback ports. The user clicks "Sign in with …", logs in at the provider and lands in the
// console with the role their groups map to; a user without a mapped role gets the refusal page.
// Also the other half of the console's sign-in (issue 21): enrolling a TOTP second factor and
// signing in with a code, then with a recovery code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const CLIENT_ID = 'signalbox-e2e';
const CLIENT_SECRET = 'e2e-oidc-client-secret-0123456789';
const PROVIDER_NAME = 'Acme SSO';
const ACCOUNTS = {
  ada: { email: 'ada@example.com', name: 'Ada Lovelace', groups: ['staff', 'sb-editors'] },
  nobody: { email: 'nobody@example.com', name: 'No Body', groups: ['staff'] },
};

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const startProvider = async (redirectUri) => {
  // Loaded here, not at the top: run.mjs imports every area file, and this package prints warnings when loaded.
  const { default: Provider } = await import('oidc-provider');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email_verified: true, ...(ACCOUNTS[id] ?? { email: `${id}@example.com`, name: id, groups: [] }) }),
    }),
    // First-party client: no consent page.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
    // Short lifetimes, given so the provider does not warn about its defaults.
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { issuer, close: () => new Promise((resolve) => server.close(resolve)) };
};

/** The built server, configured for the provider, on `port`; resolves with its URL once it listens. */
const startSignalbox = (port, issuer) =>
  new Promise((resolve, reject) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-e2e-oidc-'));
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, [path.join(root, 'server/dist/src/main.js')], {
      cwd: root,
      env: {
        ...inherited,
        PORT: String(port),
        HOST: '127.0.0.1',
        SIGNALBOX_DATA_DIR: dataDir,
        SIGNALBOX_ADMIN_PASSWORD: 'e2e-admin-password',
        SIGNALBOX_DEMO: 'true',
        SIGNALBOX_WEB_DIR: path.join(root, 'web/dist'),
        SIGNALBOX_OIDC_ISSUER: issuer,
        SIGNALBOX_OIDC_CLIENT_ID: CLIENT_ID,
        SIGNALBOX_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SIGNALBOX_OIDC_REDIRECT_URL: `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`,
        SIGNALBOX_OIDC_NAME: PROVIDER_NAME,
        SIGNALBOX_OIDC_ROLE_MAP: 'sb-viewers=viewer,sb-editors=editor,sb-admins=admin',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const stop = async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((done) => child.once('exit', done));
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
    // A busy machine (CI, other tests) can take most of a minute to start a server.
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`the OIDC server did not start:\n${log.slice(-2000)}`))), 150_000);
    child.stdout.on('data', (chunk) => {
      log += chunk;
      if (/console http:\/\//.test(log)) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, stop });
      }
    });
    child.stderr.on('data', (chunk) => (log += chunk));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the OIDC server exited with ${code}:\n${log.slice(-2000)}`))));
  });

/** The provider and a server that signs in through it, for one test. */
const withOidc = async (run) => {
  const port = await freePort();
  const provider = await startProvider(`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`);
  let signalbox;
  try {
    signalbox = await startSignalbox(port, provider.issuer);
    await run(signalbox.url);
  } finally {
    await signalbox?.stop();
    await provider.close();
  }
};

const logInAtProvider = async (page, login) => {
  // The provider's development login form: any password, the login names the account.
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
};

const signInWithPassword = async (page, email, password) => {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

export const tests = [
  {
    name: 'totp: a user enrols a second factor in the console, then signs in with a code, then with a recovery code',
    run: async ({ page, api }) => {
      const { generate } = await import('otplib');
      const email = 'tess.totp@e2e.test';
      const { password } = await api('POST', '/users', { email, name: 'Tess Totp', role: 'editor' });
      await page.goto('/');
      await signInWithPassword(page, email, password);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Two-factor sign-in' }).click();
      await page.getByRole('button', { name: 'Set up' }).click();
      const secret = (await page.getByLabel('Setup key').textContent()).replace(/\s/g, '');
      assert.match(await page.getByRole('link', { name: 'this otpauth link' }).getAttribute('href'), /^otpauth:\/\/totp\/.*secret=/);
      const now = () => Math.floor(Date.now() / 1000);
      await page.getByLabel('Code from the app').fill(await generate({ secret, epoch: now() }));
      await page.getByRole('button', { name: 'Turn on' }).click();
      const recovery = page.getByRole('list', { name: 'Recovery codes' }).locator('code');
      await recovery.nth(9).waitFor();
      const codes = (await recovery.allTextContents()).map((c) => c.trim());
      assert.equal(codes.length, 10);
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await page.getByText('10 recovery codes left', { exact: false }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      // The password alone now leads to the code; the next step's code (the current one was used to enrol) signs in.
      await signInWithPassword(page, email, password);
      await page.getByLabel('Code from your authenticator app').fill(await generate({ secret, epoch: now() + 30 }));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('.whoami').getByText('Tess Totp').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      await signInWithPassword(page, email, password);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('.whoami').getByText('Tess Totp').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      // A recovery code works once.
      await signInWithPassword(page, email, password);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]);
      await page.getByRole('button', { name: 'Verify' }).click();
      assert.equal(await page.getByRole('alert').textContent(), 'The code is wrong or was already used');
    },
  },
  {
    name: 'oidc: "Sign in with" the provider lands in the console with the mapped role; an unmapped user gets a page saying why',
    // It starts a server of its own, configured for the provider.
    timeoutMs: 240_000,
    run: async ({ page }) => {
      await withOidc(async (url) => {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
        await page.waitForURL((u) => !u.href.startsWith(url));
        await logInAtProvider(page, 'ada');
        // Back in the console, signed in as Ada with the editor role her group maps to.
        await page.waitForURL((u) => u.href.startsWith(url) && !u.pathname.startsWith('/api/'));
        const whoami = page.locator('.whoami');
        await whoami.getByText('Ada Lovelace').waitFor();
        await whoami.getByText('editor', { exact: true }).waitFor();
        const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json());
        assert.equal(me.user.email, 'ada@example.com');
        assert.equal(me.role, 'editor');
        assert.equal(me.user.singleSignOn, true);

        await whoami.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).waitFor();
        // A fresh browser session at the provider for someone else.
        await page.context().clearCookies();
        await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
        await page.waitForURL((u) => !u.href.startsWith(url));
        await logInAtProvider(page, 'nobody');
        await page.getByRole('heading', { name: 'No Signalbox role' }).waitFor();
        assert.match(await page.getByRole('alert').textContent(), /nobody@example\.com has no Signalbox role.*"staff"/);
        await page.getByRole('link', { name: 'Back to the Signalbox sign-in page' }).click();
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      });
    },
  },
];
