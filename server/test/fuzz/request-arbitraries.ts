import fc from 'fast-check';
import { byteLength, isPlainObject, type JsonNode, type Piece, RawJson, raw, setOwn, toPieces } from './json-text.js';
import type { Operation, Parameter, Schema } from './openapi-operations.js';

/**
 * fast-check arbitraries for requests to one operation: path parameters, query string, headers
 * and body. Bodies start from the operation's request schema (valid-ish: known keys and values
 * where the world has them) and are then mutated; every other part mixes valid values with
 * adversarial ones. Everything is data, so fast-check can shrink it: a 250,000-element array
 * shrinks to the shortest length that still fails.
 */

export interface RequestBody {
  pieces: Piece[];
  contentType: string | null;
  contentEncoding?: string;
}

export interface FuzzRequest {
  /** Path parameter → the raw (already percent-encoded, or deliberately not) path segment. */
  pathValues: Record<string, string>;
  /** The raw query string, without `?`. */
  query: string;
  headers: Record<string, string>;
  body: RequestBody | null;
  /** Sent this many times in a row (default once): what a second identical request adds up to. */
  times?: number;
}

export interface ArbitraryContext {
  pools: Record<string, string[]>;
  fieldPools: Record<string, Array<string | number | boolean>>;
  oddFieldValues: Record<string, Array<string | number | boolean>>;
  /** A body the server accepts, by operation id, where the schema cannot say what makes one valid. */
  examples: Record<string, JsonNode>;
}

export const MAX_BODY_BYTES = 1_000_000;

// ---------------------------------------------------------------- adversarial scalars

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const oddCharacter = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  loneSurrogate,
  fc.constantFrom(
    '\u0000',
    '\u0001',
    '\u001f',
    '\u007f',
    '\u202e',
    '\ufeff',
    '\u200b',
    '\u0301',
    '\uffff',
    '\ufffe',
    '🚀',
    '👩‍👩‍👧',
    'ß',
    'İ',
    'ﬃ',
    'ǅ',
    '\u2028',
    '\u0085',
    '"',
    '\\',
    '\n',
    '%',
    '/',
    '.',
    '<',
    '$',
    '{',
    '\u{10ffff}',
  ),
);

const STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\udbff',
  '\ud83d',
  '\ufeff',
  '\u202eevil\u202c',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'ключ-🚀',
  'Ａｄｍｉｎ',
  'e\u0301',
  '%00',
  '%E0%A4%A',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE flags; --",
  '${7*7}',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e308',
  '1e400',
  '9007199254740993',
  'true',
  '__proto__',
  'constructor',
  '2030-02-30T25:61:61Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '0000-00-00',
  '1970-01-01T00:00:00Z',
  'http://[::1%25lo]:1/',
  'http://[::127.0.0.1]:1/',
  '(a+)+$',
  '^(a|a)*$',
  '[',
  '\\',
];

const adversarialString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: oddCharacter, minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 5000 }).map((n) => 'x'.repeat(n)) },
);

const NUMBER_LITERALS = [
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e309',
  '-1e400',
  '1e-400',
  '4.9e-324',
  '-0',
  '-0.0',
  '0',
  '9007199254740993',
  '-9007199254740993',
  '9007199254740991',
  '9223372036854775808',
  '18446744073709551616',
  '123456789012345678901234567890',
  '2147483648',
  '-2147483649',
  '0.1',
  '1.5',
  '-1',
  '1E2',
  '1e21',
];

const numberLiteral: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBER_LITERALS).map((text) => raw(text)) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }) },
);

// ---------------------------------------------------------------- structures

const depth = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 10_000 }));

const NESTINGS: Record<string, [string, string]> = { array: ['[', ']'], object: ['{"a":', '}'], mixed: ['[{"a":', '}]'] };

/** `depth` levels of arrays or objects around `inner`. */
export const nest = (levels: number, shape: string, inner: Piece[] = [{ text: '1' }]): RawJson => {
  const [open, close] = NESTINGS[shape] ?? NESTINGS.array!;
  const unit = shape === 'mixed' ? 2 : 1;
  return new RawJson([{ repeat: open, times: levels }, ...inner, { repeat: close, times: levels }], `${shape} nested ${levels * unit} deep`);
};

const deepNest: fc.Arbitrary<JsonNode> = fc.tuple(depth, fc.constantFrom('array', 'object', 'mixed')).map(([levels, shape]) => nest(levels, shape));

const TINY_ELEMENTS = ['0', '{}', 'null', '"a"', '[]', '1e308', 'true', '-1'];

/** `[e,e,…]` with as many elements as fit under 1 MB. */
export const longArray = (length: number, element: string): RawJson => {
  const n = Math.max(0, Math.min(length, Math.floor((MAX_BODY_BYTES - 2_000) / (Buffer.byteLength(element) + 1))));
  if (n === 0) return new RawJson([{ text: '[]' }], '[]');
  return new RawJson([{ text: '[' }, { repeat: `${element},`, times: n - 1 }, { text: `${element}]` }], `[${element} × ${n}]`);
};

const arrayLength = fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 2_000 }) }, { weight: 3, arbitrary: fc.integer({ min: 2_000, max: 250_000 }) });

const longArrayArb: fc.Arbitrary<JsonNode> = fc.tuple(arrayLength, fc.constantFrom(...TINY_ELEMENTS)).map(([n, e]) => longArray(n, e));

const longString: fc.Arbitrary<JsonNode> = fc
  .tuple(fc.integer({ min: 1_000, max: 900_000 }), fc.constantFrom('x', '🚀', '\\u0000', 'é', '\\ud800'))
  .map(([n, unit]) => {
    const bytes = unit.startsWith('\\') ? unit.length : Buffer.byteLength(unit);
    const times = Math.min(n, Math.floor((MAX_BODY_BYTES - 2_000) / bytes));
    return new RawJson([{ text: '"' }, { repeat: unit, times }, { text: '"' }], `"${unit}" × ${times}`);
  });

const INVALID_UTF8 = ['ff', 'fe', '80', 'c0af', 'c3', 'eda080', 'edbfbf', 'f4908080', 'e0a4', 'f8888080'];
const invalidUtf8: fc.Arbitrary<JsonNode> = fc
  .constantFrom(...INVALID_UTF8)
  .map((hex) => new RawJson([{ text: '"a' }, { hex }, { text: 'b"' }], `"a⟨0x${hex}⟩b"`));

const PROTO_OBJECTS: Array<() => JsonNode> = [
  () => objectWith([['__proto__', { admin: true, role: 'admin' }]]),
  () => objectWith([['__proto__', null]]),
  () => objectWith([['__proto__', []]]),
  () => ({ constructor: { prototype: { polluted: true } } }),
  () => objectWith([['prototype', { admin: true }]]),
  () => ({ toString: 'x', valueOf: {}, hasOwnProperty: 1 }),
  () => ({ then: 'x' }),
];
const protoObject: fc.Arbitrary<JsonNode> = fc.integer({ min: 0, max: PROTO_OBJECTS.length - 1 }).map((i) => PROTO_OBJECTS[i]!());

function objectWith(entries: Array<[string, JsonNode]>): Record<string, JsonNode> {
  const o: Record<string, JsonNode> = {};
  for (const [k, v] of entries) setOwn(o, k, v);
  return o;
}

/** Anything a careless or hostile client could put where a value goes. */
export const adversarialValue: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: adversarialString },
  { weight: 3, arbitrary: numberLiteral },
  { weight: 2, arbitrary: fc.constantFrom<JsonNode>(null, true, false, 0, '') },
  { weight: 1, arbitrary: fc.constantFrom('{}', '[]', '[null]', '{"":null}').map((text) => raw(text)) },
  { weight: 1, arbitrary: deepNest },
  { weight: 1, arbitrary: longArrayArb },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: protoObject },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonNode> },
);

// ---------------------------------------------------------------- valid-ish values from the schema

const isoDate = fc.oneof(
  // Around now: telemetry windows, experiment and plan times.
  fc.integer({ min: -180, max: 10 }).map((minutes) => new Date(Math.floor(Date.now() / 60_000 + minutes) * 60_000).toISOString()),
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
);
const DATE_FIELDS = new Set(['windowStart', 'windowEnd', 'at', 'from', 'to', 'expiresAt']);

// 'aaaa…!' makes a backtracking regular-expression engine try every way to split the a's: ~150 ms
// for (a|a)*$ at 24 characters, doubling with each one more.
const backtrackingBait = fc.integer({ min: 20, max: 27 }).map((n) => `${'a'.repeat(n)}!`);

const contextArb: fc.Arbitrary<JsonNode> = fc.record(
  {
    targetingKey: fc.oneof(fc.constantFrom('run-1', 'ключ-🚀', ''), fc.string({ maxLength: 12 })),
    runId: fc.string({ maxLength: 12 }),
    plan: fc.constantFrom('enterprise', 'free'),
    pipeline: fc.oneof(fc.constantFrom('prod-daily', 'prod-', 'dev'), backtrackingBait),
    rows: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    version: fc.constantFrom('1.2.3', '2.0.0-rc.1', 'x'),
    at: fc.oneof(isoDate, fc.integer({ min: 0, max: 2 ** 42 })),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonNode>;

/**
 * A value for `schema`, valid-ish: where the world knows values for the field (by name) mostly one
 * of those, now and then a plausible wrong one or anything of the schema's type. `strict` keeps to
 * the known values, for bodies whose one deliberate defect must not hide behind another.
 */
export const schemaValue = (schema: Schema | undefined, ctx: ArbitraryContext, name = '', level = 0, strict = false): fc.Arbitrary<JsonNode> => {
  if (!schema || level > 8) return fc.constant(null);
  if (schema.allOf?.length) {
    const merged: Schema = { ...schema, allOf: undefined };
    for (const part of schema.allOf) Object.assign(merged, part, { properties: { ...merged.properties, ...part.properties } });
    return schemaValue(merged, ctx, name, level, strict);
  }
  const generic = genericValue(schema, ctx, name, level, strict);
  // Strict arrays of known values have no duplicates: "must be unique" would hide the one defect.
  const of = (pool: Array<string | number | boolean> | undefined) =>
    pool?.length
      ? ((schema.type !== 'array'
          ? fc.constantFrom(...pool)
          : strict
            ? fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: Math.min(3, pool.length) })
            : fc.array(fc.constantFrom(...pool), { maxLength: 3 })) as fc.Arbitrary<JsonNode>)
      : undefined;
  // A field's own enum beats what the world knows under its name (`kind` of a flag, of a sample).
  const known = schema.enum ? undefined : of(ctx.fieldPools[name]);
  const odd = schema.enum ? undefined : of(ctx.oddFieldValues[name]);
  const value = strict
    ? (known ?? generic)
    : fc.oneof(
        ...[known && { weight: 6, arbitrary: known }, odd && { weight: 1, arbitrary: odd }, { weight: known ? 2 : 1, arbitrary: generic }].filter(
          (o) => o !== undefined,
        ),
      );
  return schema.nullable && !strict ? fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }) : value;
};

const genericValue = (schema: Schema, ctx: ArbitraryContext, name: string, level: number, strict: boolean): fc.Arbitrary<JsonNode> => {
  if (schema.oneOf?.length) return fc.oneof(...schema.oneOf.map((s) => schemaValue(s, ctx, name, level + 1, strict)));
  if (schema.enum?.length) return fc.constantFrom(...(schema.enum as JsonNode[]));
  if (name === 'context') return contextArb;
  // Histogram buckets: log2-16 bucket index → count.
  if (name === 'buckets')
    return fc.dictionary(fc.integer({ min: -1024, max: 1023 }).map(String), fc.integer({ min: 1, max: 100 }), {
      minKeys: strict ? 1 : 0,
      maxKeys: 3,
    }) as fc.Arbitrary<JsonNode>;
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time' || DATE_FIELDS.has(name)) return isoDate;
      const maxLength = Math.min(schema.maxLength ?? 24, 24);
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern), { maxLength });
      return strict ? fc.stringMatching(new RegExp(`^[A-Za-z][A-Za-z0-9 ._-]{0,${maxLength - 1}}$`)) : fc.string({ maxLength });
    }
    case 'number':
    case 'integer': {
      if (schema.minimum !== undefined || schema.maximum !== undefined) {
        const min = schema.minimum ?? -1e6;
        const max = schema.maximum ?? 1e6;
        const inRange =
          schema.type === 'integer' || Number.isInteger(min) ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
        return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
      }
      if (strict) return fc.integer({ min: 0, max: 100 });
      // Unbounded in the schema, so anything a double holds is "valid": counts and sums included.
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: -10, max: 1000 }) },
        { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
        { weight: 1, arbitrary: fc.constantFrom(1e154, 1.5e308, 1.7976931348623157e308, -1e308, 9007199254740991, 2 ** 63, 5e-324, -0) },
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schemaValue(schema.items, ctx, singular(name), level + 1, strict), {
        minLength: strict ? 1 : 0,
        maxLength: level > 2 ? 1 : 3,
      }) as fc.Arbitrary<JsonNode>;
    case 'object':
    default: {
      const properties = schema.properties ?? {};
      if (Object.keys(properties).length === 0) {
        if (schema.type !== 'object' && !schema.additionalProperties) return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonNode>;
        const values =
          typeof schema.additionalProperties === 'object'
            ? schemaValue(schema.additionalProperties, ctx, '', level + 1, strict)
            : (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<JsonNode>);
        return fc.dictionary(fc.string({ maxLength: 8 }), values, { maxKeys: 4 }) as fc.Arbitrary<JsonNode>;
      }
      const required = new Set(schema.required ?? []);
      const fields = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, schemaValue(s, ctx, key, level + 1, strict)]));
      // Mostly every required field and some optional ones; now and then a required one missing.
      return fc.record(fields, { requiredKeys: Object.keys(fields).filter((k) => required.has(k)) }) as fc.Arbitrary<JsonNode>;
    }
  }
};

const singular = (name: string): string => (name.endsWith('s') ? name.slice(0, -1) : name);

// ---------------------------------------------------------------- mutations

type Action =
  | { type: 'replace'; value: JsonNode }
  | { type: 'delete' }
  | { type: 'addKey'; key: string; value: JsonNode }
  | { type: 'grow'; length: number; element: string; copy: boolean }
  | { type: 'nest'; levels: number; shape: string }
  | { type: 'wrap' };

export interface Mutation {
  /** Which child to descend into at each level (modulo the number of children). */
  route: number[];
  action: Action;
}

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'then',
  '',
  'a\u0000b',
  '\ud800',
  'unknownField',
  '$where',
];

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: adversarialValue.map((value): Action => ({ type: 'replace', value })) },
  { weight: 2, arbitrary: fc.constant<Action>({ type: 'delete' }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })), adversarialValue)
      .map(([key, value]): Action => ({ type: 'addKey', key, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(arrayLength, fc.constantFrom(...TINY_ELEMENTS), fc.boolean())
      .map(([length, element, copy]): Action => ({ type: 'grow', length, element, copy })),
  },
  { weight: 1, arbitrary: fc.tuple(depth, fc.constantFrom('array', 'object', 'mixed')).map(([levels, shape]): Action => ({ type: 'nest', levels, shape })) },
  { weight: 1, arbitrary: fc.constant<Action>({ type: 'wrap' }) },
);

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(fc.record({ route: fc.array(fc.nat({ max: 1000 }), { maxLength: 5 }), action }), {
  minLength: 1,
  maxLength: 3,
});

const clone = (n: JsonNode): JsonNode => {
  if (Array.isArray(n)) return n.map(clone);
  if (isPlainObject(n)) {
    const o: Record<string, JsonNode> = {};
    for (const k of Object.keys(n)) setOwn(o, k, clone(n[k]!));
    return o;
  }
  return n;
};

type Slot = { get: () => JsonNode; set: (v: JsonNode) => void; remove: () => void };

const childSlots = (node: JsonNode): Slot[] => {
  if (Array.isArray(node)) return node.map((_, i) => ({ get: () => node[i]!, set: (v) => (node[i] = v), remove: () => void node.splice(i, 1) }));
  if (isPlainObject(node)) return Object.keys(node).map((k) => ({ get: () => node[k]!, set: (v) => setOwn(node, k, v), remove: () => void delete node[k] }));
  return [];
};

const arraySlots = (rootSlot: Slot): Slot[] => {
  const found: Slot[] = [];
  const visit = (slot: Slot, level: number) => {
    const v = slot.get();
    if (Array.isArray(v)) found.push(slot);
    if (level < 6) for (const child of childSlots(v)) visit(child, level + 1);
  };
  visit(rootSlot, 0);
  return found;
};

/** Applies mutations to a copy of `body`. */
export const mutate = (body: JsonNode, list: Mutation[]): JsonNode => {
  let root = clone(body);
  const rootSlot: Slot = { get: () => root, set: (v) => (root = v), remove: () => (root = null) };
  for (const { route, action: a } of list) {
    let slot = rootSlot;
    let parent: JsonNode | undefined;
    for (const step of route) {
      const children = childSlots(slot.get());
      if (children.length === 0) break;
      parent = slot.get();
      slot = children[step % children.length]!;
    }
    switch (a.type) {
      case 'replace':
        slot.set(clone(a.value));
        break;
      case 'delete':
        slot.remove();
        break;
      case 'addKey': {
        const target = isPlainObject(slot.get()) ? slot.get() : isPlainObject(parent) ? parent : undefined;
        if (isPlainObject(target)) setOwn(target, a.key, clone(a.value));
        else slot.set(objectWith([[a.key, clone(a.value)]]));
        break;
      }
      case 'grow': {
        // Aim at an array the schema has (batches, targets, rules, values...), else put one here.
        const arrays = arraySlots(rootSlot);
        const target = arrays.length ? arrays[(route[0] ?? 0) % arrays.length]! : slot;
        const current = target.get();
        const first = Array.isArray(current) ? current[0] : undefined;
        const firstPieces = first === undefined ? undefined : toPieces(first);
        const element = a.copy && firstPieces?.length === 1 && 'text' in firstPieces[0]! ? firstPieces[0].text : a.element;
        target.set(longArray(a.length, element));
        break;
      }
      case 'nest':
        slot.set(nest(a.levels, a.shape, toPieces(slot.get())));
        break;
      case 'wrap':
        slot.set([slot.get()]);
        break;
    }
  }
  return root;
};

// ---------------------------------------------------------------- bodies

const JUNK_TEXTS = [
  '',
  '{',
  '}',
  '{"a":',
  '{"a":1,"a":2}',
  '\ufeff{}',
  '{}x',
  'nul',
  '[1,]',
  '{"a":1,}',
  "{'a':1}",
  '01',
  '1.',
  '+1',
  '0x10',
  'NaN',
  'Infinity',
  '"\\ud800"',
  '"\\u0000"',
  '"\\x41"',
  '{"\\u0000":1}',
  ' \t\n ',
  '//c\n{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  'null',
  '[]',
  '"x"',
  '42',
];

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  null,
];

const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 20, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
);

const jsonBody = (node: fc.Arbitrary<JsonNode>): fc.Arbitrary<RequestBody | null> =>
  fc
    .tuple(
      node,
      contentType,
      fc.oneof({ weight: 40, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'br', 'identity, gzip', 'x-unknown') }),
    )
    .map(([n, type, encoding]) => ({
      pieces: toPieces(n),
      contentType: type,
      ...(encoding ? { contentEncoding: encoding } : {}),
    }));

export const bodyArbitrary = (op: Operation, ctx: ArbitraryContext): fc.Arbitrary<RequestBody | null> => {
  const valid = schemaValue(op.body ?? { type: 'object', properties: {} }, ctx);
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<RequestBody | null> }> = [
    { weight: op.body ? 3 : 1, arbitrary: jsonBody(valid) },
    { weight: op.body ? 7 : 1, arbitrary: jsonBody(fc.tuple(valid, mutations).map(([v, m]) => mutate(v, m))) },
    { weight: 1, arbitrary: jsonBody(adversarialValue) },
    { weight: 1, arbitrary: jsonBody(fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonNode>) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...JUNK_TEXTS), contentType).map(([text, type]) => ({ pieces: [{ text }], contentType: type })) },
    { weight: op.body ? 1 : 4, arbitrary: fc.constant(null) },
  ];
  return fc.oneof({ withCrossShrink: true }, ...options);
};

// ---------------------------------------------------------------- path parameters

/** Percent-encodes UTF-16 as WTF-8: a lone surrogate becomes bytes no UTF-8 decoder accepts. */
export const percentEncode = (s: string): string => {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (c < 0x80 && /[A-Za-z0-9._~-]/.test(String.fromCharCode(c))) {
      out += String.fromCharCode(c);
      continue;
    }
    const bytes =
      c < 0x80
        ? [c]
        : c < 0x800
          ? [0xc0 | (c >> 6), 0x80 | (c & 63)]
          : c < 0x10000
            ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)]
            : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
};

const SEGMENTS = [
  '%00',
  'a%00',
  '%00%00',
  '%E0%A4%A',
  '%FF',
  '%',
  '%%',
  '%zz',
  '%2',
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '%2F',
  '%5C',
  '%C0%80',
  '%C0%AF',
  '%ED%A0%80',
  '%EF%BF%BF',
  '%F4%90%80%80',
  '%F0%9F%9A%80',
  '%D0%BA%D0%BB%D1%8E%D1%87',
  '%E2%80%AE',
  '%20',
  '+',
  '~',
  '*',
  ';',
  ',',
  '@',
  ':',
  '$',
  '!',
  "'",
  '%3F',
  '%23',
  '%u0000',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  '-1',
  '1e400',
  '\u00ff',
  'caf\u00e9',
];

const adversarialSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 3, arbitrary: fc.string({ unit: oddCharacter, minLength: 1, maxLength: 8 }).map(percentEncode) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 8_000 }).map((n) => 'k'.repeat(n)) },
);

export const pathValueArbitrary = (op: Operation, param: string, ctx: ArbitraryContext): fc.Arbitrary<string> => {
  const segments = op.template.split('/');
  const preceding = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
  const pool = ctx.pools[`${preceding}/{${param}}`] ?? ['x'];
  // Cross-shrinking: a failing odd segment is first tried as a plain existing value.
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 10, arbitrary: fc.constantFrom(...pool).map(percentEncode) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,30}$/) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 4, arbitrary: adversarialSegment },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...pool), adversarialSegment).map(([a, b]) => percentEncode(a) + b) },
  );
};

// ---------------------------------------------------------------- query strings and headers

const QUERY_VALUES = [
  '%00',
  '%',
  '%E0%A4%A',
  '%FF',
  '%ED%A0%80',
  '',
  '1e400',
  '-1',
  '-0',
  'NaN',
  'Infinity',
  '9007199254740993',
  '1e308',
  '0x10',
  '%20',
  '+',
  'null',
  '[object%20Object]',
  '..%2F..',
  '2030-02-30',
  '-271821-04-20T00:00:00Z',
];

const adversarialQueryValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...QUERY_VALUES) },
  { weight: 3, arbitrary: adversarialString.map(percentEncode) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 6_000 }).map((n) => 'q'.repeat(n)) },
);

const validQueryValue = (p: Parameter, ctx: ArbitraryContext): fc.Arbitrary<string> => {
  const s = p.schema ?? { type: 'string' };
  if (s.enum?.length) return fc.constantFrom(...s.enum.map(String));
  if (s.type === 'boolean') return fc.constantFrom('true', 'false', '1', '0', 'yes');
  if (s.type === 'number' || s.type === 'integer') return fc.integer({ min: Math.ceil(s.minimum ?? -5), max: Math.floor(s.maximum ?? 10_000) }).map(String);
  if (s.format === 'date-time' || DATE_FIELDS.has(p.name)) return isoDate.map(encodeURIComponent);
  const pool = ctx.fieldPools[p.name];
  return pool?.length ? fc.constantFrom(...pool.map((v) => encodeURIComponent(String(v)))) : fc.string({ maxLength: 12 }).map(percentEncode);
};

const queryPair = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: value.map((v) => `${name}=${v}`) },
    { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v) => `${name}=${v}`).join('&')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('[]', '[$ne]', '[__proto__]', '[0]', '[a][b]'), value).map(([suffix, v]) => `${name}${suffix}=${v}`) },
    { weight: 1, arbitrary: fc.constant(name) },
  );

const EXTRA_QUERY_NAMES = ['sequence', 'limit', 'cursor', '__proto__', 'constructor[prototype][admin]', 'unknown', '%00', '%E0%A4%A', '', 'a%5B%5D'];

export const queryArbitrary = (op: Operation, ctx: ArbitraryContext): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.tuple(
        ...op.queryParams.map((p) =>
          fc.option(queryPair(p.name, fc.oneof({ weight: 3, arbitrary: validQueryValue(p, ctx) }, { weight: 2, arbitrary: adversarialQueryValue })), {
            freq: 2,
          }),
        ),
      ),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant<string[]>([]) },
        {
          weight: 1,
          arbitrary: fc.array(
            fc.tuple(fc.constantFrom(...EXTRA_QUERY_NAMES), adversarialQueryValue).map(([n, v]) => `${n}=${v}`),
            { minLength: 1, maxLength: 2 },
          ),
        },
      ),
      fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('%', '&&&', '=', '==&=', '%E0%A4%A', '?', '#') }),
    )
    .map(([declared, extra, junk]) => [...declared.filter((p): p is string => p !== null), ...extra, ...(junk ? [junk] : [])].join('&'));

const HEADER_VALUES: Record<string, string[]> = {
  'If-None-Match': ['"0"', '"1"', '*', 'W/"1"', '"1", "2"', ',,,', '"', `"${'9'.repeat(400)}"`, ''],
  'Last-Event-ID': ['-1', '0', 'abc', '1e400', '99999999999999999999', ' ', '%00', '1.5'],
  'X-Request-Id': ['fuzz-request', '../../x', 'x'.repeat(65), '%00', '\u00ff'],
};

export const headersArbitrary = (op: Operation): fc.Arbitrary<Record<string, string>> => {
  const names = [...op.headerParams.map((p) => p.name), ...(op.template.endsWith('/sdk/stream') ? ['Last-Event-ID'] : []), 'X-Request-Id'];
  return fc
    .tuple(
      ...names.map((name) =>
        fc.option(fc.constantFrom(...(HEADER_VALUES[name] ?? ['x'])), { freq: name === 'X-Request-Id' ? 8 : 2 }).map((v) => [name, v] as const),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== null)) as Record<string, string>);
};

export const requestArbitrary = (op: Operation, ctx: ArbitraryContext): fc.Arbitrary<FuzzRequest> =>
  fc.record({
    pathValues: fc.record(Object.fromEntries(op.pathParams.map((p) => [p, pathValueArbitrary(op, p, ctx)]))) as fc.Arbitrary<Record<string, string>>,
    query: op.queryParams.length
      ? queryArbitrary(op, ctx)
      : fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryArbitrary(op, ctx) }),
    headers: headersArbitrary(op),
    body: bodyArbitrary(op, ctx),
  });

// ---------------------------------------------------------------- attacks, one kind at a time

const NUL_SEGMENTS = ['%00', 'a%00', '%00%00', 'fuzz%00.bool', '%00fuzz'];
const MALFORMED_SEGMENTS = ['%E0%A4%A', '%FF', '%', '%%', '%zz', '%2', '%C0%80', '%C0%AF', '%ED%A0%80', '%EDa', '%F4%90%80%80', '%u0000', 'a%'];
const ODD_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '%2F',
  '%5C',
  '%F0%9F%9A%80',
  '%D0%BA%D0%BB%D1%8E%D1%87',
  '%E2%80%AE',
  '%EF%BF%BF',
  '%EF%BB%BF',
  '__proto__',
  'constructor',
  '%20',
  '~',
  "'",
  'k'.repeat(5_000),
];

const scalarAttack: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: adversarialString },
  { weight: 4, arbitrary: numberLiteral },
  { weight: 1, arbitrary: fc.constantFrom<JsonNode>(null, true, false, 0, '') },
  { weight: 2, arbitrary: protoObject },
  { weight: 1, arbitrary: invalidUtf8 },
);

const mutationsOf = (a: fc.Arbitrary<Action>): fc.Arbitrary<Mutation[]> =>
  fc.array(fc.record({ route: fc.array(fc.nat({ max: 1000 }), { maxLength: 5 }), action: a }), { minLength: 1, maxLength: 2 });

// Sums of two of these overflow a double; a thousand of the largest safe integer overflow a bigint.
const EXTREME_NUMBERS = [1.7976931348623157e308, 1.5e308, 1e154, 9007199254740991, -1.7976931348623157e308, 5e-324, 2 ** 63];

type Path = Array<string | 0>;

/** Where the schema has numbers: `batches.0.series.0.sum`, arrays entered at their first element. */
const numericPaths = (schema: Schema | undefined, path: Path = [], out: Path[] = []): Path[] => {
  if (!schema || path.length > 8) return out;
  if (schema.type === 'number' || schema.type === 'integer') out.push(path);
  else if (schema.type === 'array') numericPaths(schema.items, [...path, 0], out);
  for (const part of schema.allOf ?? []) numericPaths(part, path, out);
  for (const [key, s] of Object.entries(schema.properties ?? {})) numericPaths(s, [...path, key], out);
  return out;
};

/**
 * `value` at `path` (where the body has the path's parent), and the innermost array on the path made
 * of `copies` copies of its first element — fewer if the body would pass 900 KB.
 */
const withNumberAt = (body: JsonNode, path: Path, value: number, copies: number): JsonNode => {
  const build = (n: number): JsonNode => {
    const root = clone(body);
    let node: JsonNode = root;
    let innermost: { array: JsonNode[] } | undefined;
    for (const [i, key] of path.entries()) {
      const last = i === path.length - 1;
      if (key === 0 && Array.isArray(node) && node.length > 0) {
        innermost = { array: node };
        if (last) node[0] = value;
        else node = node[0]!;
      } else if (typeof key === 'string' && isPlainObject(node)) {
        if (last) setOwn(node, key, value);
        else if (node[key] !== undefined) node = node[key]!;
        else break;
      } else break;
    }
    if (innermost && n > 1) innermost.array.splice(0, innermost.array.length, ...Array.from({ length: n }, () => innermost!.array[0]!));
    return root;
  };
  const first = build(copies);
  const size = byteLength(toPieces(first));
  return size <= 900_000 ? first : build(Math.max(1, Math.floor((copies * 900_000) / size)));
};

export interface Attack {
  name: string;
  requests: fc.Arbitrary<FuzzRequest>;
}

/**
 * One arbitrary per kind of attack the operation can take, the rest of the request valid-ish: so
 * every operation meets every kind in a short run, not only when the dice say so.
 */
export const attacksOn = (op: Operation, ctx: ArbitraryContext): Attack[] => {
  const pathValues = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => {
        const segments = op.template.split('/');
        const pool = ctx.pools[`${segments[segments.indexOf(`{${p}}`) - 1]}/{${p}}`] ?? ['x'];
        return [p, fc.constantFrom(...pool).map(percentEncode)];
      }),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const example = ctx.examples[op.id];
  const valid = example !== undefined ? fc.constant(example) : schemaValue(op.body ?? { type: 'object', properties: {} }, ctx, '', 0, true);
  const json = (node: fc.Arbitrary<JsonNode>): fc.Arbitrary<RequestBody | null> =>
    op.body ? node.map((n) => ({ pieces: toPieces(n), contentType: 'application/json' })) : fc.constant(null);
  const request = (parts: {
    pathValues?: fc.Arbitrary<Record<string, string>>;
    query?: fc.Arbitrary<string>;
    body?: fc.Arbitrary<RequestBody | null>;
    times?: number;
  }): fc.Arbitrary<FuzzRequest> =>
    fc.record({
      pathValues: parts.pathValues ?? pathValues,
      query: parts.query ?? fc.constant(''),
      headers: fc.constant({}),
      body: parts.body ?? json(valid),
      times: fc.constant(parts.times ?? 1),
    });
  const oneParam = (values: fc.Arbitrary<string>) =>
    fc.tuple(pathValues, fc.constantFrom(...op.pathParams), values).map(([v, param, value]) => ({ ...v, [param]: value }));

  const attacks: Attack[] = [];
  // Each parameter on its own: a route may check one parameter and forget another.
  for (const param of op.pathParams) {
    const only = (values: fc.Arbitrary<string>) => fc.tuple(pathValues, values).map(([v, value]) => ({ ...v, [param]: value }));
    attacks.push({ name: `NUL in {${param}}`, requests: request({ pathValues: only(fc.constantFrom(...NUL_SEGMENTS)) }) });
    attacks.push({ name: `malformed percent-encoding in {${param}}`, requests: request({ pathValues: only(fc.constantFrom(...MALFORMED_SEGMENTS)) }) });
  }
  if (op.pathParams.length) {
    attacks.push({
      name: 'path parameter with dot segments, unicode or 5,000 characters',
      requests: request({
        pathValues: oneParam(fc.oneof(fc.constantFrom(...ODD_SEGMENTS), fc.string({ unit: oddCharacter, minLength: 1, maxLength: 6 }).map(percentEncode))),
      }),
    });
  }
  if (op.queryParams.length) {
    attacks.push({
      name: 'adversarial query string',
      requests: request({
        query: fc
          .array(fc.tuple(fc.constantFrom(...op.queryParams.map((p) => p.name)), adversarialQueryValue), { minLength: 1, maxLength: op.queryParams.length })
          .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('&')),
      }),
    });
  }
  // null in each field on its own: the commonest careless value, and the one `?.` forgets.
  for (const field of Object.keys(op.body?.properties ?? {})) {
    attacks.push({
      name: `null in "${field}"`,
      requests: request({ body: json(valid.map((v) => (isPlainObject(v) ? { ...v, [field]: null } : v))) }),
    });
  }
  // Each numeric field at the limits of a double, its array repeated up to 1,500 times, sent twice:
  // what a server adds up (rollups, counters) must not overflow into a 500 or a NaN.
  for (const path of numericPaths(op.body)) {
    attacks.push({
      name: `${path.join('.')} at the limits of a double, sent twice`,
      requests: request({
        body: json(
          fc
            .tuple(valid, fc.constantFrom(...EXTREME_NUMBERS), fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 1_500 })))
            .map(([v, value, copies]) => withNumberAt(v, path, value, copies)),
        ),
        times: 2,
      }),
    });
  }
  if (op.body?.properties?.context) {
    attacks.push({
      name: 'context attributes that make a backtracking regular expression take exponential time',
      requests: request({
        body: json(
          fc
            .tuple(valid, backtrackingBait)
            .map(([v, bait]) => (isPlainObject(v) ? { ...v, context: { targetingKey: bait, runId: bait, pipeline: bait, plan: bait, version: bait } } : v)),
        ),
      }),
    });
  }
  if (op.body) {
    attacks.push({
      name: 'body nested thousands of levels deep',
      requests: request({
        body: json(
          fc
            .tuple(
              valid,
              mutationsOf(
                fc
                  .tuple(fc.integer({ min: 1_000, max: 10_000 }), fc.constantFrom('array', 'object', 'mixed'))
                  .map(([levels, shape]): Action => ({ type: 'nest', levels, shape })),
              ),
            )
            .map(([v, m]) => mutate(v, m)),
        ),
      }),
    });
    attacks.push({
      name: 'body with an array of 10,000–250,000 elements',
      requests: request({
        body: json(
          fc
            .tuple(
              valid,
              mutationsOf(
                fc
                  .tuple(fc.integer({ min: 10_000, max: 250_000 }), fc.constantFrom(...TINY_ELEMENTS), fc.boolean())
                  .map(([length, element, copy]): Action => ({ type: 'grow', length, element, copy })),
              ),
            )
            .map(([v, m]) => mutate(v, m)),
        ),
      }),
    });
    attacks.push({
      name: 'body with wrong types, odd numbers and strings, prototype keys',
      requests: request({
        body: json(
          fc
            .tuple(
              valid,
              mutationsOf(
                fc.oneof(
                  { weight: 3, arbitrary: scalarAttack.map((value): Action => ({ type: 'replace', value })) },
                  {
                    weight: 1,
                    arbitrary: fc.tuple(fc.constantFrom(...PROTO_KEYS), scalarAttack).map(([key, value]): Action => ({ type: 'addKey', key, value })),
                  },
                ),
              ),
            )
            .map(([v, m]) => mutate(v, m)),
        ),
      }),
    });
  }
  return attacks;
};
