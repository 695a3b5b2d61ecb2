import crypto from 'node:crypto';
import type { Server } from 'node:http';
import net from 'node:net';
import Provider from 'oidc-provider';

/** People at the test provider: the login typed at its page → their claims. */
export type TestAccounts = Record<string, { email: string; name: string; groups: string[]; email_verified?: boolean }>;

/** A port nothing listens on now (the probe bound it, then let it go). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

interface GrantContext {
  oidc: {
    result?: { consent?: { grantId?: string } };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    client: { clientId: string };
    provider: { Grant: Provider['Grant'] & { find(id: string): Promise<unknown> } };
  };
}

/** A JSON Web Token's header and claims, read without checking anything. */
export const decodeJwt = (jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } => {
  const [header, claims] = jwt
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  return { header: header!, claims: claims! };
};

/** One part of a JSON Web Token: `value` as base64url JSON. */
export const jwtPart = (value: Record<string, unknown>): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 JSON Web Token of `header` and `claims` signed with `key`. */
export const signJwt = (header: Record<string, unknown>, claims: Record<string, unknown>, key: crypto.KeyObject): string => {
  const input = `${jwtPart(header)}.${jwtPart(claims)}`;
  return `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
};

export interface TestProvider {
  issuer: string;
  /** Signs as the provider does (its own key, published in its JWKS). */
  sign(header: Record<string, unknown>, claims: Record<string, unknown>): string;
  /** From now on the ID token the token endpoint returns is `tamper(idToken)`; `undefined` stops. */
  tamperIdTokens(tamper: ((idToken: string) => string) | undefined): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package) on a free loopback port, with its
 * development login page (any password; the login names the account) and consent skipped.
 * Groups are served from userinfo, as many providers do. It signs with a key of its own that the
 * test can use too, to hand out ID tokens the provider did not mean.
 */
export const startTestProvider = async (options: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: TestAccounts;
}): Promise<TestProvider> => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-provider-key';
  let tamper: ((idToken: string) => string) | undefined;
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    // Groups come with the profile scope, so the client need not ask for a scope of its own.
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => {
        const account = options.accounts[id] ?? { email: `${id}@example.com`, name: id, groups: [] };
        return { sub: id, email: account.email, email_verified: account.email_verified ?? true, name: account.name, groups: account.groups };
      },
    }),
    // First-party client: the grant is given without a consent page.
    loadExistingGrant: async (ctx: GrantContext) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    // Short lifetimes, given so the provider does not warn about its defaults.
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (tamper !== undefined && ctx.path === '/token' && typeof body?.id_token === 'string') ctx.body = { ...body, id_token: tamper(body.id_token) };
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  return {
    issuer,
    sign: (header, claims) => signJwt({ ...header, kid }, claims, privateKey),
    tamperIdTokens: (next) => (tamper = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/**
 * Goes through the provider's pages as a browser would: from `authorizationUrl`, signs in as
 * `login` on its development login form, and returns where the provider sends the browser back
 * (the redirect URL with code and state), without following it. Each call is a new browser.
 */
export const signInAtProvider = async (authorizationUrl: string, login: string, redirectUri: string): Promise<URL> => {
  // A fresh browser each time (no session at the provider from an earlier sign-in); cookies kept per origin.
  const jar = new Map<string, Map<string, string>>();
  let url = new URL(authorizationUrl);
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 12; hop++) {
    const cookies = jar.get(url.origin) ?? new Map<string, string>();
    jar.set(url.origin, cookies);
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || !prompt) throw new Error(`unexpected page at the provider (${res.status}): ${html.slice(0, 500)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url);
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
  }
  throw new Error('the provider did not send the browser back');
};
