import type { ContextRecord } from './context.js';
import { ConfigError } from './config-error.js';
import { CompiledClause, firstFailingClause, type SegmentMembership, type SegmentSource } from './operators.js';
import type { Segment } from './types.js';

/** A segment ready for membership checks. */
export class CompiledSegment implements SegmentMembership {
  readonly key: string;
  private readonly included: ReadonlySet<string>;
  private readonly excluded: ReadonlySet<string>;
  /** Each rule's clauses, ANDed. */
  readonly rules: readonly (readonly CompiledClause[])[];

  constructor(readonly source: Segment) {
    if (typeof source.key !== 'string') throw new ConfigError('a segment needs a string key');
    this.key = source.key;
    this.included = new Set(stringList(source.included, 'included'));
    this.excluded = new Set(stringList(source.excluded, 'excluded'));
    const rules = source.rules === undefined ? [] : source.rules;
    if (!Array.isArray(rules)) throw new ConfigError('segment rules must be a list');
    this.rules = rules.map((rule: unknown) => {
      const clauses: unknown = typeof rule === 'object' && rule !== null ? (rule as { clauses?: unknown }).clauses : undefined;
      if (!Array.isArray(clauses)) throw new ConfigError('a segment rule needs a list of clauses');
      return clauses.map((clause: unknown) => {
        if (typeof clause === 'object' && clause !== null && (clause as { op?: unknown }).op === 'segment') {
          throw new ConfigError('segment rules cannot refer to other segments');
        }
        return new CompiledClause(clause as Segment['rules'][number]['clauses'][number], NO_SEGMENTS);
      });
    });
  }

  /** Included keys are in, then excluded keys are out, then a context matching any rule is in. */
  isMember(context: ContextRecord): boolean {
    const decision = this.membership(context);
    return decision >= 0 || decision === INCLUDED;
  }

  /** What decided membership: `INCLUDED`, `EXCLUDED`, `NO_RULE_MATCHED` or the matching rule's index. */
  membership(context: ContextRecord): number {
    const key = context.targetingKey;
    if (typeof key === 'string') {
      if (this.included.has(key)) return INCLUDED;
      if (this.excluded.has(key)) return EXCLUDED;
    }
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      if (firstFailingClause(rules[i]!, context) < 0) return i;
    }
    return NO_RULE_MATCHED;
  }
}

// Segment rules cannot name segments (checked above).
const NO_SEGMENTS: SegmentSource = { segment: () => undefined };

/** `CompiledSegment.membership` codes; a non-negative code is the index of the matching rule. */
export const INCLUDED = -1;
export const EXCLUDED = -2;
export const NO_RULE_MATCHED = -3;

function stringList(list: unknown, field: string): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((key) => typeof key === 'string')) {
    throw new ConfigError(`segment ${field} must be a list of strings`);
  }
  return list;
}
