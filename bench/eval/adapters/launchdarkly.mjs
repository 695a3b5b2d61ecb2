import { init } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import { launchdarklyData, model } from '../../lib/sdk-environment.mjs';
import { listedKeys, units } from '../scenarios.mjs';

export const name = 'LaunchDarkly';
export const packageName = '@launchdarkly/node-server-sdk';
export const isAsync = true;

const silent = { debug() {}, info() {}, warn() {}, error() {} };
// Nothing listens here: no request can leave the machine even if one were attempted.
const NOWHERE = 'http://127.0.0.1:9';

export async function setup() {
  const testData = new TestData();
  // The three scenario flags sit among the 200 of the other SDK benches.
  const background = launchdarklyData(model());
  for (const segment of background.segments) testData.usePreconfiguredSegment(segment);
  for (const flag of background.flags) testData.usePreconfiguredFlag(flag);
  testData.update(testData.flag('s1').booleanFlag().variationForAll(true));
  testData.usePreconfiguredFlag({
    key: 's2',
    version: 1,
    on: true,
    salt: 's2-salt',
    variations: [true, false],
    offVariation: 1,
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: 20_000 },
          { variation: 1, weight: 80_000 },
        ],
      },
    },
    targets: [],
    rules: [],
    prerequisites: [],
  });
  testData.usePreconfiguredFlag({
    key: 's3',
    version: 1,
    on: true,
    salt: 's3-salt',
    variations: ['v1', 'v2', 'v3'],
    offVariation: 0,
    targets: [{ values: listedKeys, variation: 2 }],
    rules: [{ id: 'enterprise', clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'], negate: false }], variation: 2 }],
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: 80_000 },
          { variation: 1, weight: 20_000 },
        ],
      },
    },
    prerequisites: [],
  });
  const client = init('sdk-offline-bench', {
    updateProcessor: testData.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    baseUri: NOWHERE,
    streamUri: NOWHERE,
    eventsUri: NOWHERE,
    logger: silent,
  });
  await client.waitForInitialization({ timeout: 10 });
  const contexts = units.map((unit) => ({ kind: 'user', key: unit.key, plan: unit.plan }));
  return {
    contexts,
    close: () => client.close(),
    S1: (context) => client.variation('s1', context, false),
    S2: (context) => client.variation('s2', context, false),
    S3: (context) => client.variation('s3', context, 'v1'),
  };
}
