// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { errorsFor, toFieldErrors, withoutField } from './fieldErrors';

describe('errorsFor', () => {
  const errors = toFieldErrors([
    { field: 'rules[0].clauses[1].values[0]', reason: 'not a valid semver' },
    { field: 'rules[0].clauses[1].attribute', reason: 'required' },
    { field: 'rules[10].clauses[1].values', reason: 'other rule' },
    { field: 'reason', reason: 'production requires a reason' },
  ]);

  it('gives an input the messages of its field and of its elements', () => {
    expect(errorsFor(errors, 'rules[0].clauses[1].values')).toEqual(['not a valid semver']);
    expect(errorsFor(errors, 'rules[0].clauses[1].attribute')).toEqual(['required']);
  });

  it('does not leak messages of other rules or of nested fields to a parent', () => {
    expect(errorsFor(errors, 'rules[1].clauses[1].values')).toEqual([]);
    expect(errorsFor(errors, 'rules[0]')).toEqual([]);
  });

  it('collects several messages for one field', () => {
    expect(
      errorsFor(
        toFieldErrors([
          { field: 'key', reason: 'a' },
          { field: 'key', reason: 'b' },
        ]),
        'key',
      ),
    ).toEqual(['a', 'b']);
  });
});

describe('withoutField', () => {
  it('drops the changed field and its elements, and keeps the others', () => {
    const errors = { name: ['give it a name'], events: ['pick one'], 'events[0]': ['unknown event'], eventsCount: ['x'] };
    expect(withoutField(errors, 'events')).toEqual({ name: ['give it a name'], eventsCount: ['x'] });
  });
});
