import { describe, expect, it } from 'vitest';
import { aFlag, anEnvironment, clause, split } from '../../test/builders.js';
import { compileEnvironment } from './compile.js';
import { evaluate, evaluateAll } from './evaluate.js';
import type { EvaluationContext, EvaluationResult, FlagConfig, FlagKind, FlagValue } from './types.js';

interface ReasonCase {
  description: string;
  flags: FlagConfig[];
  context?: EvaluationContext;
  defaultValue?: FlagValue;
  expectedKind?: FlagKind;
  flagKey?: string;
  expected: EvaluationResult;
}

const everyone = aFlag('f');
const user = { targetingKey: 'user-1', plan: 'pro' };
const enterpriseRule = (b: ReturnType<typeof aFlag>) => b.withRule({ variant: 'on' }, clause('plan', 'in', ['enterprise']));

const CASES: ReasonCase[] = [
  {
    description: 'serves the caller default with FLAG_NOT_FOUND for an unknown flag',
    flags: [everyone.build()],
    flagKey: 'missing',
    expected: { value: 'fallback', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
    defaultValue: 'fallback',
  },
  {
    description: 'serves the off variant when the flag is killed',
    flags: [aFlag('f').with({ killed: true }).build()],
    expected: { value: false, variant: 'off', reason: 'KILLED' },
  },
  {
    description: 'lets the kill switch override an individual target',
    flags: [aFlag('f').with({ killed: true }).withTarget('on', 'user-1').build()],
    expected: { value: false, variant: 'off', reason: 'KILLED' },
  },
  {
    description: 'lets the kill switch override a flag that is off',
    flags: [aFlag('f').with({ killed: true, on: false }).build()],
    expected: { value: false, variant: 'off', reason: 'KILLED' },
  },
  {
    description: 'serves the caller default with KILLED when there is no off variant',
    flags: [aFlag('f').with({ killed: true, offVariant: null }).build()],
    defaultValue: true,
    expected: { value: true, reason: 'KILLED' },
  },
  {
    description: 'serves the off variant when the flag is off',
    flags: [aFlag('f').with({ on: false }).withTarget('on', 'user-1').build()],
    expected: { value: false, variant: 'off', reason: 'DISABLED' },
  },
  {
    description: 'serves the caller default with DISABLED when there is no off variant',
    flags: [aFlag('f').with({ on: false, offVariant: null }).build()],
    defaultValue: true,
    expected: { value: true, reason: 'DISABLED' },
  },
  {
    description: 'serves the off variant when a prerequisite serves another variant',
    flags: [
      aFlag('f').withPrerequisite('p', 'on').withTarget('on', 'user-1').build(),
      aFlag('p')
        .with({ defaultRule: { variant: 'off' } })
        .build(),
    ],
    expected: { value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' },
  },
  {
    description: 'fails a prerequisite that is off even when its off variant is the required one',
    flags: [aFlag('f').withPrerequisite('p', 'off').build(), aFlag('p').with({ on: false }).build()],
    expected: { value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' },
  },
  {
    description: 'fails a prerequisite that is killed',
    flags: [aFlag('f').withPrerequisite('p', 'off').build(), aFlag('p').with({ killed: true }).build()],
    expected: { value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' },
  },
  {
    description: 'fails a prerequisite on a flag that does not exist',
    flags: [aFlag('f').withPrerequisite('ghost', 'on').build()],
    expected: { value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' },
  },
  {
    description: 'fails prerequisites that form a cycle instead of recursing forever',
    flags: [aFlag('f').withPrerequisite('g', 'on').build(), aFlag('g').withPrerequisite('f', 'on').build()],
    expected: { value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' },
  },
  {
    description: 'goes on evaluating when every prerequisite serves its required variant',
    flags: [
      aFlag('f').withPrerequisite('p', 'on').withPrerequisite('q', 'on').build(),
      aFlag('p').build(),
      aFlag('q')
        .withTarget('on', 'user-1')
        .with({ defaultRule: { variant: 'off' } })
        .build(),
    ],
    expected: { value: true, variant: 'on', reason: 'STATIC' },
  },
  {
    description: 'serves an individually targeted variant with TARGETING_MATCH',
    flags: [aFlag('f').withTarget('off', 'user-1').build()],
    expected: { value: false, variant: 'off', reason: 'TARGETING_MATCH' },
  },
  {
    description: 'checks individual targets before rules',
    flags: [aFlag('f').withTarget('off', 'user-1').withRule({ variant: 'on' }).build()],
    expected: { value: false, variant: 'off', reason: 'TARGETING_MATCH' },
  },
  {
    description: 'serves the first matching rule with its index',
    flags: [
      enterpriseRule(aFlag('f'))
        .withRule({ variant: 'off' }, clause('plan', 'in', ['pro']))
        .withRule({ variant: 'on' })
        .build(),
    ],
    expected: { value: false, variant: 'off', reason: 'TARGETING_MATCH', ruleIndex: 1 },
  },
  {
    description: "serves a matching rule's rollout with SPLIT and its index",
    flags: [
      aFlag('f')
        .withRule(split({ on: 100_000, off: 0 }), clause('plan', 'in', ['pro']))
        .build(),
    ],
    expected: { value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 },
  },
  {
    description: 'serves the default rule with DEFAULT when no rule matches',
    flags: [
      enterpriseRule(aFlag('f'))
        .with({ defaultRule: { variant: 'off' } })
        .build(),
    ],
    expected: { value: false, variant: 'off', reason: 'DEFAULT' },
  },
  {
    description: 'serves the default rule with DEFAULT when there are targets but none match',
    flags: [aFlag('f').withTarget('off', 'someone-else').build()],
    expected: { value: true, variant: 'on', reason: 'DEFAULT' },
  },
  {
    description: 'serves the default rule with STATIC when there are no targets and no rules',
    flags: [aFlag('f').build()],
    expected: { value: true, variant: 'on', reason: 'STATIC' },
  },
  {
    description: 'serves the default rollout with SPLIT and no rule index',
    flags: [
      aFlag('f')
        .with({ defaultRule: split({ off: 0, on: 100_000 }) })
        .build(),
    ],
    expected: { value: true, variant: 'on', reason: 'SPLIT' },
  },
  {
    description: 'serves the caller default with DEFAULT when the default rule is empty',
    flags: [enterpriseRule(aFlag('f')).with({ defaultRule: null }).build()],
    defaultValue: 'fallback',
    expected: { value: 'fallback', reason: 'DEFAULT' },
  },
  {
    description: 'serves the caller default with STATIC when an empty default rule is all there is',
    flags: [aFlag('f').with({ defaultRule: null }).build()],
    defaultValue: 'fallback',
    expected: { value: 'fallback', reason: 'STATIC' },
  },
  {
    description: 'serves the off variant with TARGETING_KEY_MISSING when the unit is missing',
    flags: [
      aFlag('f')
        .with({ defaultRule: split({ on: 50_000, off: 50_000 }) })
        .build(),
    ],
    context: { plan: 'pro' },
    expected: { value: false, variant: 'off', reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' },
  },
  {
    description: 'serves the caller default with TARGETING_KEY_MISSING when the unit is missing and there is no off variant',
    flags: [
      aFlag('f')
        .with({ offVariant: null, defaultRule: split({ on: 50_000, off: 50_000 }, 'runId') })
        .build(),
    ],
    defaultValue: true,
    expected: { value: true, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' },
  },
  {
    description: 'serves the caller default with TYPE_MISMATCH when the caller expects another kind',
    flags: [aFlag('f').build()],
    expectedKind: 'string',
    defaultValue: 'fallback',
    expected: { value: 'fallback', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
  },
  {
    description: 'checks the type before the kill switch',
    flags: [aFlag('f').with({ killed: true }).build()],
    expectedKind: 'number',
    defaultValue: 0,
    expected: { value: 0, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
  },
  {
    description: 'serves the flag when the expected kind matches',
    flags: [
      aFlag('f')
        .withKind('number', { low: 1, high: 2 })
        .with({ offVariant: 'low', defaultRule: { variant: 'high' } })
        .build(),
    ],
    expectedKind: 'number',
    defaultValue: 0,
    expected: { value: 2, variant: 'high', reason: 'STATIC' },
  },
  {
    description: 'serves the caller default with GENERAL when a rule names an unknown variant',
    flags: [aFlag('f').withRule({ variant: 'ghost' }).build()],
    defaultValue: true,
    expected: { value: true, reason: 'ERROR', errorCode: 'GENERAL' },
  },
  {
    description: 'serves the caller default with GENERAL when the off variant is unknown',
    flags: [aFlag('f').with({ on: false, offVariant: 'ghost' }).build()],
    defaultValue: true,
    expected: { value: true, reason: 'ERROR', errorCode: 'GENERAL' },
  },
  {
    description: 'serves the caller default with PARSE_ERROR when rollout weights do not sum to 100000',
    flags: [
      aFlag('f')
        .with({ defaultRule: split({ on: 50_000, off: 40_000 }) })
        .build(),
    ],
    defaultValue: true,
    expected: { value: true, reason: 'ERROR', errorCode: 'PARSE_ERROR' },
  },
  {
    description: 'serves the caller default with PARSE_ERROR when a variant value does not match the kind',
    flags: [aFlag('f').withKind('boolean', { on: 'yes', off: false }).build()],
    defaultValue: true,
    expected: { value: true, reason: 'ERROR', errorCode: 'PARSE_ERROR' },
  },
  {
    description: 'still honours the kill switch when a later rule cannot be read',
    flags: [
      aFlag('f')
        .with({ killed: true })
        .withRule({ variant: 'on' }, { attribute: 'x', op: 'nope' } as never)
        .build(),
    ],
    expected: { value: false, variant: 'off', reason: 'KILLED' },
  },
];

describe('evaluate: reasons in evaluation order', () => {
  it.each(CASES)('$description', ({ flags, context, defaultValue, expectedKind, flagKey, expected }) => {
    const environment = compileEnvironment(anEnvironment(flags));
    const result = evaluate(environment, flagKey ?? 'f', context ?? user, defaultValue ?? false, expectedKind);
    const { errorMessage, ...comparable } = result;
    expect(comparable).toEqual(expected);
    // Every error carries a message for logs; messages are not part of the contract.
    expect(errorMessage !== undefined).toBe(expected.errorCode !== undefined);
  });
});

describe('evaluate', () => {
  it('serves json values as frozen copies the caller cannot change', () => {
    const value = { model: 'v2', thresholds: [0.1, 0.2] };
    const environment = compileEnvironment(anEnvironment([aFlag('f').withKind('json', { on: value, off: null }).build()]));
    const result = evaluate(environment, 'f', user, null, 'json');
    expect(result.value).toEqual(value);
    expect(Object.isFrozen(result.value)).toBe(true);
    value.model = 'changed';
    expect(evaluate(environment, 'f', user, null).value).toEqual({ model: 'v2', thresholds: [0.1, 0.2] });
  });

  it('reads contexts that are not objects as empty contexts', () => {
    const environment = compileEnvironment(
      anEnvironment([
        aFlag('f')
          .with({ defaultRule: split({ on: 50_000, off: 50_000 }) })
          .build(),
      ]),
    );
    expect(evaluate(environment, 'f', 'garbage' as never, true).errorCode).toBe('TARGETING_KEY_MISSING');
    expect(evaluate(environment, 'f', undefined, true).errorCode).toBe('TARGETING_KEY_MISSING');
  });

  it('reports GENERAL instead of throwing when a context getter throws', () => {
    const environment = compileEnvironment(
      anEnvironment([
        aFlag('f')
          .withRule({ variant: 'off' }, clause('plan', 'in', ['x']))
          .build(),
      ]),
    );
    const context = Object.defineProperty({}, 'plan', {
      get: () => {
        throw new Error('boom');
      },
    });
    expect(evaluate(environment, 'f', context, true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it('reports GENERAL instead of throwing when given something that is not a compiled environment', () => {
    expect(evaluate({} as never, 'f', user, true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'GENERAL' });
  });
});

describe('evaluateAll', () => {
  it('evaluates every flag for the context, with null where a caller default would be served', () => {
    const environment = compileEnvironment(
      anEnvironment([aFlag('a').build(), aFlag('b').with({ killed: true, offVariant: null }).build(), aFlag('c').withTarget('off', 'user-1').build()]),
    );
    expect(evaluateAll(environment, user)).toEqual({
      a: { value: true, variant: 'on', reason: 'STATIC' },
      b: { value: null, reason: 'KILLED' },
      c: { value: false, variant: 'off', reason: 'TARGETING_MATCH' },
    });
  });
});
