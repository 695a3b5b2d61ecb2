import { plainToInstance } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { CreateFlagDto, UpdateFlagDto } from './dto/flag.dto.js';
import { toFlagChange, toNewFlag } from './flag-changes.mapper.js';

// The DTOs as the ValidationPipe hands them over: class instances, nested ones included.
const update = (body: object) => toFlagChange(plainToInstance(UpdateFlagDto, body));

describe('flag request mapping', () => {
  it('keeps the PATCH rule: an absent field stays absent (unchanged), null stays null (cleared), a value is set', () => {
    expect(update({ version: 3 })).toEqual({ basedOnVersion: 3 });
    const change = update({ version: 3, owner: null, expiresAt: null, name: 'Renamed' });
    expect(change).toMatchObject({ basedOnVersion: 3, owner: null, expiresAt: null, name: 'Renamed' });
    expect(change.description).toBeUndefined();
  });

  it('hands the service plain variants, with an empty name or description left out', () => {
    const change = update({
      version: 1,
      variants: [
        { key: 'v1', value: 'a', name: '', description: 'first' },
        { key: 'v2', value: { model: 2 }, name: 'Second' },
      ],
    });
    expect(change.variants).toEqual([
      { key: 'v1', value: 'a', description: 'first' },
      { key: 'v2', value: { model: 2 }, name: 'Second' },
    ]);
    expect(change.variants!.every((v) => Object.getPrototypeOf(v) === Object.prototype)).toBe(true);
  });

  it('leaves the defaults of a new flag to the service: absent stays absent', () => {
    const flag = toNewFlag(plainToInstance(CreateFlagDto, { key: 'etl.step', name: 'Step', kind: 'boolean' }));
    expect(Object.fromEntries(Object.entries(flag).filter(([, value]) => value !== undefined))).toEqual({ key: 'etl.step', name: 'Step', kind: 'boolean' });
    expect(flag.variants).toBeUndefined();
  });
});
