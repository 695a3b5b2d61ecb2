import { describe, expect, it } from 'vitest';
import { type PlanOutcome, renderPlan } from './plan-render.js';

const plan = (changes: PlanOutcome['changes'], conflicts: PlanOutcome['conflicts'] = []): PlanOutcome => ({
  project: 'p',
  applied: false,
  changes,
  conflicts,
  noChanges: changes.length === 0,
  summary: {
    create: changes.filter((c) => c.action === 'create').length,
    update: changes.filter((c) => c.action === 'update').length,
    delete: changes.filter((c) => c.action === 'delete').length,
    archive: changes.filter((c) => c.action === 'archive').length,
  },
});

describe('renderPlan', () => {
  it('prints one line per item and -/+ lines per changed field, list elements by index', () => {
    const lines = renderPlan(
      plan([
        { resource: 'segment', action: 'create', key: 'beta', version: null, fields: ['name'], before: null, after: { name: 'Beta' } },
        {
          resource: 'config',
          action: 'update',
          key: 'a',
          environment: 'staging',
          version: 3,
          fields: ['on', 'rules'],
          before: { on: false, rules: [{ n: 1 }, { n: 2 }] },
          after: { on: true, rules: [{ n: 1 }, { n: 3 }] },
        },
        { resource: 'flag', action: 'archive', key: 'old', version: 2, fields: [], before: {}, after: null },
      ]),
    );
    expect(lines).toEqual([
      '+ segment beta',
      '    + name: "Beta"',
      '~ config a in staging (version 3)',
      '    - on: false',
      '    + on: true',
      '    - rules[1]: {"n":2}',
      '    + rules[1]: {"n":3}',
      '- archive flag old (version 2)',
      'Plan: 1 to create, 1 to update, 1 to archive, 0 to delete.',
    ]);
  });

  it('says when there is nothing to do, and lists conflicts', () => {
    expect(renderPlan(plan([]))).toEqual(['No changes: project p matches the file.']);
    const conflicted = renderPlan(
      plan(
        [{ resource: 'config', action: 'update', key: 'a', environment: 's', version: 4, fields: [], before: {}, after: {} }],
        [{ resource: 'config', key: 'a', environment: 's', path: 'flags[0].environments.s', message: 'moved' }],
      ),
    );
    expect(conflicted).toContain('! conflict at flags[0].environments.s: moved');
    expect(conflicted.at(-1)).toContain('1 conflict(s)');
  });
});
