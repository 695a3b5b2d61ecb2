// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { FlagView } from '../../api/flags';
import { aFlag } from '../../test/render';
import { detailsChange, nextVariantKey, parseVariantValue, toDetailsDraft } from './flagDetails';

const modelFlag: FlagView = {
  ...aFlag(),
  key: 'model.router',
  kind: 'json',
  owner: 'ml',
  tags: ['ml'],
  variants: [
    { key: 'small', value: { model: 's', temperature: 0.2 } },
    { key: 'large', value: { model: 'l' }, name: 'Large model' },
  ],
};

describe('parseVariantValue', () => {
  it('reads each kind as the API expects it', () => {
    expect(parseVariantValue('string', ' v2 ')).toEqual({ value: ' v2 ' });
    expect(parseVariantValue('number', '0.25')).toEqual({ value: 0.25 });
    expect(parseVariantValue('json', '{"a": [1, null]}')).toEqual({ value: { a: [1, null] } });
    expect(parseVariantValue('boolean', 'false')).toEqual({ value: false });
  });

  it('refuses what is not of the kind, saying what is expected', () => {
    expect(parseVariantValue('number', '')).toEqual({ error: 'enter a number' });
    expect(parseVariantValue('number', '12px')).toEqual({ error: 'a number, e.g. 0.25' });
    expect(parseVariantValue('json', '{model: v2}')).toMatchObject({ error: expect.stringMatching(/^not valid JSON: /) });
  });
});

describe('detailsChange', () => {
  it('is empty when nothing changed, whatever the spacing of the tags', () => {
    const draft = { ...toDetailsDraft(modelFlag), tags: ' ml ,' };
    expect(detailsChange(modelFlag, draft)).toEqual({ change: {}, errors: {} });
  });

  it('sends only the changed fields, and clears an emptied owner with null', () => {
    const draft = toDetailsDraft(modelFlag);
    draft.owner = '  ';
    draft.variants[1] = { ...draft.variants[1]!, value: '{"model": "xl"}' };
    expect(detailsChange(modelFlag, draft)).toEqual({
      change: {
        owner: null,
        variants: [
          { key: 'small', value: { model: 's', temperature: 0.2 } },
          { key: 'large', value: { model: 'xl' }, name: 'Large model' },
        ],
      },
      errors: {},
    });
  });

  it('names the variant fields that are not valid, and an empty name', () => {
    const draft = { ...toDetailsDraft(modelFlag), name: '' };
    draft.variants = [...draft.variants, { key: 'small', value: '{oops' }];
    const { errors } = detailsChange(modelFlag, draft);
    expect(errors.name).toEqual(['give the flag a name']);
    expect(errors['variants[2].key']).toEqual(["'small' is listed twice"]);
    expect(errors['variants[2].value']?.[0]).toMatch(/^not valid JSON/);
  });
});

describe('nextVariantKey', () => {
  it('picks a key no variant has', () => {
    expect(
      nextVariantKey([
        { key: 'v1', value: '' },
        { key: 'v3', value: '' },
      ]),
    ).toBe('v4');
    expect(nextVariantKey([{ key: 'v2', value: '' }])).toBe('v3');
  });
});
