import { compileFlag, CompiledFlag, type CompiledPrerequisite } from './compiled-flag.js';
import { describeError, isRecord, tell, type ConfigProblem, type ProblemListener } from './config-problem.js';
import { CompiledSegment } from './segments.js';
import { affectedFlagKeys } from './affected.js';
import { unpack, type Held } from './packed.js';
import type { EnvironmentConfig, FlagConfig, Segment } from './types.js';

export { CompiledFlag, type CompiledPrerequisite, type CompiledRule, type CompiledServe } from './compiled-flag.js';
export type { ConfigProblem, ProblemListener } from './config-problem.js';

/** Prerequisite chains longer than this never pass (as do cycles). */
export const MAX_PREREQUISITE_DEPTH = 10;

/**
 * An environment config compiled for fast evaluation: flags and segments by key, clause values
 * prepared, results prebuilt. Flags and segments compile when first needed (a flag when first read,
 * with the flags it needs as prerequisites; its rules, and the segments they name, when an
 * evaluation first reaches them: see `CompiledFlag`), so a process that evaluates a few flags of a
 * large config never pays for the rest. It behaves as if compiled at once; the config must not
 * change afterwards (compile a new one when it does).
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

/** Options of {@link compileEnvironment}. */
export interface CompileOptions {
  /** Hears about problems as they are found (a recompiled environment keeps its predecessor's listener). */
  onProblems?: ProblemListener;
}

/** A flag or segment of a config and, once first needed, what it compiled to: environments that reuse the item share its slot, so it compiles once. */
interface Slot<Compiled, Source> {
  readonly key: string;
  readonly source: Source;
  compiled: Compiled | undefined;
  /** What compiling the item found (a segment's: a flag lists its own, see `CompiledFlag.problems`). */
  problems: readonly ConfigProblem[];
  /** The generation since which the item is unchanged (see `SlotRegistry`); -1 for a slot no other environment may share. */
  since: number;
}

type FlagSlot = Slot<CompiledFlag, Held<FlagConfig>>;
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
 * @internal Shared by an environment and every environment recompiled from it in a line: for each
 * item, the generation of the last change that affected it and the newest slot made for it. An
 * environment of generation `g` may take that slot when the item was last affected at or before
 * `g`: their sources are then the same, so recompiling costs a map entry per affected item,
 * whatever the size of the config, and an item still compiles once for every environment in which
 * it is unchanged.
 */
export class SlotRegistry<Compiled, Source> {
  /** The newest generation made; an environment recompiles incrementally only from the newest. */
  generation = 0;
  readonly affectedAt = new Map<string, number>();
  readonly latest = new Map<string, Slot<Compiled, Source>>();

  /** Starts the next generation, in which `affected` are new; returns it. */
  advance(affected: Iterable<string>): number {
    const generation = ++this.generation;
    for (const key of affected) {
      this.affectedAt.set(key, generation);
      this.latest.delete(key);
    }
    return generation;
  }
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
    readonly registry: SlotRegistry<Compiled, Source> = new SlotRegistry(),
    readonly generation = registry.generation,
  ) {}

  get(key: string): Slot<Compiled, Source> | undefined {
    const slot = this.made.get(key);
    if (slot !== undefined) return slot;
    const source = this.sources.get(key);
    if (source === undefined) return undefined;
    const since = this.registry.affectedAt.get(key) ?? 0;
    // An older environment reading an item changed after it: a slot of its own.
    if (since > this.generation) return this.share(key, { key, source, compiled: undefined, problems: NO_PROBLEMS, since: -1 });
    const latest = this.registry.latest.get(key);
    if (latest !== undefined && latest.since === since && latest.source === source) return this.share(key, latest);
    const made: Slot<Compiled, Source> = { key, source, compiled: undefined, problems: NO_PROBLEMS, since };
    this.registry.latest.set(key, made);
    return this.share(key, made);
  }

  /** True when this is the newest environment of its line (a slot it takes may be rebound to it). */
  get newest(): boolean {
    return this.generation === this.registry.generation;
  }

  /** Makes `slot` the one for `key`: an environment recompiled from another shares the slots of what did not change. */
  share(key: string, slot: Slot<Compiled, Source>): Slot<Compiled, Source> {
    this.made.set(key, slot);
    return slot;
  }

  /** The problems of the entries in config order: an item's (as `itemProblems` reads them), an entry's that is not an item. */
  problems(itemProblems: (slot: Slot<Compiled, Source>) => readonly ConfigProblem[] = (slot) => slot.problems): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const entry of this.entries ?? this.sources.keys()) {
      if (typeof entry !== 'string') problems.push(entry);
      else problems.push(...itemProblems(this.get(entry)!));
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
        slot.compiled = new CompiledSegment(unpack(slot.source) as Segment);
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
    readonly slots: Slots<CompiledFlag, Held<FlagConfig>>,
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
      // A flag's problems include those of the parts no evaluation reached yet: listing them compiles those.
      const flagProblems = this.slots.problems((slot) => slot.compiled!.problems());
      this.allProblems = Object.freeze([...this.configProblems, ...this.segments.slots.problems(), ...flagProblems]);
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
    // A flag compiled by an earlier environment finds its rules' segments here from now on, so the earlier one need not stay alive.
    if (slot.compiled !== undefined && this.slots.newest) slot.compiled.resolveSegmentsIn(this.segments);
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
      // The usual case, one level: the prerequisites have none of their own and the flag is not
      // one of its own, so there is no chain to measure and no cycle.
      let oneLevel = true;
      for (const [key, other] of below) if (key !== slot.key && other.prerequisiteRefs.length > 0) oneLevel = false;
      for (const ref of flag.prerequisiteRefs) if (ref.flag === slot.key) oneLevel = false;
      if (oneLevel) flag.prerequisites = linked(flag, below);
      else resolvePrerequisites(below, fresh);
    }
    if (found.length > 0) tell(this.onProblems, found);
    return flag;
  }

  private compileSlot(slot: FlagSlot, found: ConfigProblem[]): CompiledFlag {
    // Compiled flags and rollouts are immutable by type but not frozen: V8 reads frozen objects and
    // arrays measurably slower on the hot path. Results handed to callers are frozen.
    const flag = compileFlag(slot.key, unpack(slot.source), this.segments, found, this.onProblems);
    slot.compiled = flag;
    return flag;
  }
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
    return environmentOf(sequence, listed<Held<FlagConfig>>(input.flags, 'flag'), segments, options.onProblems);
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

function environmentOf(
  sequence: number,
  flags: Listed<Held<FlagConfig>>,
  segments: Listed<unknown>,
  onProblems: ProblemListener | undefined,
): CompiledEnvironment {
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
  /** Parsed, or packed (JSON text) until compiled: see {@link Held}. */
  flags: ReadonlyMap<string, Held<FlagConfig>>;
  segments: ReadonlyMap<string, Held<Segment>>;
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
  /** The result of `affectedFlagKeys` for these changes, when the caller keeps an index that knows it without walking every flag. */
  affectedKeys?: readonly string[],
): Recompiled {
  const wellFormedBefore = previous.sequence !== -1 && previous.table?.wellFormed() === true;
  if (!wellFormedBefore) return recompileFromScratch(previous, config, changedFlags, changedSegments, affectedKeys);
  try {
    const earlier = previous.table;
    const affected = affectedList(config, changedFlags, changedSegments, affectedKeys);
    if (earlier.slots.newest && earlier.segments.slots.newest) return recompileNewest(earlier, config, affected, changedSegments);
    return recompileChecked(earlier, config.sequence, config.flags, config.segments, affected, changedSegments);
  } catch {
    return recompileFromScratch(previous, config, changedFlags, changedSegments, affectedKeys);
  }
}

/** `recompileKeyed` when nothing of `previous` can be reused: a compile of the whole config. */
function recompileFromScratch(
  previous: CompiledEnvironment,
  config: KeyedConfig,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
  affectedKeys: readonly string[] | undefined,
): Recompiled {
  return {
    environment: compileEnvironment(
      { sequence: config.sequence, flags: [...config.flags.values()].map(unpack), segments: [...config.segments.values()].map(unpack) },
      { onProblems: previous.table?.onProblems },
    ),
    affectedKeys: affectedList(config, changedFlags, changedSegments, affectedKeys),
  };
}

/** The caller's `affectedKeys` (copied), or `affectedFlagKeys` when it has none. */
function affectedList(
  config: KeyedConfig,
  changedFlags: ReadonlySet<string>,
  changedSegments: ReadonlySet<string>,
  affectedKeys: readonly string[] | undefined,
): string[] {
  return affectedKeys !== undefined ? [...affectedKeys] : affectedFlagKeys(config.flags, changedFlags, changedSegments);
}

/**
 * The usual case, recompiling the newest environment of its line: the new one shares the line's
 * slot registries and marks only the affected items as new, so nothing is walked or copied.
 */
function recompileNewest(earlier: FlagTable, config: KeyedConfig, affectedKeys: string[], changedSegments: ReadonlySet<string>): Recompiled {
  const sequence = typeof config.sequence === 'number' && Number.isFinite(config.sequence) ? config.sequence : -1;
  const segmentRegistry = earlier.segments.slots.registry;
  // No segment changed and the same segments: the earlier table serves as is (what it compiled, or
  // will compile, is what a new one would), so a flag change makes no segment table.
  const segments =
    changedSegments.size === 0 && earlier.segments.slots.sources === config.segments
      ? earlier.segments
      : new SegmentTable(
          new Slots(config.segments as ReadonlyMap<string, unknown>, undefined, segmentRegistry, segmentRegistry.advance(changedSegments)),
          earlier.onProblems,
        );
  const flagRegistry = earlier.slots.registry;
  const flags = new Slots(config.flags, undefined, flagRegistry, flagRegistry.advance(affectedKeys));
  return { environment: new CompiledEnvironment(sequence, new FlagTable(flags, segments, NO_PROBLEMS, earlier.onProblems)), affectedKeys };
}

/** Recompiling an environment that is not the newest of its line (a branch): shares its unaffected slots one by one. */
function recompileChecked(
  earlier: FlagTable,
  sequenceInput: unknown,
  flagSources: ReadonlyMap<string, Held<FlagConfig>>,
  segmentSources: ReadonlyMap<string, unknown>,
  affectedKeys: string[],
  changedSegments: ReadonlySet<string>,
): Recompiled {
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
    if (slot === undefined) continue;
    slots.share(key, slot);
    // Its rules not reached yet will find the same segments here: the earlier environment need not stay alive for them.
    slot.compiled?.resolveSegmentsIn(segments);
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

/**
 * Links the prerequisites of `update` (flags of `flags` compiled just now) to their flags and marks
 * cyclic or too-deep chains among them as never passing. Other flags must already be linked.
 */
function resolvePrerequisites(flags: Map<string, CompiledFlag>, update: Iterable<CompiledFlag>): void {
  const updated = new Set(update);
  for (const flag of updated) flag.prerequisites = linked(flag, flags);
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

/** The prerequisites of `flag`, each with its flag in `flags`. */
function linked(flag: CompiledFlag, flags: ReadonlyMap<string, CompiledFlag>): CompiledPrerequisite[] {
  const prerequisites: CompiledPrerequisite[] = [];
  for (const { flag: flagKey, variant } of flag.prerequisiteRefs) prerequisites.push({ flagKey, flag: flags.get(flagKey), variant });
  return prerequisites;
}
