import 'reflect-metadata';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const configError = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
};

describe('loadConfig', () => {
  it('uses the defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: path.resolve('data'),
      adminToken: undefined,
      adminEmail: 'admin@signalbox.local',
      adminPassword: undefined,
      demo: true,
      sessionTtlHours: 168,
      logLevel: 'info',
      webhookPrivateAllowlist: [],
      shutdownGraceMs: 10_000,
      trustProxy: false,
    });
  });

  it('reads which proxies to trust: hops, addresses, ranges and names, never any proxy at all', () => {
    expect(loadConfig({ SIGNALBOX_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ SIGNALBOX_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ SIGNALBOX_TRUST_PROXY: ' loopback, 10.0.0.0/8 ,fd00::/8, 192.0.2.7 ' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
    expect(() => loadConfig({ SIGNALBOX_TRUST_PROXY: 'true' })).toThrow(/SIGNALBOX_TRUST_PROXY: true would trust any client/);
    expect(() => loadConfig({ SIGNALBOX_TRUST_PROXY: 'loopback,10.0.0.0/33,proxy.local' })).toThrow(
      /SIGNALBOX_TRUST_PROXY: "10.0.0.0\/33", "proxy.local" is not/,
    );
    expect(() => loadConfig({ SIGNALBOX_TRUST_PROXY: '11' })).toThrow(ConfigError);
  });

  it('reads the shutdown grace period and refuses one that is not a number of milliseconds', () => {
    expect(loadConfig({ SIGNALBOX_SHUTDOWN_GRACE_MS: '2500' }).shutdownGraceMs).toBe(2500);
    expect(() => loadConfig({ SIGNALBOX_SHUTDOWN_GRACE_MS: 'soon' })).toThrow(/SIGNALBOX_SHUTDOWN_GRACE_MS/);
  });

  it('reads the telemetry retention in days (90 by default) and refuses anything but 1 to 3650 whole days', () => {
    expect(loadConfig({}).telemetryRetentionDays).toBe(90);
    expect(loadConfig({ SIGNALBOX_TELEMETRY_RETENTION_DAYS: '400' }).telemetryRetentionDays).toBe(400);
    for (const value of ['0', '3651', '1.5', 'forever'])
      expect(() => loadConfig({ SIGNALBOX_TELEMETRY_RETENTION_DAYS: value })).toThrow(/SIGNALBOX_TELEMETRY_RETENTION_DAYS/);
  });

  it('reads how many telemetry rows may be held through an outage (500,000 by default), from 100 to 50,000,000', () => {
    expect(loadConfig({}).telemetryMaxHeldRows).toBe(500_000);
    expect(loadConfig({ SIGNALBOX_TELEMETRY_MAX_HELD_ROWS: '2000' }).telemetryMaxHeldRows).toBe(2000);
    for (const value of ['99', '50000001', '1e3x', 'lots'])
      expect(() => loadConfig({ SIGNALBOX_TELEMETRY_MAX_HELD_ROWS: value })).toThrow(/SIGNALBOX_TELEMETRY_MAX_HELD_ROWS/);
  });

  it('reads only the environment it is given', () => {
    const saved = process.env.PORT;
    process.env.PORT = '1234';
    try {
      expect(loadConfig({}).port).toBe(4000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('takes valid overrides, converting numbers, booleans and paths', () => {
    expect(
      loadConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u@db:5432/signalbox',
        SIGNALBOX_DATA_DIR: 'var/signalbox',
        SIGNALBOX_ADMIN_TOKEN: 'a'.repeat(16),
        SIGNALBOX_ADMIN_EMAIL: 'ops@example.com',
        SIGNALBOX_ADMIN_PASSWORD: 'eight-ch',
        SIGNALBOX_DEMO: 'false',
        SIGNALBOX_SESSION_TTL_HOURS: '12',
        SIGNALBOX_WEB_DIR: '/srv/console',
        SIGNALBOX_SECRET_KEY: 's'.repeat(32),
        LOG_LEVEL: 'debug',
      }),
    ).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u@db:5432/signalbox',
      dataDir: path.resolve('var/signalbox'),
      adminToken: 'a'.repeat(16),
      adminEmail: 'ops@example.com',
      adminPassword: 'eight-ch',
      demo: false,
      sessionTtlHours: 12,
      webDir: '/srv/console',
      secretKey: 's'.repeat(32),
      logLevel: 'debug',
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
  ])('reads SIGNALBOX_DEMO=%s as %s', (value, expected) => {
    expect(loadConfig({ SIGNALBOX_DEMO: value }).demo).toBe(expected);
  });

  it('treats an empty PORT as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(4000);
  });

  it.each(['abc', '70000', '-1', '80.5', '65536'])('refuses PORT=%s with a ConfigError naming PORT', (value) => {
    const err = configError({ PORT: value });
    expect(err.message).toMatch(/^Invalid configuration:\n {2}PORT: /);
    expect(err.message).not.toMatch(/\n {2}(?!PORT)\w+:/);
  });

  it('accepts the edge ports 0 and 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('refuses an admin token shorter than 16 characters, and accepts 16', () => {
    expect(configError({ SIGNALBOX_ADMIN_TOKEN: 'a'.repeat(15) }).message).toContain(
      'SIGNALBOX_ADMIN_TOKEN: SIGNALBOX_ADMIN_TOKEN must be at least 16 characters',
    );
    expect(loadConfig({ SIGNALBOX_ADMIN_TOKEN: 'a'.repeat(16) }).adminToken).toBe('a'.repeat(16));
  });

  it('refuses a secret key shorter than 32 characters', () => {
    expect(configError({ SIGNALBOX_SECRET_KEY: 'k'.repeat(31) }).message).toContain(
      'SIGNALBOX_SECRET_KEY: SIGNALBOX_SECRET_KEY must be at least 32 characters',
    );
    expect(loadConfig({}).secretKey).toBeUndefined();
  });

  it('reads the webhook private-address allowlist as trimmed entries, and names the ones it cannot read', () => {
    expect(loadConfig({ SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: ' 10.0.0.0/8, hooks.internal ,::1,,' }).webhookPrivateAllowlist).toEqual([
      '10.0.0.0/8',
      'hooks.internal',
      '::1',
    ]);
    expect(loadConfig({ SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '*' }).webhookPrivateAllowlist).toEqual(['*']);
    const message = configError({ SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '10.0.0.0/33, http://x, ok.host' }).message;
    expect(message).toContain('SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: "10.0.0.0/33", "http://x" is not *, an IP address, a CIDR range or a host name');
  });

  it.each(['verbose', 'INFO', ''])('refuses LOG_LEVEL=%j with a ConfigError naming LOG_LEVEL', (value) => {
    expect(configError({ LOG_LEVEL: value }).message).toMatch(/\n {2}LOG_LEVEL: /);
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts LOG_LEVEL=%s', (value) => {
    expect(loadConfig({ LOG_LEVEL: value }).logLevel).toBe(value);
  });

  it('refuses a short admin password, a zero session lifetime and an empty DATABASE_URL', () => {
    expect(configError({ SIGNALBOX_ADMIN_PASSWORD: 'short' }).message).toContain(
      'SIGNALBOX_ADMIN_PASSWORD: SIGNALBOX_ADMIN_PASSWORD must be at least 8 characters',
    );
    expect(configError({ SIGNALBOX_SESSION_TTL_HOURS: '0' }).message).toMatch(/\n {2}SIGNALBOX_SESSION_TTL_HOURS: /);
    expect(configError({ DATABASE_URL: '' }).message).toMatch(/\n {2}DATABASE_URL: /);
  });

  it('names every invalid variable at once', () => {
    const message = configError({ PORT: 'x', SIGNALBOX_ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud' }).message;
    for (const name of ['PORT', 'SIGNALBOX_ADMIN_TOKEN', 'LOG_LEVEL']) expect(message).toMatch(new RegExp(`\\n {2}${name}: `));
  });

  it('refuses SIGNALBOX_DEMO=banana with a ConfigError naming SIGNALBOX_DEMO', () => {
    expect(configError({ SIGNALBOX_DEMO: 'banana' }).message).toMatch(/\n {2}SIGNALBOX_DEMO: /);
  });
});
