import { type FieldProblem, validationFailed } from '../errors/domain-error.js';
import { INPUT_LIMITS } from '../validation/input-bounds.js';

/**
 * Nesting at which raw JSON is refused before it is parsed. JSON.parse takes about a second for
 * the 500,000 levels a 1 MB body can hold; anything past `INPUT_LIMITS.maxDepth` (32) is refused
 * after parsing anyway, naming the field, so this only has to be far above that and far below
 * where parsing gets slow.
 */
export const MAX_RAW_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text opens more than `max` objects and arrays inside one another: one pass over
 * its bytes, skipping strings. It does not check that the text is JSON (the parser does). UTF-8
 * continuation bytes are all ≥ 0x80, so they never look like brackets or quotes.
 */
export const jsonNestingExceeds = (text: Uint8Array, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
};

/** What a body refused by its raw nesting is told. */
export const TOO_DEEP_BODY: FieldProblem = { field: 'body', reason: `is nested more than ${INPUT_LIMITS.maxDepth} levels deep` };

/**
 * For body-parser's `verify` option (`app.useBodyParser('json', { limit, verify: refuseDeepJson })`):
 * refuses a body nested past `MAX_RAW_JSON_DEPTH` before it is parsed, as a 400 naming the limit.
 */
export const refuseDeepJson = (_req: unknown, _res: unknown, body: Buffer): void => {
  if (jsonNestingExceeds(body, MAX_RAW_JSON_DEPTH)) throw Object.assign(validationFailed([TOO_DEEP_BODY]), { status: 400 });
};
