import type { EvaluationContext } from '../../api/evaluate';

export type ParsedContext = { context: EvaluationContext; error?: never } | { context?: never; error: string };

/** A context typed as JSON: an object of attributes, or what is wrong with the text. */
export const parseContext = (text: string): ParsedContext => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The context is a JSON object, e.g. {"targetingKey": "run-42"}' };
  return { context: value as EvaluationContext };
};

/** The context a link carries (`?context=`), or undefined when it carries none or one that does not parse. */
export const contextFromLink = (param: string | null): EvaluationContext | undefined => (param === null ? undefined : parseContext(param).context);
