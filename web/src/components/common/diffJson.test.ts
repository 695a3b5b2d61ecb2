// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { diffJson } from './diffJson';

describe('diffJson', () => {
  it('lists changed leaves with their paths and ignores bookkeeping fields', () => {
    const before = { version: 1, on: false, rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }] }] };
    const after = { version: 2, on: true, rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }] }] };
    expect(diffJson(before, after)).toEqual([
      { path: 'on', kind: 'changed', before: false, after: true },
      { path: 'rules[0].clauses[0].values[1]', kind: 'added', after: 'team' },
    ]);
  });

  it('reports a removed rule as one change', () => {
    expect(diffJson({ rules: [{ a: 1 }] }, { rules: [] })).toEqual([{ path: 'rules[0]', kind: 'removed', before: { a: 1 } }]);
  });
});
