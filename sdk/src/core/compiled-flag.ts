import { BUCKET_COUNT } from './bucket.js';
import { ConfigError } from './config-error.js';
import { describeError, isRecord, tell, type ConfigProblem, type ProblemListener } from './config-problem.js';
import { frozenJsonCopy } from './json-value.js';
import { CompiledClause, type SegmentMembership } from './operators.js';
import { callerDefaultOutcome, errorOutcome, Outcome, servedOutcome, type DecisionStep } from './outcome.js';
import { CompiledRollout } from './rollout.js';
import type { CompiledSegment } from './segments.js';
import type { Clause, FlagConfig, FlagKind, FlagValue, Prerequisite, Reason } from './types.js';

/** A rule ready to match: its clauses, what it serves, or the error it stands for. */
export interface CompiledRule {
  readonly clauses: readonly CompiledClause[];
  readonly serve: CompiledServe;
  /** Set when the rule cannot be read: reaching it ends evaluation with this error. */
  readonly error: Outcome | null;
}

/** What a rule or the default rule serves: a fixed outcome or a rollout. */
export interface CompiledServe {
  readonly fixed: Outcome | null;
  readonly rollout: CompiledRollout | null;
}

/** A prerequisite with its flag resolved (`undefined` when the flag does not exist). */
export interface CompiledPrerequisite {
  readonly flagKey: string;
  readonly flag: CompiledFlag | undefined;
  readonly variant: string;
}

/** Where a flag's rules find segments: the segment, why it cannot be read, or `undefined` (no such segment). */
export interface SegmentResolver {
  resolve(key: string): CompiledSegment | string | undefined;
}

const FLAG_KINDS: ReadonlySet<string> = new Set<FlagKind>(['boolean', 'string', 'number', 'json']);
const NO_REFS: readonly { readonly flag: string; readonly variant: string }[] = [];
const NO_TARGETS: ReadonlyMap<string, Outcome> = new Map();
const NO_PROBLEMS: readonly ConfigProblem[] = [];

// The parts of a flag after its rules, by their offset from the last rule: what each compiles to
// and the problems it found are kept in that order, the order a full compile reports problems in.
const PREREQUISITES = 1;
const DEFAULT_RULE = 2;
/** The off outcomes: killed, disabled, prerequisite failed. */
const OFF = 3;

/**
 * One flag compiled for evaluation. What every evaluation reads (on, killed, prerequisites,
 * targets) compiles with the flag; a rule compiles when an evaluation first reaches it (its
 * segments resolve then), and so do the default rule and the off outcomes. Each part that cannot
 * be read serves an error when reached, exactly as if the flag had compiled at once: a process
 * that evaluates a few flags of a large config compiles only what their evaluations reach.
 */
export class CompiledFlag {
  /** Linked by the environment once the prerequisite flags have compiled. */
  prerequisites: readonly CompiledPrerequisite[];
  /** Cyclic or too deep: prerequisites can never pass. */
  prerequisitesUnsatisfiable: boolean;
  readonly hasTargets: boolean;
  readonly ruleCount: number;

  /** @internal Made by `compileFlag`. */
  constructor(
    readonly key: string,
    readonly kind: FlagKind | undefined,
    readonly source: FlagConfig,
    /** Set when the flag as a whole cannot be read: every evaluation serves this error. */
    readonly broken: Outcome | null,
    readonly killed: boolean,
    readonly on: boolean,
    readonly targets: ReadonlyMap<string, Outcome>,
    readonly targetsError: Outcome | null,
    readonly prerequisitesError: Outcome | null,
    readonly prerequisiteRefs: readonly { readonly flag: string; readonly variant: string }[],
    /** Rules by index, `undefined` until first reached. */
    private readonly compiledRules: (CompiledRule | undefined)[],
    /** Compiles the lazy parts: the rules (from `ruleSources`), the default rule, the off outcomes. */
    private readonly compiler: FlagCompiler,
    private readonly ruleSources: readonly unknown[],
    /** Each part's problems in config order: targets, each rule, prerequisites, default rule, off outcomes (`undefined` until it compiles). */
    private readonly partProblems: (readonly ConfigProblem[] | undefined)[],
    /** The default rule and the off outcomes, once first needed. */
    private compiledDefault: CompiledServe | undefined,
    private readonly offOutcomes: (Outcome | undefined)[],
  ) {
    this.prerequisites = [];
    this.prerequisitesUnsatisfiable = false;
    this.hasTargets = targets.size > 0;
    this.ruleCount = compiledRules.length;
  }

  /** The rule at `index` (< `ruleCount`), compiled when first asked for. */
  rule(index: number): CompiledRule {
    return this.compiledRules[index] ?? this.compileRule(index);
  }

  /** Every rule, compiling those not reached yet. */
  get rules(): readonly CompiledRule[] {
    for (let i = 0; i < this.ruleCount; i++) this.rule(i);
    return this.compiledRules as CompiledRule[];
  }

  get defaultServe(): CompiledServe {
    if (this.compiledDefault === undefined) {
      const compiler = this.compiler;
      compiler.problems = [];
      this.compiledDefault = compiler.defaultServe();
      this.found(this.ruleCount + DEFAULT_RULE, compiler.problems);
    }
    return this.compiledDefault;
  }

  get killedOutcome(): Outcome {
    return this.offOutcomes[0] ?? this.compileOff(0, 'KILLED', 'KILLED');
  }

  get disabledOutcome(): Outcome {
    return this.offOutcomes[1] ?? this.compileOff(1, 'DISABLED', 'DISABLED');
  }

  get prerequisiteFailedOutcome(): Outcome {
    return this.offOutcomes[2] ?? this.compileOff(2, 'PREREQUISITE_FAILED', 'PREREQUISITES');
  }

  /** What the flag's config could not use, in config order (as a full compile finds it). Compiles every part. */
  problems(): ConfigProblem[] {
    void this.rules;
    void this.defaultServe;
    void this.killedOutcome;
    void this.disabledOutcome;
    void this.prerequisiteFailedOutcome;
    return this.partProblems.flatMap((problems) => problems ?? NO_PROBLEMS);
  }

  /**
   * @internal Resolves the segments of the rules not compiled yet in `segments` from now on: an
   * environment recompiled from the one this flag compiled in, and sharing it (so the segments its
   * rules name are the same in both), so the earlier environment's segments can be let go.
   */
  resolveSegmentsIn(segments: SegmentResolver): void {
    this.compiler.segments = segments;
  }

  private compileRule(index: number): CompiledRule {
    const compiler = this.compiler;
    compiler.problems = [];
    const rule = compiler.rule(this.ruleSources[index], index);
    this.compiledRules[index] = rule;
    this.found(1 + index, compiler.problems);
    return rule;
  }

  private compileOff(which: 0 | 1 | 2, reason: Reason, step: DecisionStep): Outcome {
    const compiler = this.compiler;
    compiler.problems = [];
    const outcome = compiler.serveOff(reason, step);
    this.offOutcomes[which] = outcome;
    this.found(this.ruleCount + OFF + which, compiler.problems);
    return outcome;
  }

  private found(part: number, problems: readonly ConfigProblem[]): void {
    this.partProblems[part] = problems;
    if (problems.length > 0) tell(this.compiler.onProblems, problems);
  }
}

/**
 * Compiles a flag: checks it as a whole and compiles what every evaluation reads; the rest
 * compiles when first reached (see {@link CompiledFlag}). Problems found now are added to
 * `problems`; those of parts compiled later go to `onProblems`. Never throws.
 */
export function compileFlag(
  key: string,
  source: FlagConfig,
  segments: SegmentResolver,
  problems: ConfigProblem[],
  onProblems: ProblemListener | undefined,
): CompiledFlag {
  const kind = FLAG_KINDS.has(source.kind) ? source.kind : undefined;
  const compiler = new FlagCompiler(key, source, segments, onProblems);
  try {
    if (kind === undefined) throw new ConfigError('kind must be boolean, string, number or json');
    if (typeof source.salt !== 'string') throw new ConfigError('salt must be a string');
    if (typeof source.on !== 'boolean') throw new ConfigError('on must be a boolean');
    if (source.killed !== undefined && typeof source.killed !== 'boolean') throw new ConfigError('killed must be a boolean');
    compiler.readVariants(kind);
  } catch (error) {
    return brokenFlag(compiler, kind, describeError(error), problems);
  }
  const targetList: unknown = source.targets ?? [];
  // Most flags target no one: nothing to read.
  const targets = Array.isArray(targetList) && targetList.length === 0 ? null : compiler.targets(targetList);
  const targetProblems = compiler.problems;
  compiler.problems = [];
  const ruleList: unknown = source.rules ?? [];
  const rules = Array.isArray(ruleList) ? new Array<CompiledRule | undefined>(ruleList.length).fill(undefined) : [unreadableRules(compiler)];
  const ruleProblems = compiler.problems;
  compiler.problems = [];
  const prerequisites = compiler.prerequisites();
  // Found so far: the targets' problems, the list of rules', the prerequisites'. Each rule's wait for it to compile.
  const parts = new Array<readonly ConfigProblem[] | undefined>(rules.length + OFF + 3).fill(undefined);
  parts[0] = targetProblems;
  if (ruleProblems.length > 0) parts[1] = ruleProblems;
  parts[rules.length + PREREQUISITES] = compiler.problems;
  problems.push(...targetProblems, ...ruleProblems, ...compiler.problems);
  // STATIC: nothing about the context can change what the default rule serves.
  compiler.isStatic = (targets === null || targets.count === 0) && rules.length === 0;
  return new CompiledFlag(
    key,
    kind,
    source,
    null,
    source.killed === true,
    source.on,
    targets === null ? NO_TARGETS : targets.targets,
    targets === null ? null : targets.error,
    prerequisites.error,
    prerequisites.refs,
    rules,
    compiler,
    Array.isArray(ruleList) ? (ruleList as unknown[]) : [],
    parts,
    undefined,
    [undefined, undefined, undefined],
  );
}

/** A flag that cannot be read as a whole: every evaluation serves the error. */
function brokenFlag(compiler: FlagCompiler, kind: FlagKind | undefined, message: string, problems: ConfigProblem[]): CompiledFlag {
  const found = [{ flagKey: compiler.key, message }];
  problems.push(...found);
  const broken = errorOutcome('PARSE_ERROR', message, 'INVALID_CONFIG');
  const none: CompiledServe = { fixed: broken, rollout: null };
  return new CompiledFlag(compiler.key, kind, compiler.source, broken, false, false, NO_TARGETS, null, null, NO_REFS, [], compiler, [], [found], none, [
    broken,
    broken,
    broken,
  ]);
}

/** The one rule of a flag whose `rules` is not a list: evaluation reaching it serves the error. */
function unreadableRules(compiler: FlagCompiler): CompiledRule {
  const error = errorOutcome('PARSE_ERROR', compiler.problem('rules must be a list'), 'RULE', 0);
  return { clauses: [], serve: { fixed: error, rollout: null }, error };
}

/** Compiles the parts of a flag; each part that cannot be read becomes an error outcome of its step. */
class FlagCompiler {
  readonly variants: Map<string, FlagValue>;
  /** Where the part being compiled puts its problems. */
  problems: ConfigProblem[];
  /** True when nothing about the context can change what the default rule serves. */
  isStatic: boolean;

  constructor(
    readonly key: string,
    readonly source: FlagConfig,
    /** Where rules compiled later find their segments (see `CompiledFlag.resolveSegmentsIn`). */
    public segments: SegmentResolver,
    readonly onProblems: ProblemListener | undefined,
  ) {
    this.variants = new Map();
    this.problems = [];
    this.isStatic = false;
  }

  problem(message: string): string {
    this.problems.push({ flagKey: this.key, message });
    return message;
  }

  readVariants(kind: FlagKind): void {
    const list: unknown = this.source.variants;
    if (!Array.isArray(list)) throw new ConfigError('variants must be a list');
    for (const variant of list as unknown[]) {
      if (!isRecord(variant) || typeof variant.key !== 'string') throw new ConfigError('a variant needs a string key');
      if (this.variants.has(variant.key)) throw new ConfigError(`duplicate variant "${variant.key}"`);
      this.variants.set(variant.key, valueOfKind(kind, variant.value, variant.key));
    }
  }

  /** `variant` served with `reason`, or a GENERAL error when the flag has no such variant. */
  serveVariant(variant: string, reason: Reason, step: DecisionStep, ruleIndex?: number): Outcome {
    if (!this.variants.has(variant)) {
      return errorOutcome('GENERAL', this.problem(`unknown variant "${variant}"`), step, ruleIndex);
    }
    return servedOutcome(variant, this.variants.get(variant)!, reason, step, ruleIndex);
  }

  /** The off variant served with `reason` (the caller's default when there is no off variant). */
  serveOff(reason: Reason, step: DecisionStep, errorCode?: 'TARGETING_KEY_MISSING', ruleIndex?: number): Outcome {
    const off: unknown = this.source.offVariant;
    const message = errorCode === undefined ? undefined : "the context has no value for the rollout's bucketBy attribute";
    if (off === null || off === undefined) return callerDefaultOutcome(reason, step, errorCode, message, ruleIndex);
    if (typeof off !== 'string') return errorOutcome('PARSE_ERROR', this.problem('offVariant must be a string or null'), step, ruleIndex);
    if (!this.variants.has(off)) return errorOutcome('GENERAL', this.problem(`unknown off variant "${off}"`), step, ruleIndex);
    if (errorCode === undefined) return servedOutcome(off, this.variants.get(off)!, reason, step);
    // The rule index stays out of the result: the unit never reached a slice of that rule.
    const outcome = servedOutcome(off, this.variants.get(off)!, reason, step, undefined, errorCode, message);
    return new Outcome(outcome.result, reason, off, step, ruleIndex, errorCode, message);
  }

  serve(serve: unknown, reason: Reason, step: DecisionStep, ruleIndex?: number): CompiledServe {
    try {
      if (!isRecord(serve)) throw new ConfigError('a serve must be an object');
      if (typeof serve.variant === 'string') {
        return { fixed: this.serveVariant(serve.variant, reason, step, ruleIndex), rollout: null };
      }
      if (!isRecord(serve.rollout)) throw new ConfigError('a serve needs a variant or a rollout');
      return { fixed: null, rollout: this.rollout(serve.rollout, step, ruleIndex) };
    } catch (error) {
      return { fixed: errorOutcome('PARSE_ERROR', this.problem(describeError(error)), step, ruleIndex), rollout: null };
    }
  }

  rollout(rollout: Record<string, unknown>, step: DecisionStep, ruleIndex?: number): CompiledRollout {
    const bucketBy = rollout.bucketBy ?? 'targetingKey';
    if (typeof bucketBy !== 'string' || bucketBy.length === 0) throw new ConfigError('bucketBy must be a non-empty string');
    const slices: unknown = rollout.variants;
    if (!Array.isArray(slices) || slices.length === 0) throw new ConfigError('a rollout needs a list of weighted variants');
    const cumulative: number[] = [];
    const outcomes: Outcome[] = [];
    let total = 0;
    for (const slice of slices as unknown[]) {
      if (!isRecord(slice) || typeof slice.variant !== 'string') throw new ConfigError('a weighted variant needs a variant key');
      const weight = slice.weight;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > BUCKET_COUNT) {
        throw new ConfigError(`weights must be integers from 0 to ${BUCKET_COUNT}`);
      }
      total += weight;
      cumulative.push(total);
      outcomes.push(this.serveVariant(slice.variant, 'SPLIT', step, ruleIndex));
    }
    if (total !== BUCKET_COUNT) throw new ConfigError(`rollout weights must sum to ${BUCKET_COUNT}, not ${total}`);
    const unitMissing = this.serveOff('ERROR', step, 'TARGETING_KEY_MISSING', ruleIndex);
    return new CompiledRollout(this.source.salt, bucketBy, cumulative, outcomes, unitMissing);
  }

  targets(list: unknown): { targets: Map<string, Outcome>; error: Outcome | null; count: number } {
    const targets = new Map<string, Outcome>();
    const fail = (message: string) => ({ targets, error: errorOutcome('PARSE_ERROR', this.problem(message), 'TARGETS'), count: 0 });
    if (!Array.isArray(list)) return fail('targets must be a list');
    let count = 0;
    for (const target of list as unknown[]) {
      if (!isRecord(target) || typeof target.variant !== 'string') return fail('a target needs a variant');
      const keys = target.values;
      if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) return fail('target values must be a list of strings');
      const outcome = this.serveVariant(target.variant, 'TARGETING_MATCH', 'TARGETS');
      // A key listed under two variants gets the first.
      for (const key of keys as string[]) if (!targets.has(key)) targets.set(key, outcome);
      count += keys.length;
    }
    return { targets, error: null, count };
  }

  /** Rule `index` of the flag's list; its segments resolve now. */
  rule(rule: unknown, index: number): CompiledRule {
    try {
      if (!isRecord(rule) || !Array.isArray(rule.clauses)) throw new ConfigError('a rule needs a list of clauses');
      const clauses: CompiledClause[] = [];
      for (const clause of rule.clauses as unknown[]) clauses.push(new CompiledClause(clause as Clause, this));
      return { clauses, serve: this.serve(rule.serve, 'TARGETING_MATCH', 'RULE', index), error: null };
    } catch (error) {
      const outcome = errorOutcome('PARSE_ERROR', this.problem(`rule ${index}: ${describeError(error)}`), 'RULE', index);
      return { clauses: [], serve: { fixed: outcome, rollout: null }, error: outcome };
    }
  }

  /** A segment a clause names (see `CompiledClause`). */
  segment(key: string): SegmentMembership | undefined {
    const segment = this.segments.resolve(key);
    if (typeof segment === 'string') throw new ConfigError(`segment "${key}" cannot be read: ${segment}`);
    // An unknown segment has no members.
    return segment;
  }

  defaultServe(): CompiledServe {
    const defaultRule: unknown = this.source.defaultRule ?? null;
    const reason = this.isStatic ? 'STATIC' : 'DEFAULT';
    if (defaultRule === null) return { fixed: callerDefaultOutcome(reason, 'DEFAULT_RULE'), rollout: null };
    return this.serve(defaultRule, reason, 'DEFAULT_RULE');
  }

  prerequisites(): { refs: readonly { flag: string; variant: string }[]; error: Outcome | null } {
    const list: unknown = this.source.prerequisites ?? [];
    let valid = Array.isArray(list);
    const refs: { flag: string; variant: string }[] = [];
    for (let i = 0; valid && i < (list as unknown[]).length; i++) {
      const item: unknown = (list as unknown[])[i];
      valid = isRecord(item) && typeof item.flag === 'string' && typeof item.variant === 'string';
      if (valid) refs.push({ flag: (item as Prerequisite).flag, variant: (item as Prerequisite).variant });
    }
    if (!valid) {
      return { refs: NO_REFS, error: errorOutcome('PARSE_ERROR', this.problem('prerequisites must be a list of { flag, variant }'), 'PREREQUISITES') };
    }
    return { refs: refs.length === 0 ? NO_REFS : refs, error: null };
  }
}

function valueOfKind(kind: FlagKind, value: unknown, variantKey: string): FlagValue {
  const valid =
    kind === 'json' ||
    (kind === 'boolean' && typeof value === 'boolean') ||
    (kind === 'string' && typeof value === 'string') ||
    (kind === 'number' && typeof value === 'number' && Number.isFinite(value));
  if (!valid) throw new ConfigError(`variant "${variantKey}" does not hold a ${kind} value`);
  // Only a JSON flag's values can be objects, which the copy freezes (and checks).
  return kind === 'json' ? frozenJsonCopy(value) : (value as FlagValue);
}
