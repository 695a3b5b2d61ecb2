#!/usr/bin/env node
// Writes the shared evaluation test vectors (*.json in this folder).
//
// Deliberately independent of the TypeScript engine: expectations are written out by hand, and
// bucketing expectations come from the small murmur3 reference below (Buffer's UTF-8 encoder),
// cross-checked against the published murmur3 vectors before anything is written.
//
// The one thing read from the engine is its operator table (names, operand kinds, labels), written
// to tables/operators.json for SDKs in other languages; the cases must use every operator in it.
// It comes from the built SDK, so build first:
//
//   node scripts/build.mjs && node sdk/test-vectors/generate.mjs
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const builtCore = join(here, '../dist/core/index.js');
if (!existsSync(builtCore)) throw new Error(`${builtCore} is missing: run node scripts/build.mjs first`);
const { CLAUSE_OPERATORS, operatorTableDocument } = await import(pathToFileURL(builtCore).href);

// ---- independent murmur3_x86_32 reference -------------------------------------------------

function murmur3(bytes, seed = 0) {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = Math.floor(bytes.length / 4);
  for (let b = 0; b < blocks; b++) {
    let k = bytes.readUInt32LE(b * 4);
    k = Math.imul(k, c1);
    k = ((k << 15) | (k >>> 17)) >>> 0;
    k = Math.imul(k, c2);
    h ^= k;
    h = ((h << 13) | (h >>> 19)) >>> 0;
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  let k = 0;
  const tail = blocks * 4;
  switch (bytes.length & 3) {
    case 3:
      k ^= bytes[tail + 2] << 16;
    // falls through
    case 2:
      k ^= bytes[tail + 1] << 8;
    // falls through
    case 1:
      k ^= bytes[tail];
      k = Math.imul(k, c1);
      k = ((k << 15) | (k >>> 17)) >>> 0;
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = (text) => Buffer.from(text, 'utf8'); // lone surrogates become EF BF BD, like TextEncoder
const bucketOf = (salt, unit) => murmur3(utf8(`${salt}.${unit}`)) % 100000;

for (const [text, seed, expected] of [
  ['', 0, 0],
  ['', 1, 0x514e28b7],
  ['hello', 0, 0x248bfa47],
  ['Hello, world!', 1234, 0xfaf6cdb3],
  ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
]) {
  if (murmur3(utf8(text), seed) !== expected) throw new Error(`murmur3 reference is wrong for ${JSON.stringify(text)}`);
}

// ---- builders ------------------------------------------------------------------------------

const BOOL_VARIANTS = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

function flag(overrides = {}) {
  return {
    key: 'f',
    kind: 'boolean',
    salt: 'f-salt',
    variants: BOOL_VARIANTS,
    version: 1,
    on: true,
    killed: false,
    offVariant: 'off',
    targets: [],
    rules: [],
    defaultRule: { variant: 'on' },
    prerequisites: [],
    ...overrides,
  };
}

const env = (flags, segments = []) => ({ sequence: 1, flags, segments });
const on = (extra = {}) => ({ value: true, variant: 'on', ...extra });
const off = (extra = {}) => ({ value: false, variant: 'off', ...extra });
const attr = (attribute, op, values, negate) => (negate === undefined ? { attribute, op, values } : { attribute, op, values, negate });

function testCase(description, config, context, expected, extra = {}) {
  return { description, config, flagKey: 'f', context, defaultValue: false, ...extra, expected };
}

/** A flag whose only rule (clause → on) decides; otherwise the default rule serves off. */
function clauseCase(description, clause, context, matches, segments = []) {
  const config = env([flag({ rules: [{ clauses: [clause], serve: { variant: 'on' } }], defaultRule: { variant: 'off' } })], segments);
  return testCase(description, config, context, matches ? on({ reason: 'TARGETING_MATCH', ruleIndex: 0 }) : off({ reason: 'DEFAULT' }));
}

// ---- operators -----------------------------------------------------------------------------

const u = (attributes = {}) => ({ targetingKey: 'user-1', ...attributes });
const OPERATOR_TABLE = [
  ['in: equal string matches', attr('plan', 'in', ['free', 'pro']), u({ plan: 'pro' }), true],
  ['in: other string does not match', attr('plan', 'in', ['free', 'pro']), u({ plan: 'enterprise' }), false],
  ['in: case-sensitive', attr('plan', 'in', ['Pro']), u({ plan: 'pro' }), false],
  ['in: number does not equal numeric string', attr('age', 'in', ['42']), u({ age: 42 }), false],
  ['in: numeric string does not equal number', attr('age', 'in', [42]), u({ age: '42' }), false],
  ['in: equal number matches', attr('age', 'in', [42]), u({ age: 42 }), true],
  ['in: integer and float of the same value are equal', attr('age', 'in', [42]), u({ age: 42.0 }), true],
  ['in: equal boolean matches', attr('beta', 'in', [true]), u({ beta: true }), true],
  ['in: boolean does not equal string', attr('beta', 'in', ['true']), u({ beta: true }), false],
  ['in: any array element matches', attr('groups', 'in', ['admins']), u({ groups: ['users', 'admins'] }), true],
  ['in: empty array does not match', attr('groups', 'in', ['admins']), u({ groups: [] }), false],
  ['in: object attribute does not match', attr('plan', 'in', ['pro']), u({ plan: { name: 'pro' } }), false],
  ['in: targetingKey is an attribute', attr('targetingKey', 'in', ['user-1']), u(), true],
  ['in: unicode strings compare exactly', attr('city', 'in', ['Zürich']), u({ city: 'Zürich' }), true],
  ['in: composed and decomposed forms differ', attr('city', 'in', ['Zürich']), u({ city: 'Zu\u0308rich' }), false],
  ['in: empty value list never matches', attr('plan', 'in', []), u({ plan: 'pro' }), false],
  ['notIn: value equal to none matches', attr('plan', 'notIn', ['free']), u({ plan: 'pro' }), true],
  ['notIn: listed value does not match', attr('plan', 'notIn', ['free', 'pro']), u({ plan: 'pro' }), false],
  ['notIn: array containing a listed value does not match', attr('groups', 'notIn', ['admins']), u({ groups: ['users', 'admins'] }), false],
  ['notIn: array containing no listed value matches', attr('groups', 'notIn', ['admins']), u({ groups: ['users'] }), true],
  ['notIn: missing attribute does not match', attr('plan', 'notIn', ['free']), u(), false],
  ['notIn: null attribute does not match', attr('plan', 'notIn', ['free']), u({ plan: null }), false],
  ['notIn: number vs numeric string counts as not in', attr('age', 'notIn', ['42']), u({ age: 42 }), true],
  ['contains: substring matches', attr('email', 'contains', ['@example']), u({ email: 'a@example.com' }), true],
  ['contains: absent substring does not match', attr('email', 'contains', ['@corp']), u({ email: 'a@example.com' }), false],
  ['contains: any value matches', attr('email', 'contains', ['@corp', '@example']), u({ email: 'a@example.com' }), true],
  ['contains: number attribute does not match', attr('id', 'contains', ['12']), u({ id: 123 }), false],
  ['contains: empty string is contained in any string', attr('email', 'contains', ['']), u({ email: 'x' }), true],
  ['contains: any array element', attr('tags', 'contains', ['gpu']), u({ tags: ['cpu-small', 'gpu-large'] }), true],
  ['startsWith: prefix matches', attr('region', 'startsWith', ['eu-']), u({ region: 'eu-west-1' }), true],
  ['startsWith: suffix does not match', attr('region', 'startsWith', ['west-1']), u({ region: 'eu-west-1' }), false],
  ['startsWith: emoji prefix matches', attr('name', 'startsWith', ['🚀']), u({ name: '🚀 launch' }), true],
  ['endsWith: suffix matches', attr('email', 'endsWith', ['.org', '.com']), u({ email: 'a@example.com' }), true],
  ['endsWith: prefix does not match', attr('email', 'endsWith', ['a@']), u({ email: 'a@example.com' }), false],
  ['endsWith: boolean attribute does not match', attr('flag', 'endsWith', ['e']), u({ flag: true }), false],
  ['matches: anchored pattern matches', attr('email', 'matches', ['^[a-z]+@example\\.com$']), u({ email: 'ann@example.com' }), true],
  ['matches: unanchored pattern searches', attr('email', 'matches', ['example']), u({ email: 'ann@example.com' }), true],
  ['matches: non-matching pattern', attr('email', 'matches', ['^b']), u({ email: 'ann@example.com' }), false],
  ['matches: invalid pattern never matches', attr('email', 'matches', ['(unclosed']), u({ email: '(unclosed' }), false],
  ['matches: valid pattern beside an invalid one still matches', attr('email', 'matches', ['[', 'ann']), u({ email: 'ann@x' }), true],
  ['matches: number attribute does not match', attr('n', 'matches', ['1']), u({ n: 1 }), false],
  ['matches: digit class', attr('build', 'matches', ['^build-\\d{3}$']), u({ build: 'build-042' }), true],
  ['matches: case-sensitive by default', attr('env', 'matches', ['^prod$']), u({ env: 'PROD' }), false],
  ['lt: smaller number matches', attr('age', 'lt', [18]), u({ age: 17 }), true],
  ['lt: equal number does not match', attr('age', 'lt', [18]), u({ age: 18 }), false],
  ['lt: below any value matches', attr('age', 'lt', [10, 20]), u({ age: 15 }), true],
  ['lt: numeric string attribute does not match', attr('age', 'lt', [18]), u({ age: '17' }), false],
  ['lt: numeric string clause value is ignored', attr('age', 'lt', ['18']), u({ age: 17 }), false],
  ['lt: negative numbers', attr('delta', 'lt', [-1]), u({ delta: -1.5 }), true],
  ['lte: equal number matches', attr('age', 'lte', [18]), u({ age: 18 }), true],
  ['lte: larger number does not match', attr('age', 'lte', [18]), u({ age: 19 }), false],
  ['gt: larger number matches', attr('score', 'gt', [0.5]), u({ score: 0.51 }), true],
  ['gt: equal number does not match', attr('score', 'gt', [0.5]), u({ score: 0.5 }), false],
  ['gt: above any value matches', attr('score', 'gt', [10, 1]), u({ score: 5 }), true],
  ['gt: boolean attribute does not match', attr('score', 'gt', [0]), u({ score: true }), false],
  ['gte: equal number matches', attr('score', 'gte', [0.5]), u({ score: 0.5 }), true],
  ['gte: smaller number does not match', attr('score', 'gte', [0.5]), u({ score: 0.49 }), false],
  ['gte: any array element', attr('scores', 'gte', [90]), u({ scores: [10, 95] }), true],
  ['semverEq: equal version matches', attr('version', 'semverEq', ['1.2.3']), u({ version: '1.2.3' }), true],
  ['semverEq: 1.2 reads as 1.2.0', attr('version', 'semverEq', ['1.2.0']), u({ version: '1.2' }), true],
  ['semverEq: 1 reads as 1.0.0', attr('version', 'semverEq', ['1']), u({ version: '1.0.0' }), true],
  ['semverEq: build metadata is ignored', attr('version', 'semverEq', ['1.2.3']), u({ version: '1.2.3+build.7' }), true],
  ['semverEq: pre-release differs from release', attr('version', 'semverEq', ['1.2.3']), u({ version: '1.2.3-rc.1' }), false],
  ['semverEq: leading v is invalid', attr('version', 'semverEq', ['1.2.3']), u({ version: 'v1.2.3' }), false],
  ['semverEq: leading zero is invalid', attr('version', 'semverEq', ['1.2.3']), u({ version: '01.2.3' }), false],
  ['semverEq: number attribute is invalid', attr('version', 'semverEq', ['1.0.0']), u({ version: 1 }), false],
  ['semverLt: older version matches', attr('version', 'semverLt', ['2.0.0']), u({ version: '1.9.9' }), true],
  ['semverLt: pre-release ranks below its release', attr('version', 'semverLt', ['2.0.0']), u({ version: '2.0.0-beta' }), true],
  ['semverLt: numeric pre-release identifiers compare numerically', attr('version', 'semverLt', ['1.0.0-beta.11']), u({ version: '1.0.0-beta.2' }), true],
  ['semverLt: numeric identifiers rank below alphanumeric', attr('version', 'semverLt', ['1.0.0-alpha']), u({ version: '1.0.0-1' }), true],
  ['semverLt: shorter pre-release ranks lower', attr('version', 'semverLt', ['1.0.0-alpha.1']), u({ version: '1.0.0-alpha' }), true],
  ['semverLt: equal version does not match', attr('version', 'semverLt', ['2.0.0']), u({ version: '2.0.0' }), false],
  ['semverGt: newer version matches (numeric, not lexical)', attr('version', 'semverGt', ['1.2.3']), u({ version: '1.10.0' }), true],
  ['semverGt: older version does not match', attr('version', 'semverGt', ['1.2.3']), u({ version: '1.2.2' }), false],
  ['semverGt: invalid clause value is ignored', attr('version', 'semverGt', ['latest']), u({ version: '9.9.9' }), false],
  ['before: earlier ISO date-time matches', attr('signup', 'before', ['2024-01-01T00:00:00Z']), u({ signup: '2023-12-31T23:59:59Z' }), true],
  ['before: same instant does not match', attr('signup', 'before', ['2024-01-01T00:00:00Z']), u({ signup: '2024-01-01' }), false],
  ['before: epoch milliseconds compare with ISO dates', attr('signup', 'before', ['2024-01-01T00:00:00Z']), u({ signup: 1700000000000 }), true],
  ['before: zone offsets are honoured', attr('signup', 'before', ['2024-01-01T00:00:00Z']), u({ signup: '2024-01-01T00:30:00+01:00' }), true],
  ['before: a date-time without a zone is UTC', attr('signup', 'before', ['2024-01-01T10:00:00Z']), u({ signup: '2024-01-01T09:59:59' }), true],
  ['before: fractional seconds count', attr('signup', 'before', ['2024-01-01T00:00:00.500Z']), u({ signup: '2024-01-01T00:00:00.499Z' }), true],
  ['before: unparseable date does not match', attr('signup', 'before', ['2030-01-01']), u({ signup: 'last week' }), false],
  ['after: later date matches', attr('signup', 'after', [1700000000000]), u({ signup: '2024-01-01' }), true],
  ['after: earlier date does not match', attr('signup', 'after', ['2024-01-01']), u({ signup: '2023-06-01' }), false],
  ['after: after any value matches', attr('signup', 'after', ['2030-01-01', '2020-01-01']), u({ signup: '2024-01-01' }), true],
  ['after: invalid calendar date does not match', attr('signup', 'after', ['2020-01-01']), u({ signup: '2023-02-29' }), false],
  ['exists: present attribute matches', attr('plan', 'exists', []), u({ plan: 'free' }), true],
  ['exists: empty string is present', attr('plan', 'exists', []), u({ plan: '' }), true],
  ['exists: false is present', attr('plan', 'exists', []), u({ plan: false }), true],
  ['exists: null is not present', attr('plan', 'exists', []), u({ plan: null }), false],
  ['exists: missing attribute is not present', attr('plan', 'exists', []), u(), false],
  ['missing attribute fails every operator', attr('plan', 'in', ['free']), u(), false],
  ['missing attribute fails lt', attr('age', 'lt', [100]), u(), false],
  ['negate: negated operator matches a missing attribute', attr('plan', 'in', ['free'], true), u(), true],
  ['negate: negated exists matches a missing attribute', attr('plan', 'exists', [], true), u(), true],
  ['negate: negated exists does not match a present attribute', attr('plan', 'exists', [], true), u({ plan: 'x' }), false],
  ['negate: inverts a match', attr('plan', 'in', ['free'], true), u({ plan: 'free' }), false],
  ['negate: inverts a non-match', attr('plan', 'in', ['free'], true), u({ plan: 'pro' }), true],
  ['negate: negated notIn equals in', attr('plan', 'notIn', ['free'], true), u({ plan: 'free' }), true],
  ['negate: explicit false changes nothing', attr('plan', 'in', ['free'], false), u({ plan: 'free' }), true],
];

const operators = OPERATOR_TABLE.map(([description, clause, context, matches]) => clauseCase(description, clause, context, matches));
operators.push(
  testCase(
    'rules: clauses are ANDed',
    env([
      flag({ rules: [{ clauses: [attr('plan', 'in', ['pro']), attr('country', 'in', ['fr'])], serve: { variant: 'on' } }], defaultRule: { variant: 'off' } }),
    ]),
    u({ plan: 'pro', country: 'de' }),
    off({ reason: 'DEFAULT' }),
  ),
  testCase(
    'rules: a rule with no clauses matches everyone',
    env([flag({ rules: [{ clauses: [], serve: { variant: 'off' } }] })]),
    u(),
    off({ reason: 'TARGETING_MATCH', ruleIndex: 0 }),
  ),
);

// ---- matches: the pattern language -----------------------------------------------------------
//
// `matches` runs an RE2-style engine: linear time in the input for every pattern. Where a pattern is
// in the language, the answer is ECMAScript's (RegExp without flags) over ASCII and BMP text, and
// each such case below is checked against this Node's own RegExp before anything is written (an
// independent oracle, like the murmur3 reference above). Cases marked with a reason differ from
// RegExp on purpose: the engine reads code points, and refuses what cannot run in linear time.

const NO_ORACLE_CODE_POINTS = 'RegExp without the u flag reads UTF-16 code units';
const NO_ORACLE_REFUSED = 'a refused pattern never matches; RegExp runs it';
const MATCHES_TABLE = [
  // [description, pattern, input, matches, why RegExp differs (omitted when it agrees)]
  ['searches anywhere unless anchored', 'example', 'ann@example.com', true],
  ['^ is the start of the input', '^example', 'ann@example.com', false],
  ['^ is not the start of a line', '^prod', 'x\nprod', false],
  ['$ is the end of the input only, not before a final newline', '^prod$', 'prod\n', false],
  ['case-sensitive: there are no flags', '^prod$', 'PROD', false],
  ['. matches any character', '^a.c$', 'a-c', true],
  ['. excludes \\n', '^a.c$', 'a\nc', false],
  ['. excludes \\r', '^a.c$', 'a\rc', false],
  ['. excludes U+2028', '^a.c$', 'a\u2028c', false],
  ['. matches a tab', '^a.c$', 'a\tc', true],
  ['[^] matches any character, line terminators included', '^a[^]c$', 'a\nc', true],
  ['[] matches nothing', 'a[]', 'a', false],
  ['a class with ranges', '^[a-c0-2_]+$', 'ab0_2c', true],
  ['a negated class', '^[^0-9]+$', 'abc', true],
  ['a negated class refuses its members', '^[^0-9]+$', 'ab1', false],
  ['- first or last in a class is literal', '^[-a]+[b-]+$', 'a-b-', true],
  ['- next to a class escape is literal', '^[\\w-.]+$', 'a-b.c', true],
  ['- next to a class escape makes no range', '^[\\d-z]$', 'y', false],
  ['] and } outside a class are literal', '^a]}$', 'a]}', true],
  ['a { that starts no quantifier is literal', '^a{,5}$', 'a{,5}', true],
  ['\\d is ASCII digits only', '^\\d+$', '\u0661\u0662\u0663', false],
  ['\\w is ASCII word characters only', '^\\w+$', 'caf\u00e9', false],
  ['\\W matches a non-ASCII letter', '^caf\\W$', 'caf\u00e9', true],
  ['\\s is ECMAScript white space: no-break space', '\\s', 'a\u00a0b', true],
  ['\\s is ECMAScript white space: U+FEFF', '^\\s$', '\ufeff', true],
  ['\\s is ECMAScript white space: U+3000', '^\\s$', '\u3000', true],
  ['\\s does not match U+0085', '\\s', 'a\u0085b', false],
  ['\\S in a class', '^[\\S]+$', 'a b', false],
  ['\\b is a boundary between \\w and \\W', '\\bcat\\b', 'the cat sat', true],
  ['\\b does not match inside a word', '\\bcat\\b', 'concatenate', false],
  ['\\B matches inside a word', '\\Bcat\\B', 'concatenate', true],
  ['\\b at the ends of the input', '^\\bx\\b$', 'x', true],
  ['[\\b] is a backspace', '^[\\b]$', '\b', true],
  ['alternation', '^(?:red|green|blue)$', 'green', true],
  ['alternation inside a capturing group', '^(red|green|blue)$', 'purple', false],
  ['an empty alternative matches the empty string', 'x|', 'abc', true],
  ['{n} counts exactly', '^build-\\d{3}$', 'build-0042', false],
  ['{n,m} upper bound', '^a{2,3}$', 'aaaa', false],
  ['{n,m} within bounds', '^a{2,3}$', 'aaa', true],
  ['{n,} has no upper bound', '^a{2,}$', 'aaaaaaaaaa', true],
  ['{0} matches the empty string', '^xa{0}$', 'x', true],
  ['lazy quantifiers do not change whether a match exists', '^a+?b*?c??d{1,2}?$', 'aabdd', true],
  ['a named group is a group', '^(?<year>\\d{4})-(?<month>\\d{2})$', '2024-06', true],
  ['escapes: \\x, \\u, \\t', '^\\x41\\u00e9\\t$', 'A\u00e9\t', true],
  ['\\cJ is a line feed', '^a\\cJb$', 'a\nb', true],
  ['escaped punctuation is literal', '^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\/\\-$', '.*+?()[]{}|^$/-', true],
  ['a repeated group', '^(?:ab)+$', 'ababab', true],
  ['a repeated group needs whole repetitions', '^(?:ab)+$', 'ababa', false],
  ['an email pattern', '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', 'ann.lee+ml@example.co.uk', true],
  ['a hostname pattern', '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$', 'eu-west-1.compute.example.com', true],
  // Code points.
  ['. matches one astral character', '^.$', '\u{1F680}', true, NO_ORACLE_CODE_POINTS],
  ['a quantifier repeats a whole astral character', '^\u{1F680}{2}$', '\u{1F680}\u{1F680}', true, NO_ORACLE_CODE_POINTS],
  ['a class range of astral characters', '^[\u{1F680}-\u{1F6F8}]+$', '\u{1F6F0}\u{1F680}', true, NO_ORACLE_CODE_POINTS],
  ['a negated class matches an astral character once', '^[^a]$', '\u{1F680}', true, NO_ORACLE_CODE_POINTS],
  ['a surrogate pair written as two \\u escapes is one character', '^\\uD83D\\uDE80$', '\u{1F680}', true],
  ['a lone surrogate in the input is a character of its own', '^.x$', '\uD83Dx', true],
  ['non-ASCII literals', '^caf\u00e9 \u5c71\u7530$', 'caf\u00e9 \u5c71\u7530', true],
  // Refused patterns: refused on save, and never matching if they reach an SDK anyway.
  ['refused: lookahead never matches', '(?=a)a', 'a', false, NO_ORACLE_REFUSED],
  ['refused: negative lookahead never matches', 'a(?!b)', 'ac', false, NO_ORACLE_REFUSED],
  ['refused: lookbehind never matches', '(?<=a)b', 'ab', false, NO_ORACLE_REFUSED],
  ['refused: a backreference never matches', '(a)\\1', 'aa', false, NO_ORACLE_REFUSED],
  ['refused: a named backreference never matches', '(?<x>a)\\k<x>', 'aa', false, NO_ORACLE_REFUSED],
  ['refused: an unknown escape never matches', '\\q', 'q', false, NO_ORACLE_REFUSED],
  ['refused: a Unicode property escape never matches', '\\p{L}', 'p{L}', false, NO_ORACLE_REFUSED],
  ['refused: \\u{...} never matches', '\\u{41}', 'u'.repeat(41), false, NO_ORACLE_REFUSED],
  ['refused: a legacy octal escape never matches', '\\01', '\u0001', false, NO_ORACLE_REFUSED],
  ['refused: a repetition count above 1000 never matches', '^a{1001}$', 'a'.repeat(1001), false, NO_ORACLE_REFUSED],
  ['refused: a pattern too large once repetitions expand never matches', '^(?:a{100}){11}$', 'a'.repeat(1100), false, NO_ORACLE_REFUSED],
  ['refused: a pattern longer than 256 characters never matches', 'a'.repeat(257), 'a'.repeat(257), false, NO_ORACLE_REFUSED],
  ['refused: groups nested more than 32 deep never match', `${'('.repeat(33)}a${')'.repeat(33)}`, 'a', false, NO_ORACLE_REFUSED],
  // Limits.
  ['a 256-character pattern is accepted', 'a'.repeat(256), 'a'.repeat(256), true],
  ['a repetition count of 1000 is accepted', 'a{1000}', 'a'.repeat(1000), true],
  ['a{1000} needs 1000 characters', 'a{1000}', 'a'.repeat(999), false],
  ['an input of 65,536 characters is read to its end', 'a$', `${'b'.repeat(65_535)}a`, true],
  ['an input longer than 65,536 characters never matches', 'a', 'a'.repeat(65_537), false, 'the engine reads at most 65,536 UTF-16 code units'],
  ['the input limit counts UTF-16 code units', '^', '\u{1F680}'.repeat(32_769), false, 'the engine reads at most 65,536 UTF-16 code units'],
];

// Patterns that take a backtracking engine (JavaScript's, Python's `re`) seconds to centuries on
// these 10,000-character inputs. RegExp is never run on them; the answers are worked out by hand.
const N = 10_000;
const CATASTROPHIC_TABLE = [
  ['(a+)+$', 'a'.repeat(N - 1) + '!', false],
  ['(a|a)*$', 'a'.repeat(N - 1) + '!', true],
  ['(a|aa)+b', 'a'.repeat(N), false],
  ['((a+))+$', 'a'.repeat(N - 1) + '!', false],
  ['(a{1,})+$', 'a'.repeat(N - 1) + '!', false],
  ['^([a-z0-9]|[a-z0-9-])*$', 'a'.repeat(N - 1) + '!', false],
  ['^([a-z0-9]|[a-z0-9-])*$', 'a-'.repeat(N / 2), true],
  ['^.*.*.*.*=$', 'x'.repeat(N), false],
  ['^.*.*.*.*=$', 'x'.repeat(N - 1) + '=', true],
  ['(x+x+)+y', 'x'.repeat(N), false],
  ['(a*)*b', 'a'.repeat(N), false],
  ['(.*a){20}', 'a'.repeat(19) + 'b'.repeat(N - 19), false],
  ['(.*a){20}', 'ba'.repeat(N / 2), true],
  ['^(\\w+\\s?)*$', 'a'.repeat(N - 1) + '!', false],
  ['^(\\w+\\s?)*$', 'word '.repeat(N / 5), true],
  ['(a|b|ab)*c', 'ab'.repeat(N / 2), false],
  ['^(a?){25}a{25}$', 'a'.repeat(N), false],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', 'a'.repeat(N), false],
  ['^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$', 'a'.repeat(N - 1) + '!', false],
  ['^(\\d+)*$', '1'.repeat(N - 1) + 'x', false],
  ['(.*,){11}P', '1,'.repeat(N / 2), false],
  ['(\\s+)+x', ' '.repeat(N), false],
  ['([a-zA-Z]+)*$', 'a'.repeat(N - 1) + '1', true],
  ['^[\\s\\S]*?x[\\s\\S]*?y[\\s\\S]*?z$', 'xy'.repeat(N / 2), false],
  ['(a{1,10}){1,40}$', 'a'.repeat(N - 1) + '!', false],
  ['(\\w+\\.)+\\w+@', 'a.'.repeat(N / 2), false],
  // Refused on save (and never matching): backreferences, lookaround, counts and sizes past the limits.
  ['(a*)*\\1', 'a'.repeat(N), false],
  ['(\\w+)\\s\\1', 'ab '.repeat(N / 3) + 'a', false],
  ['(?=(a+)+)x', 'a'.repeat(N), false],
  ['(?<=(a+)+)b', 'a'.repeat(N - 1) + 'b', false],
  ['(.*){1,32000}[bc]', 'a'.repeat(N), false],
  ['((a{100}){100}){100}', 'a'.repeat(N), false],
];

const matchesCase = (description, pattern, input, matches) => clauseCase(description, attr('input', 'matches', [pattern]), u({ input }), matches);
const matchesCases = [];
for (const [description, pattern, input, matches, differs] of MATCHES_TABLE) {
  if (differs === undefined && new RegExp(pattern).test(input) !== matches) throw new Error(`RegExp disagrees on matches case: ${description}`);
  matchesCases.push(matchesCase(`matches: ${description}`, pattern, input, matches));
}
for (const [pattern, input, matches] of CATASTROPHIC_TABLE) {
  if (input.length !== N) throw new Error(`catastrophic input for ${pattern} has ${input.length} characters, not ${N}`);
  matchesCases.push(matchesCase(`catastrophic: ${pattern} on ${JSON.stringify(input.slice(0, 6))}… (${N} characters)`, pattern, input, matches));
}

// ---- segments ------------------------------------------------------------------------------

const SEGMENTS = [
  { key: 'beta', included: ['user-in', 'user-both'], excluded: ['user-out', 'user-both'], rules: [{ clauses: [attr('plan', 'in', ['pro'])] }] },
  {
    key: 'staff',
    included: [],
    excluded: [],
    rules: [{ clauses: [attr('email', 'endsWith', ['@corp.com']), attr('verified', 'in', [true])] }, { clauses: [attr('role', 'in', ['admin'])] }],
  },
];
const seg = (...segments) => ({ op: 'segment', segments });
const SEGMENT_TABLE = [
  ['included key is a member', seg('beta'), { targetingKey: 'user-in' }, true],
  ['included wins over excluded', seg('beta'), { targetingKey: 'user-both', plan: 'free' }, true],
  ['excluded key is not a member even when a rule matches', seg('beta'), { targetingKey: 'user-out', plan: 'pro' }, false],
  ['segment rule match makes a member', seg('beta'), { targetingKey: 'user-2', plan: 'pro' }, true],
  ['outside lists and rules is not a member', seg('beta'), { targetingKey: 'user-2', plan: 'free' }, false],
  ['segment rule clauses are ANDed', seg('staff'), { targetingKey: 'u', email: 'a@corp.com', verified: false }, false],
  ['all clauses of a segment rule match', seg('staff'), { targetingKey: 'u', email: 'a@corp.com', verified: true }, true],
  ['any segment rule matches', seg('staff'), { targetingKey: 'u', role: 'admin' }, true],
  ['member of any named segment', seg('beta', 'staff'), { targetingKey: 'u', role: 'admin' }, true],
  ['unknown segment has no members', seg('nope'), { targetingKey: 'user-in' }, false],
  ['unknown segment beside a known one', seg('nope', 'beta'), { targetingKey: 'user-in' }, true],
  ['rules apply without a targetingKey', seg('beta'), { plan: 'pro' }, true],
  ['no targetingKey and no rule match', seg('beta'), { plan: 'free' }, false],
  ['negated: in none of the segments matches', { ...seg('beta'), negate: true }, { targetingKey: 'user-2' }, true],
  ['negated: member does not match', { ...seg('beta'), negate: true }, { targetingKey: 'user-in' }, false],
];
const segments = SEGMENT_TABLE.map(([description, clause, context, matches]) => clauseCase(`segment: ${description}`, clause, context, matches, SEGMENTS));

// ---- reasons -------------------------------------------------------------------------------

const user = { targetingKey: 'user-1', plan: 'pro' };
const ruleOn = (clauses, serve = { variant: 'on' }) => ({ clauses, serve });
const reasons = [
  testCase(
    'unknown flag: caller default with FLAG_NOT_FOUND',
    env([flag()]),
    user,
    { value: 'fallback', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
    { flagKey: 'missing', defaultValue: 'fallback' },
  ),
  testCase('unknown flag in an empty environment', env([]), user, { value: 3, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }, { defaultValue: 3 }),
  testCase('killed: off variant', env([flag({ killed: true })]), user, off({ reason: 'KILLED' })),
  testCase(
    'killed overrides individual targets',
    env([flag({ killed: true, targets: [{ variant: 'on', values: ['user-1'] }] })]),
    user,
    off({ reason: 'KILLED' }),
  ),
  testCase('killed overrides off', env([flag({ killed: true, on: false })]), user, off({ reason: 'KILLED' })),
  testCase(
    'killed overrides failing prerequisites',
    env([flag({ killed: true, prerequisites: [{ flag: 'ghost', variant: 'on' }] })]),
    user,
    off({ reason: 'KILLED' }),
  ),
  testCase(
    'killed without an off variant: caller default',
    env([flag({ killed: true, offVariant: null })]),
    user,
    { value: true, reason: 'KILLED' },
    { defaultValue: true },
  ),
  testCase('disabled: off variant', env([flag({ on: false, targets: [{ variant: 'on', values: ['user-1'] }] })]), user, off({ reason: 'DISABLED' })),
  testCase(
    'disabled without an off variant: caller default',
    env([flag({ on: false, offVariant: null })]),
    user,
    { value: true, reason: 'DISABLED' },
    { defaultValue: true },
  ),
  testCase(
    'individual target: TARGETING_MATCH without ruleIndex',
    env([flag({ targets: [{ variant: 'off', values: ['user-0', 'user-1'] }] })]),
    user,
    off({ reason: 'TARGETING_MATCH' }),
  ),
  testCase(
    'individual targets come before rules',
    env([flag({ targets: [{ variant: 'off', values: ['user-1'] }], rules: [ruleOn([])] })]),
    user,
    off({ reason: 'TARGETING_MATCH' }),
  ),
  testCase(
    'a key under two targets gets the first',
    env([
      flag({
        targets: [
          { variant: 'off', values: ['user-1'] },
          { variant: 'on', values: ['user-1'] },
        ],
      }),
    ]),
    user,
    off({ reason: 'TARGETING_MATCH' }),
  ),
  testCase(
    'targets match the targetingKey only, not other attributes',
    env([flag({ targets: [{ variant: 'off', values: ['pro'] }] })]),
    user,
    on({ reason: 'DEFAULT' }),
  ),
  testCase(
    'no targetingKey: targets are skipped',
    env([flag({ targets: [{ variant: 'off', values: ['user-1'] }] })]),
    { plan: 'pro' },
    on({ reason: 'DEFAULT' }),
  ),
  testCase(
    'first matching rule wins, with its index',
    env([flag({ rules: [ruleOn([attr('plan', 'in', ['enterprise'])]), ruleOn([attr('plan', 'in', ['pro'])], { variant: 'off' }), ruleOn([])] })]),
    user,
    off({ reason: 'TARGETING_MATCH', ruleIndex: 1 }),
  ),
  testCase(
    'matching rule with a rollout: SPLIT with its index',
    env([
      flag({
        rules: [
          ruleOn([attr('plan', 'in', ['pro'])], {
            rollout: {
              variants: [
                { variant: 'on', weight: 0 },
                { variant: 'off', weight: 100000 },
              ],
            },
          }),
        ],
      }),
    ]),
    user,
    off({ reason: 'SPLIT', ruleIndex: 0 }),
  ),
  testCase(
    'no rule matches: DEFAULT',
    env([flag({ rules: [ruleOn([attr('plan', 'in', ['enterprise'])], { variant: 'off' })] })]),
    user,
    on({ reason: 'DEFAULT' }),
  ),
  testCase('targets exist but none match: DEFAULT', env([flag({ targets: [{ variant: 'off', values: ['someone'] }] })]), user, on({ reason: 'DEFAULT' })),
  testCase('no targets and no rules: STATIC', env([flag()]), user, on({ reason: 'STATIC' })),
  testCase('empty target lists count as no targets: STATIC', env([flag({ targets: [{ variant: 'off', values: [] }] })]), user, on({ reason: 'STATIC' })),
  testCase(
    'default rollout: SPLIT without ruleIndex',
    env([flag({ defaultRule: { rollout: { variants: [{ variant: 'off', weight: 100000 }] } } })]),
    user,
    off({ reason: 'SPLIT' }),
  ),
  testCase(
    'empty default rule with rules: caller default with DEFAULT',
    env([flag({ rules: [ruleOn([attr('plan', 'in', ['x'])])], defaultRule: null })]),
    user,
    { value: 'fallback', reason: 'DEFAULT' },
    { defaultValue: 'fallback' },
  ),
  testCase(
    'empty default rule alone: caller default with STATIC',
    env([flag({ defaultRule: null })]),
    user,
    { value: 'fallback', reason: 'STATIC' },
    { defaultValue: 'fallback' },
  ),
  testCase(
    'context that is not an object reads as empty',
    env([flag({ rules: [ruleOn([attr('plan', 'exists', [])], { variant: 'off' })] })]),
    'user-1',
    on({ reason: 'DEFAULT' }),
  ),
  testCase(
    'null context reads as empty',
    env([flag({ rules: [ruleOn([attr('plan', 'exists', [], true)], { variant: 'off' })] })]),
    null,
    off({ reason: 'TARGETING_MATCH', ruleIndex: 0 }),
  ),
];

// ---- prerequisites -------------------------------------------------------------------------

const prereq = (key, overrides = {}) => flag({ key, salt: `${key}-salt`, ...overrides });
const needs = (...pairs) => pairs.map(([flagKey, variant]) => ({ flag: flagKey, variant }));
const prerequisites = [
  testCase(
    'prerequisite serving the required variant: evaluation goes on',
    env([flag({ prerequisites: needs(['p', 'on']), targets: [{ variant: 'off', values: ['user-1'] }] }), prereq('p')]),
    user,
    off({ reason: 'TARGETING_MATCH' }),
  ),
  testCase(
    'prerequisite serving another variant fails',
    env([flag({ prerequisites: needs(['p', 'on']) }), prereq('p', { defaultRule: { variant: 'off' } })]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase(
    'prerequisite that is off fails even if its off variant is required',
    env([flag({ prerequisites: needs(['p', 'off']) }), prereq('p', { on: false })]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase(
    'killed prerequisite fails',
    env([flag({ prerequisites: needs(['p', 'off']) }), prereq('p', { killed: true })]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase('missing prerequisite flag fails', env([flag({ prerequisites: needs(['ghost', 'on']) })]), user, off({ reason: 'PREREQUISITE_FAILED' })),
  testCase(
    'prerequisite failed without an off variant: caller default',
    env([flag({ offVariant: null, prerequisites: needs(['ghost', 'on']) })]),
    user,
    { value: true, reason: 'PREREQUISITE_FAILED' },
    { defaultValue: true },
  ),
  testCase(
    'prerequisite is evaluated for the same context',
    env([flag({ prerequisites: needs(['p', 'off']) }), prereq('p', { rules: [ruleOn([attr('plan', 'in', ['pro'])], { variant: 'off' })] })]),
    user,
    on({ reason: 'STATIC' }),
  ),
  testCase(
    'every prerequisite must pass',
    env([flag({ prerequisites: needs(['p', 'on'], ['q', 'on']) }), prereq('p'), prereq('q', { defaultRule: { variant: 'off' } })]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase(
    'prerequisites are checked recursively',
    env([flag({ prerequisites: needs(['p', 'on']) }), prereq('p', { prerequisites: needs(['q', 'on']) }), prereq('q', { on: false })]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase(
    'a passing chain of prerequisites',
    env([flag({ prerequisites: needs(['p', 'on']) }), prereq('p', { prerequisites: needs(['q', 'on']) }), prereq('q')]),
    user,
    on({ reason: 'STATIC' }),
  ),
  testCase(
    'a prerequisite cycle fails instead of recursing',
    env([flag({ prerequisites: needs(['g', 'on']) }), prereq('g', { prerequisites: needs(['f', 'on']) })]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase('a flag that requires itself fails', env([flag({ prerequisites: needs(['f', 'on']) })]), user, off({ reason: 'PREREQUISITE_FAILED' })),
  testCase(
    'a prerequisite serving the off variant because its unit is missing fails',
    env([
      flag({ prerequisites: needs(['p', 'off']) }),
      prereq('p', { defaultRule: { rollout: { bucketBy: 'runId', variants: [{ variant: 'on', weight: 100000 }] } } }),
    ]),
    user,
    off({ reason: 'PREREQUISITE_FAILED' }),
  ),
  testCase(
    'a killed flag skips its prerequisites',
    env([flag({ killed: true, offVariant: 'on', prerequisites: needs(['g', 'on']) }), prereq('g', { prerequisites: needs(['f', 'on']) })]),
    user,
    on({ reason: 'KILLED' }),
  ),
  (() => {
    const chain = Array.from({ length: 12 }, (_, i) => prereq(`c${i}`, i < 11 ? { prerequisites: needs([`c${i + 1}`, 'on']) } : {}));
    return testCase(
      'a prerequisite chain deeper than 10 fails',
      env([flag({ prerequisites: needs(['c0', 'on']) }), ...chain]),
      user,
      off({ reason: 'PREREQUISITE_FAILED' }),
    );
  })(),
  (() => {
    const chain = Array.from({ length: 10 }, (_, i) => prereq(`c${i}`, i < 9 ? { prerequisites: needs([`c${i + 1}`, 'on']) } : {}));
    return testCase('a prerequisite chain of depth 10 passes', env([flag({ prerequisites: needs(['c0', 'on']) }), ...chain]), user, on({ reason: 'STATIC' }));
  })(),
];

// ---- types ---------------------------------------------------------------------------------

const typed = (kind, variants, overrides = {}) =>
  flag({
    kind,
    variants: Object.entries(variants).map(([key, value]) => ({ key, value })),
    offVariant: Object.keys(variants)[0],
    defaultRule: { variant: Object.keys(variants)[1] },
    ...overrides,
  });
const types = [
  testCase(
    'string flag serves its string',
    env([typed('string', { a: 'alpha', b: 'beta' })]),
    user,
    { value: 'beta', variant: 'b', reason: 'STATIC' },
    { defaultValue: 'x', expectedKind: 'string' },
  ),
  testCase(
    'number flag serves its number',
    env([typed('number', { low: 0.25, high: 1e6 })]),
    user,
    { value: 1e6, variant: 'high', reason: 'STATIC' },
    { defaultValue: 0, expectedKind: 'number' },
  ),
  testCase(
    'json flag serves its object',
    env([typed('json', { none: null, model: { name: 'v2', layers: [64, 32], tuned: true } })]),
    user,
    { value: { name: 'v2', layers: [64, 32], tuned: true }, variant: 'model', reason: 'STATIC' },
    { defaultValue: {}, expectedKind: 'json' },
  ),
  testCase(
    'json flag may serve null',
    env([typed('json', { a: 1, none: null })]),
    user,
    { value: null, variant: 'none', reason: 'STATIC' },
    { defaultValue: 'd', expectedKind: 'json' },
  ),
  testCase(
    'json flag may serve a string',
    env([typed('json', { a: 1, s: 'text' })]),
    user,
    { value: 'text', variant: 's', reason: 'STATIC' },
    { defaultValue: 'd' },
  ),
  testCase('boolean flag asked for as boolean', env([flag()]), user, on({ reason: 'STATIC' }), { expectedKind: 'boolean' }),
  testCase(
    'boolean flag asked for as string: TYPE_MISMATCH',
    env([flag()]),
    user,
    { value: 'd', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    { defaultValue: 'd', expectedKind: 'string' },
  ),
  testCase(
    'string flag asked for as json: TYPE_MISMATCH',
    env([typed('string', { a: 'alpha', b: 'beta' })]),
    user,
    { value: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    { defaultValue: null, expectedKind: 'json' },
  ),
  testCase(
    'number flag asked for as boolean: TYPE_MISMATCH',
    env([typed('number', { a: 1, b: 2 })]),
    user,
    { value: false, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    { expectedKind: 'boolean' },
  ),
  testCase(
    'type is checked before the kill switch',
    env([flag({ killed: true })]),
    user,
    { value: 0, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    { defaultValue: 0, expectedKind: 'number' },
  ),
  testCase('no expected kind: any kind is served', env([typed('number', { a: 1, b: 2 })]), user, { value: 2, variant: 'b', reason: 'STATIC' }),
  testCase(
    'unknown flag beats type mismatch',
    env([]),
    user,
    { value: 'd', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
    { defaultValue: 'd', expectedKind: 'string' },
  ),
];

// ---- errors --------------------------------------------------------------------------------

const errorResult = (errorCode, value = 'fallback') => ({ value, reason: 'ERROR', errorCode });
const withDefault = { defaultValue: 'fallback' };
const errors = [
  testCase('rule serving an unknown variant: GENERAL', env([flag({ rules: [ruleOn([], { variant: 'ghost' })] })]), user, errorResult('GENERAL'), withDefault),
  testCase(
    'unknown variant in a rule that is not reached is harmless',
    env([flag({ rules: [ruleOn([attr('plan', 'in', ['x'])], { variant: 'ghost' })] })]),
    user,
    on({ reason: 'DEFAULT' }),
    withDefault,
  ),
  testCase('unknown off variant when killed: GENERAL', env([flag({ killed: true, offVariant: 'ghost' })]), user, errorResult('GENERAL'), withDefault),
  testCase('unknown default variant: GENERAL', env([flag({ defaultRule: { variant: 'ghost' } })]), user, errorResult('GENERAL'), withDefault),
  testCase('unknown target variant: GENERAL', env([flag({ targets: [{ variant: 'ghost', values: ['user-1'] }] })]), user, errorResult('GENERAL'), withDefault),
  testCase(
    'rollout slice with an unknown variant: GENERAL when served',
    env([flag({ defaultRule: { rollout: { variants: [{ variant: 'ghost', weight: 100000 }] } } })]),
    user,
    errorResult('GENERAL'),
    withDefault,
  ),
  testCase(
    'weights not summing to 100000: PARSE_ERROR',
    env([
      flag({
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'on', weight: 50000 },
              { variant: 'off', weight: 40000 },
            ],
          },
        },
      }),
    ]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase(
    'negative weight: PARSE_ERROR',
    env([
      flag({
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'on', weight: -1 },
              { variant: 'off', weight: 100001 },
            ],
          },
        },
      }),
    ]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase(
    'fractional weight: PARSE_ERROR',
    env([
      flag({
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'on', weight: 0.5 },
              { variant: 'off', weight: 99999.5 },
            ],
          },
        },
      }),
    ]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase(
    'variant value of the wrong kind: PARSE_ERROR',
    env([
      flag({
        variants: [
          { key: 'on', value: 'yes' },
          { key: 'off', value: false },
        ],
      }),
    ]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase('unknown kind: PARSE_ERROR', env([flag({ kind: 'integer' })]), user, errorResult('PARSE_ERROR'), withDefault),
  testCase(
    'duplicate variant keys: PARSE_ERROR',
    env([flag({ variants: [...BOOL_VARIANTS, { key: 'on', value: false }] })]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase('salt that is not a string: PARSE_ERROR', env([flag({ salt: 42 })]), user, errorResult('PARSE_ERROR'), withDefault),
  testCase(
    'unknown operator in a reached rule: PARSE_ERROR',
    env([flag({ rules: [ruleOn([{ attribute: 'plan', op: 'like', values: ['pro'] }])] })]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase(
    'malformed rule after the deciding rule is not reached',
    env([flag({ rules: [ruleOn([]), { clauses: 'nope' }] })]),
    user,
    on({ reason: 'TARGETING_MATCH', ruleIndex: 0 }),
    withDefault,
  ),
  testCase(
    'clause value that is not a scalar: PARSE_ERROR',
    env([flag({ rules: [ruleOn([attr('plan', 'in', [['pro']])])] })]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase(
    'segment clause naming an unreadable segment: PARSE_ERROR',
    env([flag({ rules: [ruleOn([seg('bad')])] })], [{ key: 'bad', included: 'user-1', excluded: [], rules: [] }]),
    user,
    errorResult('PARSE_ERROR'),
    withDefault,
  ),
  testCase(
    'kill switch works even when a rule cannot be read',
    env([flag({ killed: true, rules: [{ clauses: 'nope' }] })]),
    user,
    off({ reason: 'KILLED' }),
    withDefault,
  ),
  testCase('duplicate flag keys: the first is used', env([flag(), flag({ on: false })]), user, on({ reason: 'STATIC' }), withDefault),
  testCase(
    'omitted optional lists read as empty',
    { sequence: 1, flags: [{ key: 'f', kind: 'boolean', salt: 's', variants: BOOL_VARIANTS, version: 1, on: true, defaultRule: { variant: 'off' } }] },
    user,
    off({ reason: 'STATIC' }),
    withDefault,
  ),
];

// ---- bucketing -----------------------------------------------------------------------------

const SPLIT_VARIANTS = [
  { key: 'a', value: 'A' },
  { key: 'b', value: 'B' },
  { key: 'c', value: 'C' },
  { key: 'off', value: 'OFF' },
];

/** Expected result of a default-rule rollout, computed from the reference hash. */
function expectedSplit(salt, unit, slices) {
  const bucket = bucketOf(salt, unit);
  let total = 0;
  for (const { variant, weight } of slices) {
    total += weight;
    if (bucket < total) return { bucket, expected: { value: SPLIT_VARIANTS.find((v) => v.key === variant).value, variant, reason: 'SPLIT' } };
  }
  throw new Error('weights must sum to 100000');
}

function splitCase(description, { salt, unit, slices, bucketBy, context }) {
  const rollout = bucketBy === undefined ? { variants: slices } : { bucketBy, variants: slices };
  const config = env([flag({ kind: 'string', salt, variants: SPLIT_VARIANTS, offVariant: 'off', defaultRule: { rollout } })]);
  const { bucket, expected } = expectedSplit(salt, unit, slices);
  return { ...testCase(description, config, context ?? { targetingKey: unit }, expected, { defaultValue: 'default' }), bucket, bucketUnit: unit };
}

const THREE_WAY = [
  { variant: 'a', weight: 33334 },
  { variant: 'b', weight: 33333 },
  { variant: 'c', weight: 33333 },
];
const UNITS = [
  ['ascii key', 'user-12345'],
  ['single character', 'x'],
  ['uuid', '0b6f6c5e-3a0e-4c8a-9b1f-6d4c2f9e8a71'],
  ['latin accents', 'José Müller'],
  ['combining mark (decomposed é)', 'Jose\u0301'],
  ['precomposed é (differs from decomposed)', 'Jos\u00e9'],
  ['CJK', '山田太郎'],
  ['emoji (surrogate pair)', '🚀'],
  ['emoji with skin tone and ZWJ', '👩🏽‍💻'],
  ['flag emoji', '🇫🇷'],
  ['lone high surrogate (hashed as U+FFFD)', '\ud83d'],
  ['lone low surrogate (hashed as U+FFFD)', 'a\ude80b'],
  ['U+FFFD itself (same bytes as a lone surrogate)', '\ufffd'],
  ['tab and newline', 'a\tb\nc'],
  ['NUL character', 'a\u0000b'],
  ['long key (300 chars)', 'k'.repeat(300)],
  ['key with dots', 'a.b.c'],
  ['right-to-left script', 'مرحبا'],
  ['3-byte boundary character U+0800', '\u0800'],
  ['last BMP code point U+FFFF', '\uffff'],
  ['first supplementary code point U+10000', '\u{10000}'],
  ['last code point U+10FFFF', '\u{10ffff}'],
];
const SALTS = ['f-salt', '', 'a', 'ab', 'abc', 'abcd', 'sälz', '🧂', 'c4f1a8e2-6f3b-4a52-9d0c-7e1b2a3c4d5e'];

const bucketing = [];
for (const [name, unit] of UNITS) {
  bucketing.push(splitCase(`unit: ${name}, three-way split`, { salt: 'f-salt', unit, slices: THREE_WAY }));
}
for (const salt of SALTS) {
  for (const unit of ['user-1', 'user-2', 'pipeline-run-2024-06-01']) {
    bucketing.push(
      splitCase(`salt ${JSON.stringify(salt)} (${utf8(salt).length} bytes), unit ${unit}, 50/50`, {
        salt,
        unit,
        slices: [
          { variant: 'a', weight: 50000 },
          { variant: 'b', weight: 50000 },
        ],
      }),
    );
  }
}
// Boundaries: a unit whose bucket equals a cumulative weight falls into the next slice.
for (const unit of ['user-1', 'user-7', '山田太郎', '🚀']) {
  const bucket = bucketOf('edge-salt', unit);
  const at = (first) => [
    { variant: 'a', weight: first },
    { variant: 'b', weight: 100000 - first },
  ];
  bucketing.push(
    splitCase(`boundary: cumulative weight equal to the bucket (${bucket}) serves the next slice`, { salt: 'edge-salt', unit, slices: at(bucket) }),
  );
  bucketing.push(
    splitCase(`boundary: cumulative weight one above the bucket (${bucket + 1}) serves the slice`, { salt: 'edge-salt', unit, slices: at(bucket + 1) }),
  );
}
bucketing.push(
  splitCase('zero-weight slices are never served', {
    salt: 'z',
    unit: 'user-1',
    slices: [
      { variant: 'a', weight: 0 },
      { variant: 'b', weight: 100000 },
      { variant: 'c', weight: 0 },
    ],
  }),
  splitCase('a single 100% slice', { salt: 'z', unit: 'user-1', slices: [{ variant: 'c', weight: 100000 }] }),
  splitCase('20% rollout, in', {
    salt: 'rollout-20',
    unit: 'user-3',
    slices: [
      { variant: 'a', weight: 20000 },
      { variant: 'b', weight: 80000 },
    ],
  }),
  splitCase('20% rollout, another unit', {
    salt: 'rollout-20',
    unit: 'user-4',
    slices: [
      { variant: 'a', weight: 20000 },
      { variant: 'b', weight: 80000 },
    ],
  }),
);
// Numeric unit values hash as ECMAScript String(n).
const NUMBER_UNITS = [
  [0, '0'],
  [42, '42'],
  [-7, '-7'],
  [3.5, '3.5'],
  [0.1, '0.1'],
  [Number('9007199254740993'), '9007199254740992'],
  [1e21, '1e+21'],
  [1.5e-7, '1.5e-7'],
  [123456789012345680000, '123456789012345680000'],
];
for (const [number, text] of NUMBER_UNITS) {
  const slices = THREE_WAY;
  const c = splitCase(`numeric unit ${text} hashes as the string "${text}"`, {
    salt: 'n-salt',
    unit: text,
    slices,
    bucketBy: 'batchId',
    context: { batchId: number },
  });
  bucketing.push(c);
}
bucketing.push(
  splitCase('bucketBy a custom attribute ignores targetingKey', {
    salt: 'r',
    unit: 'run-42',
    slices: THREE_WAY,
    bucketBy: 'runId',
    context: { targetingKey: 'user-1', runId: 'run-42' },
  }),
);
const missing = (description, context, bucketBy, offVariant = 'off') => {
  const rollout = bucketBy === undefined ? { variants: THREE_WAY } : { bucketBy, variants: THREE_WAY };
  const config = env([flag({ kind: 'string', salt: 's', variants: SPLIT_VARIANTS, offVariant, defaultRule: { rollout } })]);
  const expected =
    offVariant === null
      ? { value: 'default', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' }
      : { value: 'OFF', variant: 'off', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' };
  return testCase(description, config, context, expected, { defaultValue: 'default' });
};
bucketing.push(
  missing('missing targetingKey: off variant with TARGETING_KEY_MISSING', { plan: 'pro' }),
  missing('empty-string targetingKey counts as missing', { targetingKey: '' }),
  missing('null unit counts as missing', { runId: null }, 'runId'),
  missing('boolean unit counts as missing', { runId: true }, 'runId'),
  missing('object unit counts as missing', { runId: { id: 1 } }, 'runId'),
  missing('array unit counts as missing', { runId: ['a'] }, 'runId'),
  missing('missing custom bucketBy attribute, targetingKey present', { targetingKey: 'user-1' }, 'runId'),
  missing('missing unit without an off variant: caller default', { plan: 'pro' }, undefined, null),
  testCase(
    "missing unit in a matching rule's rollout: off variant, no ruleIndex",
    env([flag({ rules: [{ clauses: [], serve: { rollout: { bucketBy: 'runId', variants: [{ variant: 'on', weight: 100000 }] } } }] })]),
    user,
    off({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' }),
  ),
);

// ---- write ---------------------------------------------------------------------------------

const files = {
  'operators.json': ['Each attribute operator, array attributes, missing attributes and negation.', operators],
  'matches.json': [
    'The matches operator: its pattern language, code points, refused patterns, limits, and catastrophic (ReDoS) patterns on 10,000-character inputs.',
    matchesCases,
  ],
  'segments.json': ['Segment membership: included, excluded, rules, unknown segments.', segments],
  'reasons.json': ['The evaluation order and every reason.', reasons],
  'prerequisites.json': ['Prerequisite flags, chains, cycles and depth.', prerequisites],
  'types.json': ['Flag kinds, expected kinds and TYPE_MISMATCH.', types],
  'errors.json': ['Configs the engine cannot fully read: GENERAL and PARSE_ERROR.', errors],
  'bucketing.json': ['Rollout bucketing: murmur3 over UTF-8, boundaries, numeric and missing units. `bucket` is informational.', bucketing],
};

// Every operator of the table is exercised by some case: adding one to the table without vectors fails here.
const usedOperators = new Set();
const collectOperators = (value) => {
  if (Array.isArray(value)) value.forEach(collectOperators);
  else if (value !== null && typeof value === 'object') {
    if (typeof value.op === 'string') usedOperators.add(value.op);
    Object.values(value).forEach(collectOperators);
  }
};
// errors.json's clauses are there to be refused, so they do not count.
for (const [name, [, cases]] of Object.entries(files)) if (name !== 'errors.json') collectOperators(cases.map((c) => c.config));
const untested = CLAUSE_OPERATORS.filter((op) => !usedOperators.has(op));
if (untested.length > 0) throw new Error(`no vector uses the operator(s) ${untested.join(', ')}: add cases for them`);

const tables = join(here, 'tables');
mkdirSync(tables, { recursive: true });
const tableDescription = 'Generated from sdk/src/core/operator-table.ts by generate.mjs (do not edit): every clause operator, its operand kind and label.';
writeFileSync(join(tables, 'operators.json'), `${JSON.stringify({ description: tableDescription, ...operatorTableDocument() }, null, 2)}\n`);
console.log(`tables/operators.json: ${CLAUSE_OPERATORS.length} operators`);

let total = 0;
for (const [name, [description, cases]] of Object.entries(files)) {
  writeFileSync(join(here, name), `${JSON.stringify({ description, cases }, null, 2)}\n`);
  total += cases.length;
  console.log(`${name}: ${cases.length} cases`);
}
console.log(`total: ${total} cases`);
