import {
  compileKeyed,
  jsonOf,
  pack,
  recompileKeyed,
  unpack,
  type CompiledEnvironment,
  type ConfigProblem,
  type Held,
  type KeyedConfig,
  type ProblemListener,
} from '../core/index.js';
import type { EnvironmentConfig, FlagConfig, Segment } from '../core/types.js';
import type { ChangeMessage, ServerMessage } from '../protocol/messages.js';
import { FlagDependents } from './config-store-dependents.js';
import { VersionedMap } from './config-store-map.js';

/**
 * What `ConfigStore.apply` did with a message:
 * - `applied`: the state changed (call `commit` to compile it);
 * - `duplicate`: a change the store already has (sequence not newer); ignored;
 * - `gap`: a change that is not the next one; ignored, the caller should ask for a snapshot;
 * - `waiting`: a change before the store has any config to apply it to; ignored;
 * - `invalid`: not a message the store understands; ignored.
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'gap' | 'waiting' | 'invalid';

/** What one `commit` made visible. */
export interface CommittedBatch {
  sequence: number;
  /** Flags whose evaluation may have changed, in config order (see `affectedFlagKeys`). */
  readonly changedKeys: readonly string[];
  /** Problems in the new config (empty for a valid config). Reading it compiles every flag: the client hears of problems through its listener instead. */
  readonly problems: readonly ConfigProblem[];
}

/** A compile and how to list the flags it changed (made only when asked for). */
interface Compiled {
  environment: CompiledEnvironment;
  listChanged: () => readonly string[];
}

/**
 * The client's copy of an environment's config. Messages are applied to plain maps as they
 * arrive; `commit` compiles them into the `CompiledEnvironment` evaluations read, so a burst of
 * messages costs one compile. Sequences follow the protocol: a change applies only when it is
 * exactly the next one; older ones are duplicates, newer ones a gap. Never throws.
 */
export class ConfigStore {
  /** @param onProblems hears about config problems as they are found (flags compile when first read). */
  constructor(private readonly onProblems?: ProblemListener) {}

  /**
   * Immutable versions: a compiled environment reads the version it was compiled from as flags are
   * first evaluated (a run may pin it long after), and a change makes a new version without copying the config.
   * A snapshot's items are held packed (as JSON text) until compiled: most are never evaluated by
   * a given client, and a process holding many clients would otherwise trace every one of their
   * objects in each full garbage collection. A change's item stays parsed: it is usually read next.
   */
  private flags = VersionedMap.of(new Map<string, Held<FlagConfig>>());
  private segments = VersionedMap.of(new Map<string, Held<Segment>>());
  /** Which flags a change affects, without walking every flag. */
  private readonly dependents = new FlagDependents();
  private currentSequence = 0;
  private loaded = false;
  private compiledEnvironment: CompiledEnvironment | undefined;
  private uncommitted = false;
  private readonly changedFlags = new Set<string>();
  private readonly changedSegments = new Set<string>();

  /** The sequence of the newest applied message (0 before any). */
  get sequence(): number {
    return this.currentSequence;
  }

  /** True once a config was loaded or received, committed or not. */
  get hasConfig(): boolean {
    return this.loaded;
  }

  /** What evaluations read; `undefined` until the first commit. */
  get compiled(): CompiledEnvironment | undefined {
    return this.compiledEnvironment;
  }

  /** True when `apply`/`replace` changed something `commit` has not compiled yet. */
  get hasUncommitted(): boolean {
    return this.uncommitted;
  }

  /** Applies a server message. See {@link ApplyOutcome}. */
  apply(message: ServerMessage): ApplyOutcome {
    if (message === null || typeof message !== 'object') return 'invalid';
    if (message.type === 'snapshot') {
      if (!isSequence(message.sequence) || !isEnvironmentConfig(message.config)) return 'invalid';
      this.replace(message.config, message.sequence);
      return 'applied';
    }
    if (message.type === 'change') return this.applyChange(message);
    return 'invalid';
  }

  /**
   * Replaces the whole state, as a snapshot does. A snapshot is the server's word even when its
   * sequence is older than ours (a restored database), so it is never refused for that.
   * Returns false (and changes nothing) when `config` is not an environment config.
   */
  replace(config: EnvironmentConfig, sequence: number = config.sequence): boolean {
    if (!isEnvironmentConfig(config) || !isSequence(sequence)) return false;
    // Parsed for the dependents index (read once now), packed for holding.
    const parsed = new Map<string, FlagConfig>();
    const flags = new Map<string, Held<FlagConfig>>();
    for (const flag of config.flags) {
      if (typeof flag?.key !== 'string') continue;
      parsed.set(flag.key, flag);
      flags.set(flag.key, pack(flag));
    }
    const segments = new Map<string, Held<Segment>>();
    for (const segment of config.segments) if (typeof segment?.key === 'string') segments.set(segment.key, pack(segment));

    // Before the first commit nothing was served: every flag is new (see `commit`), no diff needed.
    if (this.compiledEnvironment !== undefined) {
      diffInto(this.flags, flags, this.changedFlags);
      diffInto(this.segments, segments, this.changedSegments);
    }
    this.flags = VersionedMap.of(flags);
    this.segments = VersionedMap.of(segments);
    this.dependents.reset(parsed);
    if (sequence !== this.currentSequence || !this.loaded) this.uncommitted = true;
    if (this.changedFlags.size > 0 || this.changedSegments.size > 0) this.uncommitted = true;
    this.currentSequence = sequence;
    this.loaded = true;
    return true;
  }

  /**
   * Compiles what was applied since the last commit: only the flags it can affect, the rest is
   * reused from the previous compile. Returns `undefined` when nothing was applied. The sequence
   * alone moving on (a snapshot identical to the state) does not recompile.
   */
  commit(): CommittedBatch | undefined {
    if (!this.uncommitted) return undefined;
    this.uncommitted = false;
    const previous = this.compiledEnvironment;
    if (previous !== undefined && this.changedFlags.size === 0 && this.changedSegments.size === 0) {
      return { sequence: this.currentSequence, changedKeys: [], problems: [] };
    }
    const config = { sequence: this.currentSequence, flags: this.flags, segments: this.segments };
    const { environment, listChanged } = previous === undefined ? this.compileFirst(config) : this.recompile(previous, config);
    this.compiledEnvironment = environment;
    this.changedFlags.clear();
    this.changedSegments.clear();
    let changedKeys: readonly string[] | undefined;
    return {
      sequence: config.sequence,
      get changedKeys() {
        return (changedKeys ??= listChanged());
      },
      get problems() {
        return environment.problems;
      },
    };
  }

  /** The first compile: every flag is new, and so are those deleted by changes since the snapshot. */
  private compileFirst(config: KeyedConfig): Compiled {
    const environment = compileKeyed(config, { onProblems: this.onProblems });
    const deleted: string[] = [];
    for (const key of this.changedFlags) if (!config.flags.has(key)) deleted.push(key);
    // Made when read: a client starting from bootstrap data has no one to tell.
    return { environment, listChanged: () => [...config.flags.keys(), ...deleted] };
  }

  /** Compiles only the flags the changes can affect; the rest is reused from `previous`. */
  private recompile(previous: CompiledEnvironment, config: KeyedConfig): Compiled {
    // The maps as they are: no lists built only to be turned back into maps.
    const affected = this.dependents.affected(config.flags, this.changedFlags, this.changedSegments);
    const recompiled = recompileKeyed(previous, config, this.changedFlags, this.changedSegments, affected);
    return { environment: recompiled.environment, listChanged: () => recompiled.affectedKeys };
  }

  /** The current state as a plain config (what the cache file stores). */
  toConfig(): EnvironmentConfig {
    return { sequence: this.currentSequence, flags: [...this.flags.values()].map(unpack), segments: [...this.segments.values()].map(unpack) };
  }

  private applyChange(change: ChangeMessage): ApplyOutcome {
    if (!isSequence(change.sequence) || typeof change.key !== 'string') return 'invalid';
    if (!this.loaded) return 'waiting';
    if (change.sequence <= this.currentSequence) return 'duplicate';
    if (change.sequence !== this.currentSequence + 1) return 'gap';

    if (change.kind === 'flag') {
      if (change.flag !== null && !isRecord(change.flag)) return 'invalid';
      const flag = change.flag ?? undefined;
      this.flags = this.flags.with(change.key, flag);
      this.dependents.update(change.key, flag);
      this.changedFlags.add(change.key);
    } else if (change.kind === 'segment') {
      if (change.segment !== null && !isRecord(change.segment)) return 'invalid';
      this.segments = this.segments.with(change.key, change.segment ?? undefined);
      this.changedSegments.add(change.key);
    } else {
      return 'invalid';
    }
    this.currentSequence = change.sequence;
    this.uncommitted = true;
    return 'applied';
  }
}

/** Adds to `changed` every key added, removed or altered between `before` and `after`. */
function diffInto<T>(before: ReadonlyMap<string, Held<T>>, after: ReadonlyMap<string, Held<T>>, changed: Set<string>): void {
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined || (old !== value && !sameJson(old, value))) changed.add(key);
  }
  for (const key of before.keys()) if (!after.has(key)) changed.add(key);
}

function sameJson<T>(a: Held<T>, b: Held<T>): boolean {
  const text = jsonOf(a);
  return text !== undefined && text === jsonOf(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Enough of an `EnvironmentConfig` to store; the compiler judges the rest. */
export function isEnvironmentConfig(value: unknown): value is EnvironmentConfig {
  return isRecord(value) && isSequence(value.sequence) && Array.isArray(value.flags) && Array.isArray(value.segments);
}
