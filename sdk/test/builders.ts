import type {
  AttributeClause,
  Clause,
  EnvironmentConfig,
  FlagConfig,
  FlagKind,
  FlagValue,
  Rollout,
  Rule,
  Segment,
  SegmentClause,
  Serve,
  Variant,
} from '../src/core/types.js';

/** A boolean flag that is on and serves `on` to everyone, ready to be varied by the `with` methods. */
export class FlagBuilder {
  private config: FlagConfig;

  constructor(key: string) {
    this.config = {
      key,
      kind: 'boolean',
      salt: `${key}-salt`,
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
      version: 1,
      on: true,
      killed: false,
      offVariant: 'off',
      targets: [],
      rules: [],
      defaultRule: { variant: 'on' },
      prerequisites: [],
    };
  }

  withKind(kind: FlagKind, variants: Record<string, FlagValue>): this {
    this.config.kind = kind;
    this.config.variants = Object.entries(variants).map(([key, value]): Variant => ({ key, value }));
    return this;
  }

  with(changes: Partial<FlagConfig>): this {
    this.config = { ...this.config, ...changes };
    return this;
  }

  withTarget(variant: string, ...values: string[]): this {
    this.config.targets.push({ variant, values });
    return this;
  }

  withRule(serve: Serve, ...clauses: Clause[]): this {
    this.config.rules.push({ clauses, serve } satisfies Rule);
    return this;
  }

  withPrerequisite(flag: string, variant: string): this {
    this.config.prerequisites.push({ flag, variant });
    return this;
  }

  build(): FlagConfig {
    return structuredClone(this.config);
  }
}

export function aFlag(key = 'flag'): FlagBuilder {
  return new FlagBuilder(key);
}

export function clause(attribute: string, op: AttributeClause['op'], values: AttributeClause['values'], negate = false): AttributeClause {
  return negate ? { attribute, op, values, negate } : { attribute, op, values };
}

export function inSegments(...segments: string[]): SegmentClause {
  return { op: 'segment', segments };
}

export function split(weights: Record<string, number>, bucketBy?: string): { rollout: Rollout } {
  const variants = Object.entries(weights).map(([variant, weight]) => ({ variant, weight }));
  return { rollout: bucketBy === undefined ? { variants } : { bucketBy, variants } };
}

export function aSegment(key: string, changes: Partial<Segment> = {}): Segment {
  return { key, included: [], excluded: [], rules: [], ...changes };
}

export function anEnvironment(flags: FlagConfig[], segments: Segment[] = []): EnvironmentConfig {
  return { sequence: 1, flags, segments };
}
