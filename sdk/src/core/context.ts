import type { EvaluationContext } from './types.js';

/** What evaluation reads attributes from. */
export type ContextRecord = Readonly<Record<string, unknown>>;

const EMPTY_CONTEXT: ContextRecord = Object.freeze({});

/** The context as a record; anything that is not an object reads as an empty context. */
export function asContextRecord(context: EvaluationContext | null | undefined | unknown): ContextRecord {
  return typeof context === 'object' && context !== null ? (context as ContextRecord) : EMPTY_CONTEXT;
}

/** Attribute names that an ordinary object inherits, which must not read as context attributes. */
export function isInheritedName(attribute: string): boolean {
  return attribute in Object.prototype;
}

/** Reads `attribute`; `ownOnly` (for inherited names such as "constructor") skips the prototype. */
export function readAttribute(context: ContextRecord, attribute: string, ownOnly: boolean): unknown {
  if (ownOnly) return Object.hasOwn(context, attribute) ? context[attribute] : undefined;
  return context[attribute];
}

/**
 * The string a rollout hashes for a unit: non-empty strings as they are, finite numbers as
 * ECMAScript's `String(n)`; anything else (missing, empty, boolean, object) is no unit.
 */
export function unitValueOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
