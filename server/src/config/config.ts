import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, validateSync } from 'class-validator';
import path from 'node:path';
import { invalidAllowlistEntries, parseAddressRange } from '../common/net/address-list.js';
import { type AuthSettings, parseAuthSettings } from './auth-config.js';

// Unrecognised words stay strings, so @IsBoolean rejects a typo instead of reading it as false.
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined) return undefined;
  const word = String(value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['0', 'false', 'no', 'off'].includes(word)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Environment variables the server reads; this file is the only reader of process.env. */
class EnvironmentVariables {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  SIGNALBOX_DATA_DIR?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'SIGNALBOX_ADMIN_TOKEN must be at least 16 characters' })
  SIGNALBOX_ADMIN_TOKEN?: string;

  @IsOptional()
  @IsString()
  SIGNALBOX_ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'SIGNALBOX_ADMIN_PASSWORD must be at least 8 characters' })
  SIGNALBOX_ADMIN_PASSWORD?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'SIGNALBOX_DEMO must be true or false' })
  SIGNALBOX_DEMO?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SIGNALBOX_SESSION_TTL_HOURS?: number;

  @IsOptional()
  @IsString()
  SIGNALBOX_WEB_DIR?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'SIGNALBOX_METRICS_TOKEN must be at least 16 characters' })
  SIGNALBOX_METRICS_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SIGNALBOX_SECRET_KEY must be at least 32 characters' })
  SIGNALBOX_SECRET_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SIGNALBOX_SECRET_KEY_PREVIOUS must be at least 32 characters' })
  SIGNALBOX_SECRET_KEY_PREVIOUS?: string;

  @IsOptional()
  @IsString()
  SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SIGNALBOX_SHUTDOWN_GRACE_MS?: number;

  @IsOptional()
  @IsString()
  SIGNALBOX_TRUST_PROXY?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  SIGNALBOX_TELEMETRY_RETENTION_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(50_000_000)
  SIGNALBOX_TELEMETRY_MAX_HELD_ROWS?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
}

/** `AuthSettings`: OIDC sign-in and the second factor (auth-config.ts). */
export interface AppConfig extends AuthSettings {
  port: number;
  host: string;
  /** Unset: the embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  adminToken: string | undefined;
  adminEmail: string;
  /** Password of the first admin; unset: a random one is printed once. */
  adminPassword: string | undefined;
  /** Create the demo project when the database has no project. */
  demo: boolean;
  sessionTtlHours: number;
  /** Built console to serve at `/`; absent when not built. */
  webDir: string;
  logLevel: string;
  /** When set, /metrics requires it as a bearer token. */
  metricsToken: string | undefined;
  /** Encrypts stored secrets the server must reuse (webhook signing secrets); unset: a key file in `dataDir`. */
  secretKey: string | undefined;
  /** The key `secretKey` replaced: what it sealed is sealed again with the new one at start. */
  previousSecretKey: string | undefined;
  /** Non-public addresses webhooks may still go to: `*`, IPs, CIDR ranges or host names. Empty: public addresses only. */
  webhookPrivateAllowlist: string[];
  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For):
   * none, a number of hops, or the proxies' addresses. Login throttling counts by that address.
   */
  trustProxy: TrustProxy;
  /** On SIGTERM/SIGINT: how long in-flight requests may take to finish before connections are cut and the process exits. */
  shutdownGraceMs: number;
  /**
   * Days of per-minute telemetry rollups (metric and evaluation counts) kept: whole days past it are
   * dropped hourly. Experiments' and rollout stages' own totals are not affected.
   */
  telemetryRetentionDays: number;
  /**
   * Rollup rows telemetry may hold in memory while the database does not take them (an outage):
   * past it, SDKs are answered 503 and keep their windows. About 1 KB of memory per row.
   */
  telemetryMaxHeldRows: number;
}

export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isProxyAddress = (entry: string): boolean => PROXY_NAMES.has(entry) || parseAddressRange(entry) !== null;

/**
 * `SIGNALBOX_TRUST_PROXY`: unset or `false` trusts no proxy; a number trusts that many hops; else a
 * comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
 * `true` (any proxy at all) is refused: whoever connects could then choose their own address and
 * step around the per-address sign-in throttle.
 */
const parseTrustProxy = (raw: string | undefined): TrustProxy | string => {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value) <= 10 ? Number(value) : 'a number of hops must be between 0 and 10';
  if (value === 'true') return 'true would trust any client to name its own address; give the number of proxies or their addresses';
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = entries.filter((e) => !isProxyAddress(e));
  return bad.length > 0
    ? `${bad.map((e) => JSON.stringify(e)).join(', ')} is not a number of hops, an IP address, a CIDR range, loopback, linklocal or uniquelocal`
    : entries;
};

export class ConfigError extends Error {}

/** Reads and validates the environment once, at start; throws a readable error on bad values. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): AppConfig => {
  const vars = plainToInstance(EnvironmentVariables, env, { excludeExtraneousValues: false });
  const errors = validateSync(vars, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `  ${e.property}: ${m}`));
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const webhookPrivateAllowlist = (vars.SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const badEntries = invalidAllowlistEntries(webhookPrivateAllowlist);
  if (badEntries.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n  SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: ${badEntries.map((e) => JSON.stringify(e)).join(', ')} is not *, an IP ` +
        `address, a CIDR range or a host name`,
    );
  }
  const trustProxy = parseTrustProxy(vars.SIGNALBOX_TRUST_PROXY);
  if (typeof trustProxy === 'string') throw new ConfigError(`Invalid configuration:\n  SIGNALBOX_TRUST_PROXY: ${trustProxy}`);
  const auth = parseAuthSettings(env);
  if (auth.problems.length > 0) throw new ConfigError(`Invalid configuration:\n${auth.problems.map((p) => `  ${p}`).join('\n')}`);
  return {
    port: vars.PORT ?? 4000,
    host: vars.HOST ?? '0.0.0.0',
    databaseUrl: vars.DATABASE_URL,
    dataDir: path.resolve(vars.SIGNALBOX_DATA_DIR ?? 'data'),
    adminToken: vars.SIGNALBOX_ADMIN_TOKEN,
    adminEmail: vars.SIGNALBOX_ADMIN_EMAIL ?? 'admin@signalbox.local',
    adminPassword: vars.SIGNALBOX_ADMIN_PASSWORD,
    demo: vars.SIGNALBOX_DEMO ?? true,
    sessionTtlHours: vars.SIGNALBOX_SESSION_TTL_HOURS ?? 24 * 7,
    webDir: path.resolve(vars.SIGNALBOX_WEB_DIR ?? path.join(import.meta.dirname, '../../../../web/dist')),
    logLevel: vars.LOG_LEVEL ?? 'info',
    metricsToken: vars.SIGNALBOX_METRICS_TOKEN,
    secretKey: vars.SIGNALBOX_SECRET_KEY,
    previousSecretKey: vars.SIGNALBOX_SECRET_KEY_PREVIOUS,
    webhookPrivateAllowlist,
    shutdownGraceMs: vars.SIGNALBOX_SHUTDOWN_GRACE_MS ?? 10_000,
    telemetryRetentionDays: vars.SIGNALBOX_TELEMETRY_RETENTION_DAYS ?? 90,
    telemetryMaxHeldRows: vars.SIGNALBOX_TELEMETRY_MAX_HELD_ROWS ?? 500_000,
    trustProxy,
    ...auth.settings,
  };
};

export const APP_CONFIG = Symbol('APP_CONFIG');
