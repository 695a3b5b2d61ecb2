import { describe, expect, it } from 'vitest';
import type { PatchFlagConfigDto, ReplaceFlagConfigDto } from './dto/flag-config.dto.js';
import type { FlagConfigState } from './flag-config-change.js';
import { type FlagConfigPatch, mergeConfigPatch, toPatchChange, toReplaceChange } from './flag-config.mapper.js';

const KILL = { reason: 'bad model', by: 'ops', at: '2026-11-20T12:00:00.000Z' };

const CURRENT: FlagConfigState = {
  on: true,
  kill: KILL,
  offVariant: 'off',
  targets: [{ variant: 'on', values: ['batch-7'] }],
  rules: [{ clauses: [{ attribute: 'region', op: 'in', values: ['eu'] }], serve: { variant: 'on' } }],
  defaultRule: { variant: 'on' },
  prerequisites: [{ flag: 'etl.parent', variant: 'on' }],
};

type Field = keyof FlagConfigPatch;

// Per field: what null leaves, and a value to send with the domain value it becomes.
const FIELDS: Array<{ field: Field; cleared: FlagConfigState[Field]; sent: unknown; set: FlagConfigState[Field] }> = [
  { field: 'on', cleared: true, sent: false, set: false },
  { field: 'offVariant', cleared: null, sent: 'on', set: 'on' },
  { field: 'targets', cleared: [], sent: [{ variant: 'off', values: ['run-1'] }], set: [{ variant: 'off', values: ['run-1'] }] },
  {
    field: 'rules',
    cleared: [],
    sent: [
      {
        description: 'beta',
        clauses: [{ op: 'segment', segments: ['beta'], negate: false }],
        serve: { rollout: { variants: [{ variant: 'on', weight: 100_000 }] } },
      },
    ],
    set: [{ description: 'beta', clauses: [{ op: 'segment', segments: ['beta'] }], serve: { rollout: { variants: [{ variant: 'on', weight: 100_000 }] } } }],
  },
  {
    field: 'defaultRule',
    cleared: null,
    sent: { rollout: { bucketBy: 'runId', variants: [{ variant: 'off', weight: 100_000 }] } },
    set: { rollout: { bucketBy: 'runId', variants: [{ variant: 'off', weight: 100_000 }] } },
  },
  { field: 'prerequisites', cleared: [], sent: [{ flag: 'etl.other', variant: 'off' }], set: [{ flag: 'etl.other', variant: 'off' }] },
];

describe('the PATCH rule (absent = unchanged, null = cleared, value = set)', () => {
  const cases = FIELDS.flatMap(({ field, cleared, sent, set }) => [
    { name: `${field} absent keeps the current value`, patch: {}, field, expected: CURRENT[field] },
    { name: `${field} null ${field === 'on' ? 'keeps it (on cannot be cleared)' : 'clears it'}`, patch: { [field]: null }, field, expected: cleared },
    { name: `${field} given sets it`, patch: { [field]: sent }, field, expected: set },
  ]);

  it.each(cases)('$name', ({ patch, field, expected }) => {
    const merged = mergeConfigPatch(CURRENT, patch as FlagConfigPatch);
    expect(merged[field]).toEqual(expected);
    // Every other field is the current one.
    expect({ ...merged, [field]: CURRENT[field] }).toEqual(CURRENT);
  });

  it('never lifts or sets a kill', () => {
    expect(mergeConfigPatch(CURRENT, { on: false, offVariant: null }).kill).toBe(KILL);
    expect(mergeConfigPatch({ ...CURRENT, kill: null }, { on: true }).kill).toBeNull();
  });

  it('is applied to the config current when the change is made, based on the version sent', () => {
    const change = toPatchChange({ version: 4, reason: 'canary', on: false } as PatchFlagConfigDto);
    expect(change).toMatchObject({ action: 'flag.config.updated', basedOnVersion: 4, reason: 'canary' });
    expect(change.apply({ ...CURRENT, offVariant: 'on' })).toEqual({ ...CURRENT, offVariant: 'on', on: false });
  });
});

describe('PUT', () => {
  it('replaces everything an editor sets and keeps the kill', () => {
    const dto = {
      version: 2,
      reason: 'reset',
      on: false,
      offVariant: null,
      targets: [],
      rules: [],
      defaultRule: null,
      prerequisites: [],
    } as ReplaceFlagConfigDto;
    const change = toReplaceChange(dto);
    expect(change).toMatchObject({ action: 'flag.config.updated', basedOnVersion: 2, reason: 'reset' });
    expect(change.apply(CURRENT)).toEqual({ on: false, kill: KILL, offVariant: null, targets: [], rules: [], defaultRule: null, prerequisites: [] });
  });
});
