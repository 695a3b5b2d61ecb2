import { type Clause, isValidDateValue, isValidSemver, validateRegex } from '@signalbox/sdk/core';
import type { FieldProblem } from '../common/errors/domain-error.js';

export const MAX_REGEX_LENGTH = 256;

// The evaluation core's own parser decides: a pattern is refused here exactly when evaluation could
// not run it. Its engine is linear-time for every pattern it accepts, so shapes that backtracking
// engines choke on, such as (a+)+, need no refusal of their own.
export const regexProblem = (pattern: string): string | undefined => {
  if (pattern.length > MAX_REGEX_LENGTH) return `a regular expression may have at most ${MAX_REGEX_LENGTH} characters`;
  const invalid = validateRegex(pattern);
  if (invalid) return `is not a valid regular expression: ${invalid}`;
  return undefined;
};

export const clauseProblems = (clause: Clause, path: string, ctx: { segmentKeys: ReadonlySet<string> }): FieldProblem[] => {
  if (clause.op === 'segment') {
    return clause.segments.flatMap((key, i) => (ctx.segmentKeys.has(key) ? [] : [{ field: `${path}.segments[${i}]`, reason: `segment '${key}' does not exist in this project` }]));
  }
  const values = clause.values ?? [];
  const field = `${path}.values`;
  if (clause.op === 'exists') return values.length > 0 ? [{ field, reason: 'exists takes no values' }] : [];
  if (values.length === 0) return [{ field, reason: `${clause.op} needs at least one value` }];
  const each = (check: (v: unknown) => string | undefined): FieldProblem[] =>
    values.flatMap((v, i) => {
      const reason = check(v);
      return reason ? [{ field: `${field}[${i}]`, reason }] : [];
    });
  switch (clause.op) {
    case 'in':
    case 'notIn':
      return each((v) => (['string', 'number', 'boolean'].includes(typeof v) ? undefined : 'must be a string, number or boolean'));
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return each((v) => (typeof v === 'string' ? undefined : `${clause.op} compares strings: must be a string`));
    case 'matches':
      return each((v) => (typeof v === 'string' ? regexProblem(v) : 'must be a regular expression string'));
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return each((v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${clause.op} compares numbers: must be a finite number`));
    case 'semverEq':
    case 'semverLt':
    case 'semverGt':
      return each((v) => (isValidSemver(v) ? undefined : 'must be a semantic version such as 1.4.0'));
    case 'before':
    case 'after':
      return each((v) => (isValidDateValue(v) ? undefined : 'must be an ISO-8601 date or epoch milliseconds'));
  }
};

