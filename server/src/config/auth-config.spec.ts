import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const oidc = {
  SIGNALBOX_OIDC_ISSUER: 'https://login.example.com/realms/main',
  SIGNALBOX_OIDC_CLIENT_ID: 'signalbox',
  SIGNALBOX_OIDC_CLIENT_SECRET: 'shh',
  SIGNALBOX_OIDC_REDIRECT_URL: 'https://flags.example.com/api/v1/auth/oidc/callback',
  SIGNALBOX_OIDC_ROLE_MAP: 'sb-admins=admin, sb-editors=editor,team=ops=viewer',
};

const problems = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('sign-in configuration', () => {
  it('has no OIDC and no required second factor by default', () => {
    expect(loadConfig({})).toMatchObject({ oidc: null, requireTwoFactor: false });
    expect(loadConfig({ SIGNALBOX_REQUIRE_TWO_FACTOR: 'true' }).requireTwoFactor).toBe(true);
  });

  it('reads OIDC with its defaults: groups as the role claim, the issuer host as the name', () => {
    const config = loadConfig(oidc).oidc!;
    expect(config.issuer.href).toBe('https://login.example.com/realms/main');
    expect(config).toMatchObject({
      clientId: 'signalbox',
      clientSecret: 'shh',
      name: 'login.example.com',
      roleClaim: 'groups',
      scopes: 'openid email profile',
    });
    expect([...config.roleMap]).toEqual([
      ['sb-admins', 'admin'],
      ['sb-editors', 'editor'],
      ['team=ops', 'viewer'],
    ]);
  });

  it.each([
    [
      'only an issuer',
      { SIGNALBOX_OIDC_ISSUER: 'https://x' },
      /half configured \(SIGNALBOX_OIDC_ISSUER set\): also set SIGNALBOX_OIDC_CLIENT_ID, SIGNALBOX_OIDC_CLIENT_SECRET/,
    ],
    [
      'an http issuer elsewhere than localhost',
      { ...oidc, SIGNALBOX_OIDC_ISSUER: 'http://login.example.com' },
      /SIGNALBOX_OIDC_ISSUER: must be an https URL \(http only for localhost\)/,
    ],
    ['an issuer that is not a URL', { ...oidc, SIGNALBOX_OIDC_ISSUER: 'not a url' }, /SIGNALBOX_OIDC_ISSUER: "not a url" is not a URL/],
    [
      'a redirect URL off the callback path',
      { ...oidc, SIGNALBOX_OIDC_REDIRECT_URL: 'https://flags.example.com/callback' },
      /SIGNALBOX_OIDC_REDIRECT_URL: must be this server's \/api\/v1\/auth\/oidc\/callback/,
    ],
    [
      'an unknown role',
      { ...oidc, SIGNALBOX_OIDC_ROLE_MAP: 'sb-admins=owner' },
      /SIGNALBOX_OIDC_ROLE_MAP: "sb-admins=owner" is not <claim value>=<viewer\|editor\|admin>/,
    ],
    ['a value mapped twice', { ...oidc, SIGNALBOX_OIDC_ROLE_MAP: 'a=admin,a=viewer' }, /"a" is mapped twice/],
    ['an empty role map', { ...oidc, SIGNALBOX_OIDC_ROLE_MAP: ' , ' }, /SIGNALBOX_OIDC_ROLE_MAP: maps no value to a role/],
    ['scopes without openid', { ...oidc, SIGNALBOX_OIDC_SCOPES: 'email profile' }, /SIGNALBOX_OIDC_SCOPES: must include openid/],
    ['a second-factor switch that is not a boolean', { SIGNALBOX_REQUIRE_TWO_FACTOR: 'sometimes' }, /SIGNALBOX_REQUIRE_TWO_FACTOR: must be true or false/],
  ])('refuses %s with a message naming the variable', (_, env, message) => {
    expect(problems(env as Record<string, string>)).toMatch(message);
  });
});
