import { ConfigError } from './config-error.js';
import { frozenJsonCopy } from './json-value.js';
import { CompiledClause, type SegmentMembership } from './operators.js';
import {
  callerDefaultOutcome,
  errorOutcome,
  Outcome,
  servedOutcome,
  type DecisionStep,
} from './outcome.js';
import { BUCKET_COUNT } from './bucket.js';
import { CompiledRollout } from './rollout.js';
import { CompiledSegment } from './segments.js';
import { affectedFlagKeys } from './affected.js';
import type { Clause, EnvironmentConfig, FlagConfig, FlagKind, FlagValue, Reason, Segment } from './types.js';

/** Prerequisite chains longer than this never pass (as do cycles). */
export const MAX_PREREQUISITE_DEPTH = 10;

const FLAG_KINDS: ReadonlySet<string> = new Set<FlagKind>(['boolean', 'string', 'number', 'json']);

/** Something in a config the engine could not use; evaluation reports it as an ERROR where it matters. */
export interface ConfigProblem {
  flagKey?: string;
  segmentKey?: string;
  message: string;
}

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

/** One flag compiled for evaluation; every result it can serve is built ahead of time. */
export interface CompiledFlag {
  readonly key: string;
  readonly kind: FlagKind | undefined;
  readonly source: FlagConfig;
  /** Set when the flag as a whole cannot be read: every evaluation serves this error. */
  readonly broken: Outcome | null;
  readonly killed: boolean;
  readonly on: boolean;
  readonly killedOutcome: Outcome;
  readonly disabledOutcome: Outcome;
  readonly prerequisiteFailedOutcome: Outcome;
  prerequisites: readonly CompiledPrerequisite[];
  /** Cyclic or too deep: prerequisites can never pass. */
  prerequisitesUnsatisfiable: boolean;
  readonly prerequisitesError: Outcome | null;
  readonly prerequisiteRefs: readonly { readonly flag: string; readonly variant: string }[];
  readonly targets: ReadonlyMap<string, Outcome>;
  readonly hasTargets: boolean;
  readonly targetsError: Outcome | null;
  readonly rules: readonly CompiledRule[];
  readonly defaultServe: CompiledServe;
}

/**
 * An environment config compiled once for fast evaluation: flags and segments by key, clause
 * values prepared, results prebuilt. Immutable; compile a new one when the config changes.
 */
export class CompiledEnvironment {
  /** The change-log sequence of the config this was compiled from (-1 when it had none). */
  readonly sequence: number;
  /** Flags by key. */
  readonly flags: ReadonlyMap<string, CompiledFlag>;
  /** Segments by key. */
  readonly segments: ReadonlyMap<string, CompiledSegment>;
  /** What could not be used, for logs and save-time validation. Empty for a valid config. */
  readonly problems: readonly ConfigProblem[];
  /** Segments that could not be read, with why (rules naming one serve an error). */
  readonly brokenSegments: ReadonlyMap<string, string>;

  constructor(
    sequence: number,
    flags: ReadonlyMap<string, CompiledFlag>,
    segments: ReadonlyMap<string, CompiledSegment>,
    problems: readonly ConfigProblem[],
    brokenSegments: ReadonlyMap<string, string> = new Map(),
  ) {
    this.sequence = sequence;
    this.flags = flags;
    this.segments = segments;
    this.problems = Object.freeze(problems);
    this.brokenSegments = brokenSegments;
    Object.freeze(this);
  }

  /** The keys of all flags, in config order. */
  flagKeys(): string[] {
    return [...this.flags.keys()];
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : 'unreadable config';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Compiles an environment config. Never throws: a flag or segment that cannot be read is listed
 * in `problems`, and evaluating such a flag serves the caller's default with reason `ERROR`.
 */
export function compileEnvironment(config: EnvironmentConfig): CompiledEnvironment {
  const problems: ConfigProblem[] = [];
  try {
    return compileChecked(config, problems);
  } catch (error) {
    problems.push({ message: `the config cannot be compiled: ${describeError(error)}` });
    return new CompiledEnvironment(-1, new Map(), new Map(), problems);
  }
}

function compileChecked(config: EnvironmentConfig, problems: ConfigProblem[]): CompiledEnvironment {
  const input: unknown = config;
  if (!isRecord(input)) {
    problems.push({ message: 'an environment config must be an object' });
    return new CompiledEnvironment(-1, new Map(), new Map(), problems);
  }
  const sequence = typeof input.sequence === 'number' && Number.isFinite(input.sequence) ? input.sequence : -1;
  const segments = compileSegments(input.segments, problems);
  const flags = compileFlags(input.flags, segments, problems);
  // Compiled flags and rollouts are immutable by type but not frozen: V8 reads frozen objects and
  // arrays measurably slower on the hot path. Results handed to callers are frozen.
  resolvePrerequisites(flags, flags.values());
  return new CompiledEnvironment(sequence, flags, segments.valid, problems, segments.broken);
}

/** What `recompileEnvironment` made: the new environment and the flags whose evaluation may differ. */
export interface Recompiled {
  environment: CompiledEnvironment;
  /** Changed flags, flags with a rule on a changed segment, and flags depending on those through prerequisites, in config order (deleted flags last). */
  affectedKeys: string[];
}

/**
 * Compiles `config`, reusing what `previous` compiled for every flag and segment the change cannot
 * affect, so applying one change to an environment of thousands of flags compiles one flag.
 * `changedFlags` and `changedSegments` must name every flag and segment added, altered or removed
 * since the config `previous` was compiled from; the result is then the same as
 * `compileEnvironment(config)`. A config that is not well-formed (a list missing, an item without
 * a key, a duplicate key) or a `previous` with such problems is compiled from scratch. Never throws.
 */
export function recompileEnvironment(
  previous: CompiledEnvironment,
  config: EnvironmentConfig,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
): Recompiled {
  const input: unknown = config;
  const flagSources = isRecord(input) ? byKey(input.flags) : undefined;
  const segmentSources = isRecord(input) ? (input.segments === undefined ? new Map<string, unknown>() : byKey(input.segments)) : undefined;
  if (flagSources === undefined || segmentSources === undefined) {
    const flags = flagSources ?? new Map<string, unknown>();
    return { environment: compileEnvironment(config), affectedKeys: affectedFlagKeys(flags as Map<string, FlagConfig>, changedFlags, changedSegments) };
  }
  return recompileKeyed(previous, { sequence: config.sequence, flags: flagSources as Map<string, FlagConfig>, segments: segmentSources as Map<string, Segment> }, changedFlags, changedSegments);
}

/**
 * An environment config held as maps by key, in config order, as a client that applies changes
 * keeps it: keys are unique by construction, so `recompileKeyed` need not build and check the maps
 * `recompileEnvironment` builds from lists.
 */
export interface KeyedConfig {
  sequence: number;
  flags: ReadonlyMap<string, FlagConfig>;
  segments: ReadonlyMap<string, Segment>;
}

/** `recompileEnvironment` for a config already held as maps by key; the same result, without turning maps into lists and back. */
export function recompileKeyed(previous: CompiledEnvironment, config: KeyedConfig, changedFlags: ReadonlySet<string>, changedSegments: ReadonlySet<string>): Recompiled {
  const wellFormedBefore = previous.sequence !== -1 && previous.problems.every((problem) => problem.flagKey !== undefined || problem.segmentKey !== undefined);
  const fromScratch = (): Recompiled => ({
    environment: compileEnvironment({ sequence: config.sequence, flags: [...config.flags.values()], segments: [...config.segments.values()] }),
    affectedKeys: affectedFlagKeys(config.flags, changedFlags, changedSegments),
  });
  if (!wellFormedBefore) return fromScratch();
  try {
    return recompileChecked(previous, config.sequence, config.flags, config.segments, changedFlags, changedSegments);
  } catch {
    return fromScratch();
  }
}

function recompileChecked(
  previous: CompiledEnvironment,
  sequenceInput: unknown,
  flagSources: ReadonlyMap<string, FlagConfig>,
  segmentSources: ReadonlyMap<string, unknown>,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
): Recompiled {
  const earlierProblems = problemsByKey(previous.problems);
  const problems: ConfigProblem[] = [];
  // Problems in the same order a full compile reports them: segments, then flags, in config order.
  const segments: SegmentTable = { valid: new Map(), broken: new Map() };
  for (const [key, source] of segmentSources) {
    const compiled = changedSegments.has(key) ? undefined : previous.segments.get(key);
    const broken = changedSegments.has(key) ? undefined : previous.brokenSegments.get(key);
    if (compiled !== undefined) segments.valid.set(key, compiled);
    else if (broken !== undefined) segments.broken.set(key, broken);
    else {
      compileSegmentInto(segments, key, source, problems);
      continue;
    }
    if (earlierProblems.size > 0) problems.push(...(earlierProblems.get(`segment:${key}`) ?? []));
  }

  const affectedKeys = affectedFlagKeys(flagSources, changedFlags, changedSegments);
  const affected = new Set(affectedKeys);
  const flags = new Map<string, CompiledFlag>();
  const fresh: CompiledFlag[] = [];
  for (const [key, source] of flagSources) {
    const reusable = affected.has(key) ? undefined : previous.flags.get(key);
    if (reusable !== undefined) {
      flags.set(key, reusable);
      if (earlierProblems.size > 0) problems.push(...(earlierProblems.get(`flag:${key}`) ?? []));
      continue;
    }
    const compiled = compileFlag(key, source, segments, problems);
    flags.set(key, compiled);
    fresh.push(compiled);
  }
  // Reused flags depend only on reused flags (else they would be affected): their links and depths stand.
  if (fresh.some((flag) => flag.prerequisiteRefs.length > 0)) resolvePrerequisites(flags, fresh);
  const sequence = typeof sequenceInput === 'number' && Number.isFinite(sequenceInput) ? sequenceInput : -1;
  return { environment: new CompiledEnvironment(sequence, flags, segments.valid, problems, segments.broken), affectedKeys };
}

/** Items by their string key, or `undefined` when `list` is not a list of keyed objects with unique keys. */
function byKey(list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const map = new Map<string, unknown>();
  for (const item of list as unknown[]) {
    if (!isRecord(item) || typeof item.key !== 'string' || map.has(item.key)) return undefined;
    map.set(item.key, item);
  }
  return map;
}

function problemsByKey(problems: readonly ConfigProblem[]): Map<string, ConfigProblem[]> {
  const byItem = new Map<string, ConfigProblem[]>();
  for (const problem of problems) {
    const key = problem.flagKey !== undefined ? `flag:${problem.flagKey}` : `segment:${problem.segmentKey}`;
    const list = byItem.get(key);
    if (list === undefined) byItem.set(key, [problem]);
    else list.push(problem);
  }
  return byItem;
}

interface SegmentTable {
  valid: Map<string, CompiledSegment>;
  /** Keys of segments that could not be read; a clause naming one cannot be evaluated. */
  broken: Map<string, string>;
}

function compileSegments(list: unknown, problems: ConfigProblem[]): SegmentTable {
  const table: SegmentTable = { valid: new Map(), broken: new Map() };
  if (list === undefined) return table;
  if (!Array.isArray(list)) {
    problems.push({ message: 'segments must be a list' });
    return table;
  }
  for (const source of list as unknown[]) {
    const key = isRecord(source) && typeof source.key === 'string' ? source.key : undefined;
    if (key === undefined) {
      problems.push({ message: 'a segment needs a string key' });
      continue;
    }
    if (table.valid.has(key) || table.broken.has(key)) {
      problems.push({ segmentKey: key, message: 'duplicate segment key; the first one is used' });
      continue;
    }
    compileSegmentInto(table, key, source, problems);
  }
  return table;
}

function compileSegmentInto(table: SegmentTable, key: string, source: unknown, problems: ConfigProblem[]): void {
  try {
    table.valid.set(key, new CompiledSegment(source as unknown as CompiledSegment['source']));
  } catch (error) {
    const message = describeError(error);
    table.broken.set(key, message);
    problems.push({ segmentKey: key, message });
  }
}

function compileFlags(list: unknown, segments: SegmentTable, problems: ConfigProblem[]): Map<string, CompiledFlag> {
  const flags = new Map<string, CompiledFlag>();
  if (!Array.isArray(list)) {
    problems.push({ message: 'flags must be a list' });
    return flags;
  }
  for (const source of list as unknown[]) {
    const key = isRecord(source) && typeof source.key === 'string' ? source.key : undefined;
    if (key === undefined) {
      problems.push({ message: 'a flag needs a string key' });
      continue;
    }
    if (flags.has(key)) {
      problems.push({ flagKey: key, message: 'duplicate flag key; the first one is used' });
      continue;
    }
    flags.set(key, compileFlag(key, source as unknown as FlagConfig, segments, problems));
  }
  return flags;
}

/** Compiles the parts of a flag; each part that cannot be read becomes an error outcome of its step. */
class FlagCompiler {
  readonly variants = new Map<string, FlagValue>();

  constructor(
    readonly key: string,
    readonly source: FlagConfig,
    readonly problems: ConfigProblem[],
  ) {}

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
    const message = errorCode === undefined ? undefined : 'the context has no value for the rollout\'s bucketBy attribute';
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

  targets(): { targets: Map<string, Outcome>; error: Outcome | null; count: number } {
    const targets = new Map<string, Outcome>();
    const list: unknown = this.source.targets ?? [];
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

  rules(segments: SegmentTable): { rules: CompiledRule[]; error: Outcome | null } {
    const list: unknown = this.source.rules ?? [];
    if (!Array.isArray(list)) {
      return { rules: [], error: errorOutcome('PARSE_ERROR', this.problem('rules must be a list'), 'RULE', 0) };
    }
    const resolveSegment = (key: string): SegmentMembership | undefined => {
      const brokenMessage = segments.broken.get(key);
      if (brokenMessage !== undefined) throw new ConfigError(`segment "${key}" cannot be read: ${brokenMessage}`);
      // An unknown segment has no members.
      return segments.valid.get(key);
    };
    const rules = (list as unknown[]).map((rule, index): CompiledRule => {
      try {
        if (!isRecord(rule) || !Array.isArray(rule.clauses)) throw new ConfigError('a rule needs a list of clauses');
        const clauses = (rule.clauses as unknown[]).map((clause) => new CompiledClause(clause as Clause, resolveSegment));
        return { clauses, serve: this.serve(rule.serve, 'TARGETING_MATCH', 'RULE', index), error: null };
      } catch (error) {
        const outcome = errorOutcome('PARSE_ERROR', this.problem(`rule ${index}: ${describeError(error)}`), 'RULE', index);
        return { clauses: [], serve: { fixed: outcome, rollout: null }, error: outcome };
      }
    });
    return { rules, error: null };
  }

  prerequisites(): { refs: { flag: string; variant: string }[]; error: Outcome | null } {
    const list: unknown = this.source.prerequisites ?? [];
    const valid =
      Array.isArray(list) &&
      list.every((item: unknown) => isRecord(item) && typeof item.flag === 'string' && typeof item.variant === 'string');
    if (!valid) {
      return { refs: [], error: errorOutcome('PARSE_ERROR', this.problem('prerequisites must be a list of { flag, variant }'), 'PREREQUISITES') };
    }
    return { refs: (list as { flag: string; variant: string }[]).map(({ flag, variant }) => ({ flag, variant })), error: null };
  }
}

function valueOfKind(kind: FlagKind, value: unknown, variantKey: string): FlagValue {
  const valid =
    kind === 'json' ||
    (kind === 'boolean' && typeof value === 'boolean') ||
    (kind === 'string' && typeof value === 'string') ||
    (kind === 'number' && typeof value === 'number' && Number.isFinite(value));
  if (!valid) throw new ConfigError(`variant "${variantKey}" does not hold a ${kind} value`);
  return frozenJsonCopy(value);
}

function brokenFlag(key: string, source: FlagConfig, kind: FlagKind | undefined, message: string): CompiledFlag {
  const broken = errorOutcome('PARSE_ERROR', message, 'INVALID_CONFIG');
  const none: CompiledServe = { fixed: broken, rollout: null };
  return {
    key,
    kind,
    source,
    broken,
    killed: false,
    on: false,
    killedOutcome: broken,
    disabledOutcome: broken,
    prerequisiteFailedOutcome: broken,
    prerequisites: [],
    prerequisitesUnsatisfiable: false,
    prerequisitesError: null,
    prerequisiteRefs: [],
    targets: new Map(),
    hasTargets: false,
    targetsError: null,
    rules: [],
    defaultServe: none,
  };
}

function compileFlag(key: string, source: FlagConfig, segments: SegmentTable, problems: ConfigProblem[]): CompiledFlag {
  const kind = FLAG_KINDS.has(source.kind) ? source.kind : undefined;
  const compiler = new FlagCompiler(key, source, problems);
  try {
    if (kind === undefined) throw new ConfigError('kind must be boolean, string, number or json');
    if (typeof source.salt !== 'string') throw new ConfigError('salt must be a string');
    if (typeof source.on !== 'boolean') throw new ConfigError('on must be a boolean');
    if (source.killed !== undefined && typeof source.killed !== 'boolean') throw new ConfigError('killed must be a boolean');
    compiler.readVariants(kind);
    const targets = compiler.targets();
    const rules = compiler.rules(segments);
    const prerequisites = compiler.prerequisites();
    // STATIC: nothing about the context can change what the default rule serves.
    const isStatic = targets.count === 0 && rules.rules.length === 0 && rules.error === null;
    const defaultRule: unknown = source.defaultRule ?? null;
    const defaultServe: CompiledServe =
      defaultRule === null
        ? { fixed: callerDefaultOutcome(isStatic ? 'STATIC' : 'DEFAULT', 'DEFAULT_RULE'), rollout: null }
        : compiler.serve(defaultRule, isStatic ? 'STATIC' : 'DEFAULT', 'DEFAULT_RULE');
    return {
      key,
      kind,
      source,
      broken: null,
      killed: source.killed === true,
      on: source.on,
      killedOutcome: compiler.serveOff('KILLED', 'KILLED'),
      disabledOutcome: compiler.serveOff('DISABLED', 'DISABLED'),
      prerequisiteFailedOutcome: compiler.serveOff('PREREQUISITE_FAILED', 'PREREQUISITES'),
      prerequisites: [],
      prerequisitesUnsatisfiable: false,
      prerequisitesError: prerequisites.error,
      prerequisiteRefs: prerequisites.refs,
      targets: targets.targets,
      hasTargets: targets.targets.size > 0,
      targetsError: targets.error,
      rules: rules.error === null ? rules.rules : [{ clauses: [], serve: { fixed: rules.error, rollout: null }, error: rules.error }],
      defaultServe,
    };
  } catch (error) {
    return brokenFlag(key, source, kind, compiler.problem(describeError(error)));
  }
}

/**
 * Links the prerequisites of `update` (flags of `flags` compiled just now) to their flags and marks
 * cyclic or too-deep chains among them as never passing. Other flags must already be linked.
 */
function resolvePrerequisites(flags: Map<string, CompiledFlag>, update: Iterable<CompiledFlag>): void {
  const updated = new Set(update);
  for (const flag of updated) {
    flag.prerequisites = flag.prerequisiteRefs.map(({ flag: flagKey, variant }) => ({ flagKey, flag: flags.get(flagKey), variant }));
  }
  // Longest chain below each flag, in topological order (iterative, so no stack limits). Flags
  // on or above a cycle are never released and keep an infinite depth.
  const pending = new Map<CompiledFlag, number>();
  const dependents = new Map<CompiledFlag, CompiledFlag[]>();
  const depths = new Map<CompiledFlag, number>();
  const ready: CompiledFlag[] = [];
  for (const flag of flags.values()) {
    let count = 0;
    for (const prerequisite of flag.prerequisites) {
      if (prerequisite.flag === undefined) continue;
      count++;
      const list = dependents.get(prerequisite.flag);
      if (list === undefined) dependents.set(prerequisite.flag, [flag]);
      else list.push(flag);
    }
    pending.set(flag, count);
    depths.set(flag, count === 0 ? 0 : Number.POSITIVE_INFINITY);
    if (count === 0) ready.push(flag);
  }
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    const depth = depths.get(next)!;
    for (const dependent of dependents.get(next) ?? []) {
      const left = pending.get(dependent)! - 1;
      pending.set(dependent, left);
      const best = depths.get(dependent)!;
      depths.set(dependent, best === Number.POSITIVE_INFINITY ? depth + 1 : Math.max(best, depth + 1));
      if (left === 0) ready.push(dependent);
    }
  }
  for (const flag of updated) {
    flag.prerequisitesUnsatisfiable = pending.get(flag)! > 0 || depths.get(flag)! > MAX_PREREQUISITE_DEPTH;
  }
}
