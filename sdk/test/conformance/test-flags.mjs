// Translates OpenFeature's conformance flag set (test-flags.json) into a Signalbox EnvironmentConfig.
import fs from 'node:fs';
import path from 'node:path';

// Vendored from open-feature/spec (Apache-2.0): see openfeature/SOURCE.md.
export const GHERKIN_DIR = path.resolve(import.meta.dirname, 'openfeature/spec/specification/assets/gherkin');

const kindOf = (values) => {
  const types = new Set(values.map((v) => (v !== null && typeof v === 'object' ? 'json' : typeof v)));
  if (types.size !== 1) throw new Error(`mixed variant types: ${[...types].join(', ')}`);
  const [type] = types;
  if (type === 'boolean' || type === 'string' || type === 'number' || type === 'json') return type;
  throw new Error(`unsupported variant type ${type}`);
};

/** One `contextEvaluator` term (`!customer`, `email == 'x'`, `age > 10`) as a Signalbox clause. */
const clauseOf = (term) => {
  let m = /^!\s*([A-Za-z_]\w*)$/.exec(term);
  if (m) return { attribute: m[1], op: 'in', values: [false] };
  m = /^([A-Za-z_]\w*)\s*(==|!=|>=|<=|>|<)\s*(.+)$/.exec(term);
  if (!m) throw new Error(`cannot translate the contextEvaluator term "${term}"`);
  const [, attribute, operator, literal] = m;
  const value = /^'(.*)'$/.test(literal) ? literal.slice(1, -1) : literal === 'true' || literal === 'false' ? literal === 'true' : Number(literal);
  const ops = { '==': ['in', false], '!=': ['in', true], '>': ['gt', false], '>=': ['gte', false], '<': ['lt', false], '<=': ['lte', false] };
  const [op, negate] = ops[operator];
  return negate ? { attribute, op, values: [value], negate } : { attribute, op, values: [value] };
};

/**
 * `cond1 && cond2 ? 'variant' : ''` → one rule serving `variant` when every clause matches; the
 * empty else-branch falls through to the default rule (the flag's `defaultVariant`).
 */
const rulesOf = (contextEvaluator) => {
  if (contextEvaluator === undefined) return [];
  const m = /^(.*)\?\s*'([^']*)'\s*:\s*'([^']*)'\s*$/.exec(contextEvaluator);
  if (!m) throw new Error(`cannot translate the contextEvaluator "${contextEvaluator}"`);
  const [, condition, then, otherwise] = m;
  if (otherwise !== '') throw new Error(`an else-branch other than '' is not supported: "${contextEvaluator}"`);
  return [{ clauses: condition.split('&&').map((term) => clauseOf(term.trim())), serve: { variant: then } }];
};

/** The conformance flags as a Signalbox environment config. */
export function conformanceConfig() {
  const source = JSON.parse(fs.readFileSync(path.join(GHERKIN_DIR, 'test-flags.json'), 'utf8'));
  const flags = Object.entries(source).map(([key, flag]) => ({
    key,
    kind: kindOf(Object.values(flag.variants)),
    salt: key,
    variants: Object.entries(flag.variants).map(([variant, value]) => ({ key: variant, value })),
    version: 1,
    on: flag.disabled !== true,
    killed: false,
    // A disabled flag serves the caller's default (reason DISABLED).
    offVariant: null,
    targets: [],
    rules: rulesOf(flag.contextEvaluator),
    defaultRule: typeof flag.defaultVariant === 'string' ? { variant: flag.defaultVariant } : null,
    prerequisites: [],
  }));
  return { sequence: 1, flags, segments: [] };
}
