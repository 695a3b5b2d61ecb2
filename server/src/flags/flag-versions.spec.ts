import { describe, expect, it } from 'vitest';
import type { FlagConfigState } from './flag-config-change.js';
import { type ConfigAuditEntry, revertChange, toFlagVersion } from './flag-versions.js';

const after = {
  environment: 'production',
  on: true,
  killed: false,
  kill: null,
  offVariant: 'off',
  targets: [],
  rules: [],
  defaultRule: { variant: 'v1' },
  prerequisites: [],
  version: 3,
  updatedAt: '2026-12-01T10:00:00.000Z',
};
const entry = (overrides: Partial<ConfigAuditEntry> = {}): ConfigAuditEntry => ({
  at: new Date('2026-12-01T10:00:00.000Z'),
  actorType: 'user',
  actorName: 'ana@example.com',
  action: 'flag.config.updated',
  reason: 'ship v1',
  after,
  ...overrides,
});

describe('toFlagVersion', () => {
  it('reads the version, who, when, why and the config from a config entry', () => {
    expect(toFlagVersion(entry(), 'production')).toEqual({
      version: 3,
      at: '2026-12-01T10:00:00.000Z',
      actor: { type: 'user', name: 'ana@example.com' },
      action: 'flag.config.updated',
      reason: 'ship v1',
      revertedTo: null,
      config: after,
    });
  });

  it('takes revertedTo out of the config and onto the version', () => {
    const version = toFlagVersion(entry({ action: 'flag.config.reverted', after: { ...after, revertedTo: 1 } }), 'production');
    expect(version).toMatchObject({ revertedTo: 1, config: after });
    expect(version?.config).not.toHaveProperty('revertedTo');
  });

  it('skips entries that are no config write of this environment', () => {
    expect(toFlagVersion(entry(), 'staging')).toBeNull();
    expect(toFlagVersion(entry({ action: 'flag.updated', after: { key: 'x', version: 2, environments: {} } }), 'production')).toBeNull();
    expect(toFlagVersion(entry({ after: null }), 'production')).toBeNull();
    expect(toFlagVersion(entry({ after: { ...after, version: '3' } }), 'production')).toBeNull();
  });
});

describe('revertChange', () => {
  const target = toFlagVersion(entry(), 'production')!;
  const kill = { reason: 'bad model', by: 'ops', at: '2026-12-01T11:00:00.000Z' };
  const current: FlagConfigState = {
    on: false,
    kill,
    offVariant: 'v2',
    targets: [{ variant: 'v2', values: ['a'] }],
    rules: [],
    defaultRule: null,
    prerequisites: [],
  };

  it("writes the version's config and keeps the current kill", () => {
    const change = revertChange(target, { basedOnVersion: 5, reason: 'back' });
    expect(change).toMatchObject({ action: 'flag.config.reverted', basedOnVersion: 5, reason: 'back', revertedTo: 3 });
    expect(change.apply(current)).toEqual({ on: true, kill, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'v1' }, prerequisites: [] });
    expect(change.apply({ ...current, kill: null })?.kill).toBeNull();
  });
});
