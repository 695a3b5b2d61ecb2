import { describe, expect, it } from 'vitest';
import type { FlagConfigView, FlagView } from '../flags/flag.mapper.js';
import { singleServedVariant, staleReasons } from './stale-flags.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const aConfig = (environment: string, overrides: Partial<FlagConfigView> = {}): FlagConfigView => ({
  environment,
  on: false,
  killed: false,
  kill: null,
  offVariant: 'off',
  targets: [],
  rules: [],
  defaultRule: { variant: 'on' },
  prerequisites: [],
  version: 1,
  updatedAt: hoursAgo(72),
  ...overrides,
});

const aFlag = (overrides: Partial<FlagView> = {}, configs: FlagConfigView[] = [aConfig('development'), aConfig('production')]): FlagView => ({
  key: 'etl.flag',
  name: 'flag',
  description: '',
  owner: null,
  tags: [],
  kind: 'boolean',
  variants: [],
  lifecycle: 'temporary',
  expiresAt: null,
  archived: false,
  archivedAt: null,
  version: 1,
  createdAt: hoursAgo(24 * 30),
  updatedAt: hoursAgo(24 * 30),
  environments: Object.fromEntries(configs.map((c) => [c.environment, c])),
  ...overrides,
});

const codes = (flag: FlagView, singleVariantHours = 48) => staleReasons(flag, { now: NOW, singleVariantHours }).map((r) => r.code);

describe('stale flags', () => {
  it.each<[string, Partial<FlagConfigView>, string | null | undefined]>([
    ['off', {}, 'off'],
    ['killed while on with rules', { on: true, killed: true, rules: [{ clauses: [], serve: { variant: 'on' } }] }, 'off'],
    ['on with only a default variant', { on: true }, 'on'],
    [
      'on with a default rollout to one variant',
      {
        on: true,
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'on', weight: 100000 },
              { variant: 'off', weight: 0 },
            ],
          },
        },
      },
      'on',
    ],
    ['on with an empty default rule', { on: true, defaultRule: null }, null],
    [
      'on with a split',
      {
        on: true,
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'on', weight: 50000 },
              { variant: 'off', weight: 50000 },
            ],
          },
        },
      },
      undefined,
    ],
    ['on with targets', { on: true, targets: [{ variant: 'off', values: ['a'] }] }, undefined],
    ['on with a prerequisite', { on: true, prerequisites: [{ flag: 'other', variant: 'on' }] }, undefined],
  ])('a config that is %s serves %j to everyone', (_, overrides, expected) => {
    expect(singleServedVariant(aConfig('development', overrides))).toBe(expected);
  });

  it('names a temporary flag that served one variant in every environment for longer than the threshold', () => {
    const reasons = staleReasons(aFlag({}, [aConfig('development', { on: true }), aConfig('production', { updatedAt: hoursAgo(50) })]), {
      now: NOW,
      singleVariantHours: 48,
    });
    expect(reasons).toEqual([
      {
        code: 'SINGLE_VARIANT',
        message: 'Has served one variant to everyone for 50 hours (development: on, production: off)',
        since: hoursAgo(50),
        servedByEnvironment: { development: 'on', production: 'off' },
      },
    ]);
  });

  it('does not name it before the threshold, or when one environment still splits', () => {
    expect(codes(aFlag({}, [aConfig('development'), aConfig('production', { updatedAt: hoursAgo(47) })]))).toEqual([]);
    expect(codes(aFlag({}, [aConfig('development'), aConfig('production', { updatedAt: hoursAgo(47) })]), 24)).toEqual(['SINGLE_VARIANT']);
    expect(codes(aFlag({}, [aConfig('development'), aConfig('production', { on: true, rules: [{ clauses: [], serve: { variant: 'on' } }] })]))).toEqual([]);
  });

  it('dates a never-written config from the flag', () => {
    expect(codes(aFlag({ createdAt: hoursAgo(10) }, [aConfig('development', { updatedAt: null, version: 0 })]))).toEqual([]);
    expect(codes(aFlag({ createdAt: hoursAgo(100) }, [aConfig('development', { updatedAt: null, version: 0 })]))).toEqual(['SINGLE_VARIANT']);
  });

  it('names expired flags of both lifecycles, and permanent flags only for expiry', () => {
    expect(codes(aFlag({ expiresAt: hoursAgo(1) }))).toEqual(['EXPIRED', 'SINGLE_VARIANT']);
    expect(codes(aFlag({ lifecycle: 'permanent' }))).toEqual([]);
    expect(codes(aFlag({ lifecycle: 'permanent', expiresAt: hoursAgo(1) }))).toEqual(['EXPIRED']);
    expect(codes(aFlag({ lifecycle: 'permanent', expiresAt: hoursAgo(-1) }))).toEqual([]);
  });
});
