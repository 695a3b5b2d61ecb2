import { sameJson } from './diffJson';

/**
 * After a version conflict: the user's changes (draft vs the base they started from) replayed on top
 * of the current value. A field the user did not touch takes the current value, so nothing the other
 * person changed is lost; a field both changed takes the user's, which the conflict diff shows first.
 */
export const rebaseFields = <T extends object>(fields: readonly (keyof T)[], base: T, draft: T, current: T): T => {
  const result = { ...current };
  for (const field of fields) {
    if (!sameJson(base[field], draft[field])) result[field] = draft[field];
  }
  return result;
};

/** Fields both sides changed, differently: the user's value wins on reapply, so the console warns about them. */
export const fieldsChangedByBoth = <T extends object>(fields: readonly (keyof T)[], base: T, draft: T, current: T): (keyof T)[] =>
  fields.filter((field) => !sameJson(base[field], draft[field]) && !sameJson(base[field], current[field]) && !sameJson(draft[field], current[field]));
