import { FlagdCore } from '@openfeature/flagd-core';
import { listedKeys, units } from '../scenarios.mjs';

export const name = 'flagd-core';
export const packageName = '@openfeature/flagd-core';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function setup() {
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(
    JSON.stringify({
      flags: {
        s1: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
        s2: {
          state: 'ENABLED',
          variants: { on: true, off: false },
          defaultVariant: 'off',
          targeting: {
            fractional: [
              ['on', 20],
              ['off', 80],
            ],
          },
        },
        s3: {
          state: 'ENABLED',
          variants: { v1: 'v1', v2: 'v2', v3: 'v3' },
          defaultVariant: 'v1',
          targeting: {
            if: [
              { or: [{ '==': [{ var: 'plan' }, 'enterprise'] }, { in: [{ var: 'targetingKey' }, listedKeys] }] },
              'v3',
              {
                fractional: [
                  ['v1', 80],
                  ['v2', 20],
                ],
              },
            ],
          },
        },
      },
    }),
  );
  const contexts = units.map((unit) => ({ targetingKey: unit.key, plan: unit.plan }));
  return {
    contexts,
    S1: (context) => core.resolveBooleanEvaluation('s1', false, context, silent).value,
    S2: (context) => core.resolveBooleanEvaluation('s2', false, context, silent).value,
    S3: (context) => core.resolveStringEvaluation('s3', 'v1', context, silent).value,
  };
}
