import { ROLES, type Role } from '../auth/roles.js';

/** Sign-in through an OpenID Connect provider (authorization code flow with PKCE). */
export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: this server's `/api/v1/auth/oidc/callback`. */
  redirectUrl: URL;
  /** Shown on the sign-in button: "Sign in with <name>". */
  name: string;
  scopes: string;
  /** Where the roles are in the ID token or userinfo: a claim name, or a dotted path (`realm_access.roles`). */
  roleClaim: string;
  /** A claim value → the Signalbox role it grants; the highest one granted wins. */
  roleMap: ReadonlyMap<string, Role>;
}

export interface AuthSettings {
  oidc: OidcConfig | null;
  /** Password users must enrol a second factor before anything else (OIDC users rely on their provider's). */
  requireTwoFactor: boolean;
}

export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
export const OIDC_START_PATH = '/api/v1/auth/oidc/start';

const REQUIRED = [
  'SIGNALBOX_OIDC_ISSUER',
  'SIGNALBOX_OIDC_CLIENT_ID',
  'SIGNALBOX_OIDC_CLIENT_SECRET',
  'SIGNALBOX_OIDC_REDIRECT_URL',
  'SIGNALBOX_OIDC_ROLE_MAP',
];
const ALL = [...REQUIRED, 'SIGNALBOX_OIDC_NAME', 'SIGNALBOX_OIDC_SCOPES', 'SIGNALBOX_OIDC_ROLE_CLAIM'];

const isLoopback = (url: URL): boolean => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const httpUrl = (name: string, raw: string, problems: string[]): URL | null => {
  if (!URL.canParse(raw)) {
    problems.push(`${name}: ${JSON.stringify(raw)} is not a URL`);
    return null;
  }
  const url = new URL(raw);
  // Plain http only on this machine: a provider's answers over a network must not be open to tampering.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    problems.push(`${name}: must be an https URL (http only for localhost), not ${JSON.stringify(raw)}`);
    return null;
  }
  return url;
};

/** `value=role` pairs separated by commas; a value may itself hold `=` (the last one separates the role), not a comma. */
const parseRoleMap = (raw: string, problems: string[]): Map<string, Role> => {
  const map = new Map<string, Role>();
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const at = entry.lastIndexOf('=');
    const value = at > 0 ? entry.slice(0, at).trim() : '';
    const role = at > 0 ? entry.slice(at + 1).trim() : '';
    if (value === '' || !(ROLES as readonly string[]).includes(role)) {
      problems.push(`SIGNALBOX_OIDC_ROLE_MAP: ${JSON.stringify(entry)} is not <claim value>=<${ROLES.join('|')}>`);
      continue;
    }
    if (map.has(value)) problems.push(`SIGNALBOX_OIDC_ROLE_MAP: ${JSON.stringify(value)} is mapped twice`);
    map.set(value, role as Role);
  }
  if (map.size === 0 && problems.length === 0) problems.push('SIGNALBOX_OIDC_ROLE_MAP: maps no value to a role, so no one could sign in');
  return map;
};

const toBoolean = (name: string, raw: string | undefined, problems: string[]): boolean => {
  const word = (raw ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(word)) return false;
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  problems.push(`${name}: must be true or false, not ${JSON.stringify(raw)}`);
  return false;
};

/** The sign-in settings, or the list of what is wrong with them (one line per problem). */
export const parseAuthSettings = (env: NodeJS.ProcessEnv): { settings: AuthSettings; problems: string[] } => {
  const problems: string[] = [];
  const requireTwoFactor = toBoolean('SIGNALBOX_REQUIRE_TWO_FACTOR', env.SIGNALBOX_REQUIRE_TWO_FACTOR, problems);
  const given = ALL.filter((name) => (env[name] ?? '').trim() !== '');
  if (given.length === 0) return { settings: { oidc: null, requireTwoFactor }, problems };
  const missing = REQUIRED.filter((name) => (env[name] ?? '').trim() === '');
  if (missing.length > 0) {
    problems.push(`OIDC sign-in is half configured (${given.join(', ')} set): also set ${missing.join(', ')}`);
    return { settings: { oidc: null, requireTwoFactor }, problems };
  }
  const value = (name: string) => env[name]!.trim();
  const issuer = httpUrl('SIGNALBOX_OIDC_ISSUER', value('SIGNALBOX_OIDC_ISSUER'), problems);
  const redirectUrl = httpUrl('SIGNALBOX_OIDC_REDIRECT_URL', value('SIGNALBOX_OIDC_REDIRECT_URL'), problems);
  if (redirectUrl && redirectUrl.pathname !== OIDC_CALLBACK_PATH) {
    problems.push(
      `SIGNALBOX_OIDC_REDIRECT_URL: must be this server's ${OIDC_CALLBACK_PATH} (e.g. https://flags.example.com${OIDC_CALLBACK_PATH}), not ${redirectUrl.href}`,
    );
  }
  const roleMap = parseRoleMap(value('SIGNALBOX_OIDC_ROLE_MAP'), problems);
  const scopes = (env.SIGNALBOX_OIDC_SCOPES ?? '').trim() || 'openid email profile';
  if (!scopes.split(/\s+/).includes('openid')) problems.push(`SIGNALBOX_OIDC_SCOPES: must include openid, not ${JSON.stringify(scopes)}`);
  if (problems.length > 0 || !issuer || !redirectUrl) return { settings: { oidc: null, requireTwoFactor }, problems };
  return {
    settings: {
      requireTwoFactor,
      oidc: {
        issuer,
        clientId: value('SIGNALBOX_OIDC_CLIENT_ID'),
        clientSecret: value('SIGNALBOX_OIDC_CLIENT_SECRET'),
        redirectUrl,
        name: (env.SIGNALBOX_OIDC_NAME ?? '').trim() || issuer.hostname,
        scopes,
        roleClaim: (env.SIGNALBOX_OIDC_ROLE_CLAIM ?? '').trim() || 'groups',
        roleMap,
      },
    },
    problems,
  };
};
