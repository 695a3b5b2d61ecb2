/**
 * The Signalbox evaluation core: pure, synchronous, dependency-free and never throwing.
 * Compile an environment config once, then evaluate flags against contexts.
 */
export * from './types.js';
export {
  compileEnvironment,
  compileKeyed,
  recompileEnvironment,
  recompileKeyed,
  CompiledEnvironment,
  MAX_PREREQUISITE_DEPTH,
  type CompileOptions,
  type ConfigProblem,
  type KeyedConfig,
  type ProblemListener,
  type Recompiled,
} from './compile.js';
export { affectedFlagKeys } from './affected.js';
export { jsonOf, pack, unpack, type Held, type Packed } from './packed.js';
export { evaluate, evaluateAll } from './evaluate.js';
export { explain, type Explanation, type PrerequisiteExplanation, type RuleExplanation, type RolloutExplanation, type SegmentExplanation } from './explain.js';
export type { DecisionStep } from './outcome.js';

export {
  CLAUSE_OPERATORS,
  OPERAND_KINDS,
  OPERATOR_TABLE,
  isClauseOperator,
  operandOf,
  operandProblems,
  operatorTableDocument,
  type ClauseOperator,
  type OperandDefinition,
  type OperandKind,
  type OperandProblem,
  type OperatorDefinition,
  type OperatorTableDocument,
} from './operator-table.js';

export { BUCKET_COUNT, bucketFor } from './bucket.js';
export { murmur3x86_32 } from './murmur3.js';
export { compileRegex, validateRegex, LinearRegex, type CompiledRegex } from './regex-matcher.js';
export { MAX_INPUT_LENGTH, MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, MAX_REPEAT, MAX_NESTING } from './regex-syntax.js';
export { isValidSemver, parseSemver, compareSemver, type SemVer } from './semver.js';
export { isValidDateValue, parseDateValue } from './dates.js';
