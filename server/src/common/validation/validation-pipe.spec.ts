import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CreateFlagDto } from '../../flags/dto/flag.dto.js';
import { flattenValidationErrors, toDtoInstance, VALIDATOR_OPTIONS } from './validation-pipe.js';

// A real DTO (specs here cannot declare decorated classes): name 1–200 characters, kind one of
// FLAG_KINDS, variants[].key a string of letters, digits, ".", "-" and "_" up to 128 characters.
const problemsOf = async (input: Record<string, unknown>) => flattenValidationErrors(await validate(toDtoInstance(input, CreateFlagDto), VALIDATOR_OPTIONS));

describe('the reasons a 400 gives for a field', () => {
  it('says a missing field is required, once, instead of every rule it would have had to pass', async () => {
    expect(await problemsOf({ key: 'etl.step', kind: 'string', variants: [{ value: 'a' }] })).toEqual([
      { field: 'name', reason: 'name is required' },
      { field: 'variants[0].key', reason: 'key is required' },
    ]);
  });

  it('says only that a value has the wrong type, not that it also breaks the rules for its length or pattern', async () => {
    expect(await problemsOf({ key: 'etl.step', name: 12345, kind: 'string', variants: [{ key: ['a'], value: 'a' }] })).toEqual([
      { field: 'name', reason: 'name must be a string' },
      { field: 'variants[0].key', reason: 'key must be a string' },
    ]);
    // null is sent, not missing: it gets the type's reason.
    expect(await problemsOf({ key: 'etl.step', name: null, kind: 'boolean' })).toEqual([{ field: 'name', reason: 'name must be a string' }]);
  });

  it('lists every rule a value of the right type breaks, and leaves what is valid or optional alone', async () => {
    expect(await problemsOf({ key: 'etl.step', name: '', kind: 'string', variants: [{ key: `a b${'c'.repeat(200)}`, value: 'a' }] })).toEqual([
      { field: 'name', reason: 'name must be longer than or equal to 1 characters' },
      { field: 'variants[0].key', reason: 'key must be shorter than or equal to 128 characters' },
      { field: 'variants[0].key', reason: 'key must use only letters, digits, ".", "-" and "_"' },
    ]);
    expect(await problemsOf({ key: 'etl.step', name: 'Step', kind: 'boolean' })).toEqual([]);
  });

  it('keeps the message a rule gives for a missing value of its own', async () => {
    expect(await problemsOf({ key: 'etl.step', name: 'Step', kind: 'string', variants: [{ key: 'a' }] })).toEqual([
      { field: 'variants[0].value', reason: 'value is required' },
    ]);
  });
});
