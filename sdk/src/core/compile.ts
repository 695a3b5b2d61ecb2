import { ConfigError } from './config-error.js';
import { frozenJsonCopy } from './json-value.js';
import { CompiledClause, type SegmentMembership } from './operators.js';
import { callerDefaultOutcome, errorOutcome, Outcome, servedOutcome, type DecisionStep } from './outcome.js';
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
 * An environment config compiled for fast evaluation: flags and segments by key, clause values
 * prepared, results prebuilt. Flags and segments compile when first needed (a flag when first read,
 * with the flags it needs as prerequisites and the segments its rules name), so a process that
 * evaluates a few flags of a large config never pays for the rest. It behaves as if compiled at
 * once; the config must not change afterwards (compile a new one when it does).
 */
export class CompiledEnvironment {
  /** The change-log sequence of the config this was compiled from (-1 when it had none). */
  readonly sequence: number;
  /** Flags by key, in config order. Iterating compiles every flag. */
  readonly flags: ReadonlyMap<string, CompiledFlag>;
  /** @internal */
  readonly table: FlagTable;

  /** @internal Made by `compileEnvironment` and `recompileEnvironment`. */
  constructor(sequence: number, table: FlagTable) {
    this.sequence = sequence;
    this.table = table;
    this.flags = table;
    Object.freeze(this);
  }

  /** Segments by key. Compiles every segment. */
  get segments(): ReadonlyMap<string, CompiledSegment> {
    return this.table.segments.valid();
  }

  /** Segments that could not be read, with why (rules naming one serve an error). Compiles every segment. */
  get brokenSegments(): ReadonlyMap<string, string> {
    return this.table.segments.broken();
  }

  /** What could not be used, for logs and save-time validation. Empty for a valid config. Compiles everything. */
  get problems(): readonly ConfigProblem[] {
    return this.table.problems();
  }

  /** The keys of all flags, in config order. */
  flagKeys(): string[] {
    return [...this.flags.keys()];
  }
}

/** Told about problems as they are found: the config's shape at once, a flag's or segment's when it compiles. Must not throw. */
export type ProblemListener = (problems: readonly ConfigProblem[]) => void;

/** Options of {@link compileEnvironment}. */
export interface CompileOptions {
  /** Hears about problems as they are found (a recompiled environment keeps its predecessor's listener). */
  onProblems?: ProblemListener;
}

function tell(listener: ProblemListener | undefined, problems: readonly ConfigProblem[]): void {
  try {
    listener?.(problems);
  } catch {
    // A listener that throws must not break evaluation.
  }
}

/** A flag or segment of a config and, once first needed, what it compiled to: environments that reuse the item share its slot, so it compiles once. */
interface Slot<Compiled, Source> {
  readonly key: string;
  readonly source: Source;
  compiled: Compiled | undefined;
  /** What compiling the item found. */
  problems: readonly ConfigProblem[];
}

type FlagSlot = Slot<CompiledFlag, FlagConfig>;
/** A segment compiles to itself, or to the message of why it cannot be read. */
type SegmentSlot = Slot<CompiledSegment | string, unknown>;

const NO_PROBLEMS: readonly ConfigProblem[] = [];

/** A config list's entries in order: an item's key, or the problem of an entry that is not an item (no key, a duplicate key, no list). */
type Entry = string | ConfigProblem;

function isKeyed(problem: ConfigProblem): boolean {
  return problem.flagKey !== undefined || problem.segmentKey !== undefined;
}

/** A config list read by key: its items, its entries in order when some are not items, and those entries' problems. */
interface Listed<Source> {
  sources: ReadonlyMap<string, Source>;
  /** `undefined` when every entry is an item: the order is then that of `sources`. */
  entries: readonly Entry[] | undefined;
  problems: readonly ConfigProblem[];
}

function listed<Source>(list: unknown, kind: 'flag' | 'segment'): Listed<Source> {
  const sources = new Map<string, Source>();
  const problems: ConfigProblem[] = [];
  // Made only once an entry is not an item: a well-formed list needs no second copy of its order.
  let entries: Entry[] | undefined;
  const fail = (problem: ConfigProblem) => {
    entries ??= [...sources.keys()];
    entries.push(problem);
    problems.push(problem);
  };
  if (!Array.isArray(list)) {
    fail({ message: `${kind}s must be a list` });
    return { sources, entries, problems };
  }
  for (const source of list as unknown[]) {
    const key = isRecord(source) && typeof source.key === 'string' ? source.key : undefined;
    if (key === undefined) {
      fail({ message: `a ${kind} needs a string key` });
    } else if (sources.has(key)) {
      fail({ [kind === 'flag' ? 'flagKey' : 'segmentKey']: key, message: `duplicate ${kind} key; the first one is used` });
    } else {
      sources.set(key, source as Source);
      entries?.push(key);
    }
  }
  return { sources, entries, problems };
}

/** Items already held by key (keys are unique, every entry an item): nothing to walk. */
function keyed<Source>(sources: ReadonlyMap<string, Source>): Listed<Source> {
  return { sources, entries: undefined, problems: NO_PROBLEMS };
}

/**
 * @internal A config's items by key, each given its slot when first looked up: a process that
 * evaluates a few flags of a large config makes slots for those only. Reads `sources` as long as
 * it lives, so they must not change.
 */
export class Slots<Compiled, Source> {
  private readonly made = new Map<string, Slot<Compiled, Source>>();

  constructor(
    readonly sources: ReadonlyMap<string, Source>,
    private readonly entries: readonly Entry[] | undefined,
  ) {}

  get(key: string): Slot<Compiled, Source> | undefined {
    const slot = this.made.get(key);
    if (slot !== undefined) return slot;
    const source = this.sources.get(key);
    return source === undefined ? undefined : this.share(key, { key, source, compiled: undefined, problems: NO_PROBLEMS });
  }

  /** Makes `slot` the one for `key`: an environment recompiled from another shares the slots of what did not change. */
  share(key: string, slot: Slot<Compiled, Source>): Slot<Compiled, Source> {
    this.made.set(key, slot);
    return slot;
  }

  /** The problems of the entries in config order: an item's once it has compiled, an entry's that is not an item. */
  problems(): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const entry of this.entries ?? this.sources.keys()) {
      if (typeof entry !== 'string') problems.push(entry);
      else problems.push(...this.get(entry)!.problems);
    }
    return problems;
  }

  /** True when every entry is an item or names its key (a duplicate), so a change can be applied item by item. */
  wellFormed(): boolean {
    return this.entries === undefined || this.entries.every((entry) => typeof entry === 'string' || isKeyed(entry));
  }
}

/** @internal A config's segments by key, each compiled when a flag first names it. */
export class SegmentTable {
  private validSegments: Map<string, CompiledSegment> | undefined;
  private brokenSegments: Map<string, string> | undefined;

  constructor(
    readonly slots: Slots<CompiledSegment | string, unknown>,
    private readonly onProblems: ProblemListener | undefined,
  ) {}

  /** The segment, why it cannot be read, or `undefined` when there is none (it has no members). */
  resolve(key: string): CompiledSegment | string | undefined {
    const slot: SegmentSlot | undefined = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.compiled === undefined) {
      try {
        slot.compiled = new CompiledSegment(slot.source as Segment);
      } catch (error) {
        slot.compiled = describeError(error);
        slot.problems = [{ segmentKey: key, message: slot.compiled }];
        tell(this.onProblems, slot.problems);
      }
    }
    return slot.compiled;
  }

  valid(): ReadonlyMap<string, CompiledSegment> {
    return this.split().valid;
  }

  broken(): ReadonlyMap<string, string> {
    return this.split().broken;
  }

  private split(): { valid: Map<string, CompiledSegment>; broken: Map<string, string> } {
    if (this.validSegments === undefined || this.brokenSegments === undefined) {
      this.validSegments = new Map();
      this.brokenSegments = new Map();
      for (const key of this.slots.sources.keys()) {
        const segment = this.resolve(key)!;
        if (typeof segment === 'string') this.brokenSegments.set(key, segment);
        else this.validSegments.set(key, segment);
      }
    }
    return { valid: this.validSegments, broken: this.brokenSegments };
  }
}

/**
 * @internal An environment's flags by key, compiled on first read. `get` is the hot path: one map
 * lookup once the flag has compiled.
 */
export class FlagTable implements ReadonlyMap<string, CompiledFlag> {
  private readonly compiled = new Map<string, CompiledFlag>();
  private everything: Map<string, CompiledFlag> | undefined;
  private allProblems: readonly ConfigProblem[] | undefined;

  constructor(
    readonly slots: Slots<CompiledFlag, FlagConfig>,
    readonly segments: SegmentTable,
    /** Problems of the config as a whole (not an object, not compilable). */
    readonly configProblems: readonly ConfigProblem[],
    readonly onProblems: ProblemListener | undefined,
  ) {}

  get size(): number {
    return this.slots.sources.size;
  }

  has(key: string): boolean {
    return this.slots.sources.has(key);
  }

  get(key: string): CompiledFlag | undefined {
    return this.compiled.get(key) ?? this.load(key);
  }

  keys(): MapIterator<string> {
    return this.slots.sources.keys();
  }

  values(): MapIterator<CompiledFlag> {
    return this.all().values();
  }

  entries(): MapIterator<[string, CompiledFlag]> {
    return this.all().entries();
  }

  [Symbol.iterator](): MapIterator<[string, CompiledFlag]> {
    return this.all()[Symbol.iterator]();
  }

  forEach(callback: (flag: CompiledFlag, key: string, map: ReadonlyMap<string, CompiledFlag>) => void, thisArg?: unknown): void {
    for (const [key, flag] of this.all()) callback.call(thisArg, flag, key, this);
  }

  /** Every problem, in the order a config lists them: the config's, its segments', its flags'. Compiles everything. */
  problems(): readonly ConfigProblem[] {
    if (this.allProblems === undefined) {
      this.all();
      this.segments.valid();
      this.allProblems = Object.freeze([...this.configProblems, ...this.segments.slots.problems(), ...this.slots.problems()]);
    }
    return this.allProblems;
  }

  /** True when every item is a keyed object, so a change can be applied item by item. */
  wellFormed(): boolean {
    return this.configProblems.every(isKeyed) && this.segments.slots.wellFormed() && this.slots.wellFormed();
  }

  private all(): Map<string, CompiledFlag> {
    if (this.everything === undefined) {
      const everything = new Map<string, CompiledFlag>();
      for (const key of this.slots.sources.keys()) everything.set(key, this.get(key)!);
      this.everything = everything;
    }
    return this.everything;
  }

  private load(key: string): CompiledFlag | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    const flag = slot.compiled ?? this.compileFrom(slot);
    this.compiled.set(key, flag);
    return flag;
  }

  /** Compiles `slot` and the flags below it through prerequisites that have not compiled yet, and links them. */
  private compileFrom(slot: FlagSlot): CompiledFlag {
    const found: ConfigProblem[] = [];
    const flag = this.compileSlot(slot, found);
    // Most flags have no prerequisites: nothing to link.
    if (flag.prerequisiteRefs.length > 0) {
      // Everything reachable through prerequisites, compiled or not: the depth check needs the whole chain.
      const below = new Map([[slot.key, flag]]);
      const fresh = [flag];
      const pending = [flag];
      for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
        for (const { flag: key } of next.prerequisiteRefs) {
          const prerequisite = this.slots.get(key);
          if (prerequisite === undefined || below.has(key)) continue;
          let compiled = prerequisite.compiled;
          if (compiled === undefined) {
            compiled = this.compileSlot(prerequisite, found);
            fresh.push(compiled);
          }
          below.set(key, compiled);
          pending.push(compiled);
        }
      }
      resolvePrerequisites(below, fresh);
    }
    if (found.length > 0) tell(this.onProblems, found);
    return flag;
  }

  private compileSlot(slot: FlagSlot, found: ConfigProblem[]): CompiledFlag {
    const problems: ConfigProblem[] = [];
    // Compiled flags and rollouts are immutable by type but not frozen: V8 reads frozen objects and
    // arrays measurably slower on the hot path. Results handed to callers are frozen.
    const flag = compileFlag(slot.key, slot.source, this.segments, problems);
    slot.compiled = flag;
    if (problems.length > 0) {
      slot.problems = problems;
      found.push(...problems);
    }
    return flag;
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
 * Flags and segments compile when first needed (see {@link CompiledEnvironment}).
 */
export function compileEnvironment(config: EnvironmentConfig, options: CompileOptions = {}): CompiledEnvironment {
  try {
    const input: unknown = config;
    if (!isRecord(input)) return wholeConfigProblem('an environment config must be an object', options);
    const sequence = typeof input.sequence === 'number' && Number.isFinite(input.sequence) ? input.sequence : -1;
    const segments = input.segments === undefined ? keyed(new Map<string, unknown>()) : listed<unknown>(input.segments, 'segment');
    return environmentOf(sequence, listed<FlagConfig>(input.flags, 'flag'), segments, options.onProblems);
  } catch (error) {
    return wholeConfigProblem(`the config cannot be compiled: ${describeError(error)}`, options);
  }
}

/**
 * `compileEnvironment` for a config already held as maps by key (as a client keeps it): the same
 * result, and nothing is walked: the environment reads the maps as flags are first evaluated, so
 * they must not change afterwards (copy them to apply a change).
 */
export function compileKeyed(config: KeyedConfig, options: CompileOptions = {}): CompiledEnvironment {
  try {
    const sequence = typeof config.sequence === 'number' && Number.isFinite(config.sequence) ? config.sequence : -1;
    return environmentOf(sequence, keyed(config.flags), keyed<unknown>(config.segments), options.onProblems);
  } catch (error) {
    return wholeConfigProblem(`the config cannot be compiled: ${describeError(error)}`, options);
  }
}

function environmentOf(sequence: number, flags: Listed<FlagConfig>, segments: Listed<unknown>, onProblems: ProblemListener | undefined): CompiledEnvironment {
  // Problems of the config's shape are known now; an item's when it compiles.
  if (segments.problems.length + flags.problems.length > 0) tell(onProblems, [...segments.problems, ...flags.problems]);
  const segmentTable = new SegmentTable(new Slots(segments.sources, segments.entries), onProblems);
  return new CompiledEnvironment(sequence, new FlagTable(new Slots(flags.sources, flags.entries), segmentTable, NO_PROBLEMS, onProblems));
}

function wholeConfigProblem(message: string, { onProblems }: CompileOptions): CompiledEnvironment {
  const problems = [{ message }];
  tell(onProblems, problems);
  const segments = new SegmentTable(new Slots(new Map(), undefined), onProblems);
  return new CompiledEnvironment(-1, new FlagTable(new Slots(new Map(), undefined), segments, problems, onProblems));
}

/** What `recompileEnvironment` made: the new environment and the flags whose evaluation may differ. */
export interface Recompiled {
  environment: CompiledEnvironment;
  /** Changed flags, flags with a rule on a changed segment, and flags depending on those through prerequisites, in config order (deleted flags last). */
  affectedKeys: string[];
}

/**
 * Compiles `config`, reusing what `previous` compiled (or will compile) for every flag and segment
 * the change cannot affect: the environments share those, so applying one change to an environment
 * of thousands of flags compiles at most the changed flag, when it is next read.
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
    return {
      environment: compileEnvironment(config, { onProblems: previous.table?.onProblems }),
      affectedKeys: affectedFlagKeys(flags as Map<string, FlagConfig>, changedFlags, changedSegments),
    };
  }
  return recompileKeyed(
    previous,
    { sequence: config.sequence, flags: flagSources as Map<string, FlagConfig>, segments: segmentSources as Map<string, Segment> },
    changedFlags,
    changedSegments,
  );
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

/**
 * `recompileEnvironment` for a config already held as maps by key; the same result, without turning
 * maps into lists and back. As with `compileKeyed`, the maps must not change afterwards.
 */
export function recompileKeyed(
  previous: CompiledEnvironment,
  config: KeyedConfig,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
): Recompiled {
  const wellFormedBefore = previous.sequence !== -1 && previous.table?.wellFormed() === true;
  const fromScratch = (): Recompiled => ({
    environment: compileEnvironment(
      { sequence: config.sequence, flags: [...config.flags.values()], segments: [...config.segments.values()] },
      { onProblems: previous.table?.onProblems },
    ),
    affectedKeys: affectedFlagKeys(config.flags, changedFlags, changedSegments),
  });
  if (!wellFormedBefore) return fromScratch();
  try {
    return recompileChecked(previous.table, config.sequence, config.flags, config.segments, changedFlags, changedSegments);
  } catch {
    return fromScratch();
  }
}

function recompileChecked(
  earlier: FlagTable,
  sequenceInput: unknown,
  flagSources: ReadonlyMap<string, FlagConfig>,
  segmentSources: ReadonlyMap<string, unknown>,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
): Recompiled {
  const affectedKeys = affectedFlagKeys(flagSources, changedFlags, changedSegments);
  const affected = new Set(affectedKeys);
  const sequence = typeof sequenceInput === 'number' && Number.isFinite(sequenceInput) ? sequenceInput : -1;
  const environment = environmentOf(sequence, keyed(flagSources), keyed(segmentSources), earlier.onProblems);
  const { slots, segments } = environment.table;
  for (const key of segmentSources.keys()) {
    const slot = changedSegments.has(key) ? undefined : earlier.segments.slots.get(key);
    if (slot !== undefined) segments.slots.share(key, slot);
  }
  // An unaffected flag reads only unchanged segments and unaffected prerequisites: it compiles
  // the same in both environments, so they share its slot (compiled or not: whichever compiles it
  // first does so for both).
  for (const key of flagSources.keys()) {
    const slot = affected.has(key) ? undefined : earlier.slots.get(key);
    if (slot !== undefined) slots.share(key, slot);
  }
  return { environment, affectedKeys };
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
      const segment = segments.resolve(key);
      if (typeof segment === 'string') throw new ConfigError(`segment "${key}" cannot be read: ${segment}`);
      // An unknown segment has no members.
      return segment;
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
    const valid = Array.isArray(list) && list.every((item: unknown) => isRecord(item) && typeof item.flag === 'string' && typeof item.variant === 'string');
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
