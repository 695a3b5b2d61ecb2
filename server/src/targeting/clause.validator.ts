import { type Clause, CLAUSE_OPERATORS, isClauseOperator, operandOf, operandProblems } from '@signalbox/sdk/core';
import type { FieldProblem } from '../common/errors/domain-error.js';

/**
 * What the DTO's shape checks cannot see: each operand checked as the evaluation core's operator
 * table says (count, type, and parse with the evaluator's own semver, date and regex parsers), and
 * segment keys checked against the project. Also run on configs built in code (rollouts,
 * experiments), so it does not trust the operator name either.
 */
export const clauseProblems = (clause: Clause, path: string, ctx: { segmentKeys: ReadonlySet<string> }): FieldProblem[] => {
  const op: unknown = clause.op;
  if (!isClauseOperator(op)) return [{ field: `${path}.op`, reason: `op must be one of: ${CLAUSE_OPERATORS.join(', ')}` }];
  const field = `${path}.${operandOf(op).field}`;
  const operands: unknown = clause.op === 'segment' ? clause.segments : (clause.values ?? []);
  if (!Array.isArray(operands)) return [{ field, reason: 'must be an array' }];
  const problems: FieldProblem[] = operandProblems(op, operands).map(({ index, reason }) => ({
    field: index === undefined ? field : `${field}[${index}]`,
    reason,
  }));
  if (clause.op === 'segment') {
    clause.segments.forEach((key, i) => {
      if (typeof key !== 'string' || ctx.segmentKeys.has(key)) return;
      problems.push({ field: `${field}[${i}]`, reason: `segment '${key}' does not exist in this project` });
    });
  }
  return problems;
};
