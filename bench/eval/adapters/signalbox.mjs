import { compileEnvironment, evaluate } from '@signalbox/sdk/core';
import { model, signalboxConfig } from '../../lib/sdk-environment.mjs';
import { listedKeys, units } from '../scenarios.mjs';

const BOOLEAN = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

function flag(key, overrides) {
  return {
    key,
    kind: 'boolean',
    salt: `${key}-salt`,
    variants: BOOLEAN,
    version: 1,
    on: true,
    killed: false,
    offVariant: 'off',
    targets: [],
    rules: [],
    defaultRule: { variant: 'on' },
    prerequisites: [],
    ...overrides,
  };
}

export const name = 'Signalbox';
export const packageName = '@signalbox/sdk';

export async function setup() {
  // The three scenario flags sit in the 200-flag environment the other SDK benches use.
  const background = signalboxConfig(model());
  const environment = compileEnvironment({
    sequence: 1,
    segments: background.segments,
    flags: [
      ...background.flags,
      flag('s1', {}),
      flag('s2', {
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'on', weight: 20_000 },
              { variant: 'off', weight: 80_000 },
            ],
          },
        },
      }),
      flag('s3', {
        kind: 'string',
        variants: [
          { key: 'v1', value: 'v1' },
          { key: 'v2', value: 'v2' },
          { key: 'v3', value: 'v3' },
        ],
        offVariant: 'v1',
        targets: [{ variant: 'v3', values: listedKeys }],
        rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v3' } }],
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 80_000 },
              { variant: 'v2', weight: 20_000 },
            ],
          },
        },
      }),
    ],
  });
  if (environment.problems.length > 0) throw new Error(JSON.stringify(environment.problems));
  const contexts = units.map((unit) => ({ targetingKey: unit.key, plan: unit.plan }));
  return {
    contexts,
    S1: (context) => evaluate(environment, 's1', context, false, 'boolean').value,
    S2: (context) => evaluate(environment, 's2', context, false, 'boolean').value,
    S3: (context) => evaluate(environment, 's3', context, 'v1', 'string').value,
  };
}
