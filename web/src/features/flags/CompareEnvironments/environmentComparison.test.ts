import { describe, expect, it } from 'vitest';
import { aConfig, aFlag } from '../../../test/render';
import { compareEnvironments, differingAspects } from './environmentComparison';

const env = (key: string, name: string) => ({ key, name, requireChangeReason: false, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null });
const environments = [env('staging', 'Staging'), env('production', 'Production')];

const flagWith = (staging: Parameters<typeof aConfig>[0], production: Parameters<typeof aConfig>[0]) => ({
  ...aFlag(),
  environments: { staging: aConfig({ environment: 'staging', ...staging }), production: aConfig({ environment: 'production', ...production }) },
});

const rule = (value: string) => ({ clauses: [{ attribute: 'pipeline', op: 'in' as const, values: [value] }], serve: { variant: 'on' } });

describe('compareEnvironments', () => {
  it('shows each aspect per environment and flags only those that differ', () => {
    const rows = compareEnvironments(
      flagWith(
        {
          rules: [rule('a')],
          defaultRule: {
            rollout: {
              bucketBy: 'runId',
              variants: [
                { variant: 'on', weight: 25_000 },
                { variant: 'off', weight: 75_000 },
              ],
            },
          },
          version: 7,
        },
        { rules: [], killed: true, kill: { reason: 'bad', by: 'ana', at: '2026-11-20T00:00:00.000Z' }, version: 3 },
      ),
      environments,
    );
    const row = (label: string) => rows.find((r) => r.label === label)!;
    expect(row('On')).toEqual({ label: 'On', cells: { staging: 'on', production: 'on' }, differs: false });
    expect(row('Killed')).toMatchObject({ cells: { staging: 'no', production: 'killed by ana' }, differs: true });
    expect(row('Rules')).toMatchObject({ cells: { staging: '1 rule', production: '0 rules' }, differs: true });
    expect(row('Default serve')).toMatchObject({ cells: { staging: 'a rollout', production: 'on' }, differs: true });
    expect(row('Rollout')).toMatchObject({ cells: { staging: 'on 25% / off 75% by runId', production: '—' }, differs: true });
    // Versions always differ between environments: shown, never highlighted.
    expect(row('Version')).toMatchObject({ cells: { staging: 'v7', production: 'v3' }, differs: false });
    expect(differingAspects(rows)).toEqual(['Killed', 'Rules', 'Default serve', 'Rollout']);
  });

  it('compares rules by content, not by count, and a rollout only where there is one', () => {
    const rows = compareEnvironments(flagWith({ rules: [rule('a')] }, { rules: [rule('b')] }), environments);
    expect(rows.find((r) => r.label === 'Rules')).toMatchObject({ cells: { staging: '1 rule', production: '1 rule' }, differs: true });
    const serves = compareEnvironments(flagWith({ defaultRule: { variant: 'on' } }, { defaultRule: { variant: 'off' } }), environments);
    expect(serves.find((r) => r.label === 'Default serve')!.differs).toBe(true);
    expect(serves.find((r) => r.label === 'Rollout')).toMatchObject({ cells: { staging: '—', production: '—' }, differs: false });
  });

  it('says nothing differs when the configs serve the same, and marks a missing config', () => {
    expect(differingAspects(compareEnvironments(flagWith({ version: 2 }, { version: 9 }), environments))).toEqual([]);
    const rows = compareEnvironments(aFlag(aConfig({ environment: 'production' })), environments);
    expect(rows[0]).toEqual({ label: 'On', cells: { staging: undefined, production: 'on' }, differs: true });
  });
});
