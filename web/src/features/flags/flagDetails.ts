import type { FlagUpdate, FlagView } from '../../api/flags';
import type { FlagKind, FlagValue, Variant } from '@signalbox/sdk/core';
import { sameJson } from '../../components/common/diffJson';
import type { FieldErrors } from '../../components/common/fieldErrors';
import { splitList } from '../../components/common/format';

/** A variant as its editor holds it: the value as typed, checked against the flag's kind on save. */
export interface VariantDraft {
  key: string;
  value: string;
  name?: string;
  description?: string;
}

/** What the details form edits; tags as typed, comma-separated. */
export interface FlagDetailsDraft {
  name: string;
  description: string;
  owner: string;
  tags: string;
  variants: VariantDraft[];
}

export const DETAIL_FIELDS = ['name', 'description', 'owner', 'tags', 'variants'] as const satisfies readonly (keyof FlagDetailsDraft)[];

export type FlagDetailsChange = Omit<FlagUpdate, 'version' | 'reason'>;

// A string flag's values are typed as they are; every other kind is typed as JSON.
export const formatVariantValue = (kind: FlagKind, value: FlagValue): string => (kind === 'string' ? String(value) : JSON.stringify(value));

export const parseVariantValue = (kind: FlagKind, text: string): { value: FlagValue } | { error: string } => {
  if (kind === 'string') return { value: text };
  if (kind === 'boolean') return text === 'true' ? { value: true } : text === 'false' ? { value: false } : { error: 'true or false' };
  if (text.trim() === '') return { error: kind === 'number' ? 'enter a number' : 'enter a JSON value, e.g. {"model": "v2"}' };
  if (kind === 'number') {
    const value = Number(text);
    return Number.isFinite(value) ? { value } : { error: 'a number, e.g. 0.25' };
  }
  try {
    return { value: JSON.parse(text) as FlagValue };
  } catch (error) {
    return { error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
};

export const toDetailsDraft = (flag: Pick<FlagView, 'name' | 'description' | 'owner' | 'tags' | 'kind' | 'variants'>): FlagDetailsDraft => ({
  name: flag.name,
  description: flag.description,
  owner: flag.owner ?? '',
  tags: flag.tags.join(', '),
  variants: flag.variants.map((v) => ({ key: v.key, value: formatVariantValue(flag.kind, v.value), name: v.name ?? '', description: v.description ?? '' })),
});

/** The variants as the API takes them, or the messages of the fields that are not valid yet. */
export const parseVariants = (kind: FlagKind, drafts: VariantDraft[]): { variants: Variant[]; errors: FieldErrors } => {
  const errors: FieldErrors = {};
  const variants: Variant[] = [];
  if (drafts.length === 0) errors.variants = ['a flag needs at least one variant'];
  const seen = new Set<string>();
  drafts.forEach((draft, i) => {
    const key = draft.key.trim();
    if (key === '') errors[`variants[${i}].key`] = ['name the variant'];
    else if (seen.has(key)) errors[`variants[${i}].key`] = [`'${key}' is listed twice`];
    seen.add(key);
    const parsed = parseVariantValue(kind, draft.value);
    if ('error' in parsed) {
      errors[`variants[${i}].value`] = [parsed.error];
      return;
    }
    const name = draft.name?.trim();
    const description = draft.description?.trim();
    variants.push({ key, value: parsed.value, ...(name ? { name } : {}), ...(description ? { description } : {}) } as Variant);
  });
  return { variants, errors };
};

/**
 * Only the fields that differ from the saved flag, since PATCH leaves absent fields unchanged: a save
 * then cannot undo a field someone else changed meanwhile. An emptied owner is sent as null (cleared).
 */
export const detailsChange = (saved: FlagView, draft: FlagDetailsDraft): { change: FlagDetailsChange; errors: FieldErrors } => {
  const change: FlagDetailsChange = {};
  const name = draft.name.trim();
  const errors: FieldErrors = name === '' ? { name: ['give the flag a name'] } : {};
  if (name !== saved.name) change.name = name;
  const description = draft.description.trim();
  if (description !== saved.description) change.description = description;
  const owner = draft.owner.trim() || null;
  if (owner !== saved.owner) change.owner = owner;
  const tags = splitList(draft.tags);
  if (!sameJson(tags, saved.tags)) change.tags = tags;
  const parsed = parseVariants(saved.kind, draft.variants);
  Object.assign(errors, parsed.errors);
  if (!sameJson(parsed.variants, saved.variants)) change.variants = parsed.variants;
  return { change, errors };
};

/** A key for a new variant that no other variant has yet: v1, v2, … */
export const nextVariantKey = (variants: VariantDraft[]): string => {
  const keys = new Set(variants.map((v) => v.key));
  let n = variants.length + 1;
  while (keys.has(`v${n}`)) n += 1;
  return `v${n}`;
};
