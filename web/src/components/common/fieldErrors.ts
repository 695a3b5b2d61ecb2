import type { FieldError } from '../../api/client';

/** Messages by field path, e.g. `rules[0].clauses[1].values` → ['values must not be empty']. */
export type FieldErrors = Record<string, string[]>;

export const toFieldErrors = (list: FieldError[]): FieldErrors => {
  const errors: FieldErrors = {};
  for (const { field, reason } of list) (errors[field] ??= []).push(reason);
  return errors;
};

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The messages an input shows: those naming its field, or one element of it — the API reports
 * `rules[0].clauses[1].values[0]`, and the console has one input for all of a clause's values.
 */
export const errorsFor = (errors: FieldErrors, path: string): string[] => {
  const pattern = new RegExp(`^${escape(path)}(\\[\\d+\\])?$`);
  return Object.entries(errors)
    .filter(([field]) => pattern.test(field))
    .flatMap(([, messages]) => messages);
};

/** Whether any message names the path or something inside it. */
export const hasErrorsUnder = (errors: FieldErrors, path: string): boolean =>
  Object.keys(errors).some((field) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`));

export const fieldId = (path: string) => `field-${path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

/** The errors left once the user changed the field at `path`: its own messages (and its elements') go. */
export const withoutField = (errors: FieldErrors, path: string): FieldErrors =>
  Object.fromEntries(Object.entries(errors).filter(([field]) => !(field === path || field.startsWith(`${path}[`) || field.startsWith(`${path}.`))));
