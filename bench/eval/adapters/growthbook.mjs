import { GrowthBookClient } from '@growthbook/growthbook';
import { growthbookPayload, model } from '../../lib/sdk-environment.mjs';
import { listedKeys, units } from '../scenarios.mjs';

export const name = 'GrowthBook';
export const packageName = '@growthbook/growthbook';

export async function setup() {
  // Multi-user client: one shared feature set, attributes passed per evaluation.
  const client = new GrowthBookClient({ trackingCallback: () => {} });
  // The three scenario features sit among the 200 of the other SDK benches.
  const background = growthbookPayload(model());
  await client.init({
    payload: {
      savedGroups: background.savedGroups,
      features: {
        ...background.features,
        s1: { defaultValue: true },
        s2: { defaultValue: false, rules: [{ force: true, coverage: 0.2, hashAttribute: 'id' }] },
        s3: {
          defaultValue: 'v1',
          rules: [
            { condition: { $or: [{ plan: 'enterprise' }, { id: { $in: listedKeys } }] }, force: 'v3' },
            { key: 's3-split', variations: ['v1', 'v2'], weights: [0.8, 0.2], coverage: 1, hashAttribute: 'id' },
          ],
        },
      },
    },
  });
  const contexts = units.map((unit) => ({ attributes: { id: unit.key, plan: unit.plan } }));
  return {
    contexts,
    S1: (context) => client.isOn('s1', context),
    S2: (context) => client.isOn('s2', context),
    S3: (context) => client.getFeatureValue('s3', 'v1', context),
  };
}
