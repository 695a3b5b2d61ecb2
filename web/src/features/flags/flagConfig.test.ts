// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { EditableConfig } from './flagConfig';
import { conflictingFields, rebaseDraft, validateConfig } from './flagConfig';
import { setWeight } from './RolloutEditor/rolloutWeights';

const base: EditableConfig = { on: false, offVariant: 'off', targets: [], rules: [], defaultRule: { variant: 'on' }, prerequisites: [] };
const flag = {
  key: 'f',
  variants: [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ],
};

describe('rebaseDraft', () => {
  it('keeps the other person’s change and replays mine on top', () => {
    const mine = { ...base, rules: [{ clauses: [{ attribute: 'plan', op: 'in' as const, values: ['pro'] }], serve: { variant: 'on' } }] };
    const theirs = { ...base, on: true };
    expect(rebaseDraft(base, mine, theirs)).toEqual({ ...theirs, rules: mine.rules });
  });

  it('names the fields both sides changed (mine wins on reapply)', () => {
    const mine = { ...base, offVariant: 'on' };
    const theirs = { ...base, offVariant: null, on: true };
    expect(conflictingFields(base, mine, theirs)).toEqual(['offVariant']);
    expect(rebaseDraft(base, mine, theirs).offVariant).toBe('on');
  });
});

describe('validateConfig', () => {
  it('names the clause fields that are missing', () => {
    const draft = {
      ...base,
      rules: [
        {
          clauses: [
            { attribute: '', op: 'in' as const, values: [] },
            { op: 'segment' as const, segments: [] },
          ],
          serve: { variant: 'on' },
        },
      ],
    };
    expect(validateConfig(draft, flag, { reasonRequired: false, reason: '' })).toEqual({
      'rules[0].clauses[0].attribute': ['name the context attribute'],
      'rules[0].clauses[0].values': ['give at least one value'],
      'rules[0].clauses[1].segments': ['choose at least one segment'],
    });
  });

  it('refuses rollout weights that do not add up to 100%', () => {
    const draft = {
      ...base,
      defaultRule: {
        rollout: {
          variants: [
            { variant: 'on', weight: 20000 },
            { variant: 'off', weight: 70000 },
          ],
        },
      },
    };
    expect(validateConfig(draft, flag, { reasonRequired: false, reason: '' })).toEqual({ 'defaultRule.rollout.variants': ['weights add up to 90%, not 100%'] });
  });

  it('requires a reason where the environment asks for one, and an invalid regex', () => {
    const draft = { ...base, rules: [{ clauses: [{ attribute: 'email', op: 'matches' as const, values: ['(('] }], serve: { variant: 'on' } }] };
    const errors = validateConfig(draft, flag, { reasonRequired: true, reason: ' ' });
    expect(Object.keys(errors)).toEqual(['reason', 'rules[0].clauses[0].values']);
  });
});

describe('validateConfig on patterns', () => {
  it('refuses what the engine cannot run (lookaround, backreferences) and takes what backtracking engines choke on', () => {
    const withPattern = (pattern: string) => ({
      ...base,
      rules: [{ clauses: [{ attribute: 'email', op: 'matches' as const, values: [pattern] }], serve: { variant: 'on' } }],
    });
    const errorsOf = (pattern: string) => validateConfig(withPattern(pattern), flag, { reasonRequired: false, reason: '' })['rules[0].clauses[0].values'];
    expect(errorsOf('(?=a)b')).toEqual([expect.stringMatching(/lookahead/)]);
    expect(errorsOf('(a)\\1')).toEqual([expect.stringMatching(/backreference/)]);
    expect(errorsOf('(a+)+$')).toBeUndefined();
    expect(errorsOf('^[a-z0-9._%+-]+@example\\.com$')).toBeUndefined();
  });
});

describe('setWeight', () => {
  it('gives the other variant the rest when there are two', () => {
    const rollout = {
      variants: [
        { variant: 'on', weight: 0 },
        { variant: 'off', weight: 100000 },
      ],
    };
    expect(setWeight(rollout, 0, 20).variants).toEqual([
      { variant: 'on', weight: 20000 },
      { variant: 'off', weight: 80000 },
    ]);
  });

  it('changes only the edited variant when there are more, rounding to thousandths of a percent', () => {
    const rollout = {
      variants: [
        { variant: 'a', weight: 50000 },
        { variant: 'b', weight: 50000 },
        { variant: 'c', weight: 0 },
      ],
    };
    expect(setWeight(rollout, 2, 12.3456).variants.map((v) => v.weight)).toEqual([50000, 50000, 12346]);
  });
});
