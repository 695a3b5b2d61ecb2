import { EventEmitter } from 'node:events';
import { Unleash } from 'unleash-client';
import { model, unleashBootstrap } from '../../lib/sdk-environment.mjs';
import { listedKeys, units } from '../scenarios.mjs';

export const name = 'Unleash';
export const packageName = 'unleash-client';

/** An in-memory repository: the client evaluates these toggles and never fetches. */
class MemoryRepository extends EventEmitter {
  constructor(features, segments) {
    super();
    this.features = new Map(features.map((feature) => [feature.name, feature]));
    this.segments = new Map(segments.map((segment) => [segment.id, segment]));
  }
  getToggle(name) {
    return this.features.get(name);
  }
  getToggles() {
    return [...this.features.values()];
  }
  getTogglesWithSegmentData() {
    return this.getToggles();
  }
  getSegment(id) {
    return this.segments.get(id);
  }
  stop() {}
  async start() {
    this.emit('ready');
    this.emit('changed', this.getToggles());
  }
}

const variant = (name, weight) => ({ name, weight, weightType: 'variable', stickiness: 'userId', payload: { type: 'string', value: name } });

export async function setup() {
  // The three scenario toggles sit among the 200 of the other SDK benches.
  const background = unleashBootstrap(model());
  const repository = new MemoryRepository(
    [
      ...background.data,
      { name: 's1', enabled: true, strategies: [{ name: 'default', parameters: {}, constraints: [] }] },
      {
        name: 's2',
        enabled: true,
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '20', stickiness: 'userId', groupId: 's2' }, constraints: [] }],
      },
      {
        name: 's3',
        enabled: true,
        strategies: [
          { name: 'default', parameters: {}, constraints: [{ contextName: 'plan', operator: 'IN', values: ['enterprise'] }], variants: [variant('v3', 1000)] },
          { name: 'default', parameters: {}, constraints: [{ contextName: 'userId', operator: 'IN', values: listedKeys }], variants: [variant('v3', 1000)] },
          {
            name: 'flexibleRollout',
            parameters: { rollout: '100', stickiness: 'userId', groupId: 's3' },
            constraints: [],
            variants: [variant('v1', 800), variant('v2', 200)],
          },
        ],
      },
    ],
    background.segments,
  );
  const client = new Unleash({
    appName: 'signalbox-bench',
    url: 'http://127.0.0.1:9/api/',
    disableMetrics: true,
    repository,
    skipInstanceCountWarning: true,
  });
  client.on('error', () => {});
  client.on('warn', () => {});
  // The client starts the repository on construction; `ready` follows on the next tick.
  await new Promise((resolve) => client.once('ready', resolve));
  const contexts = units.map((unit) => ({ userId: unit.key, properties: { plan: unit.plan } }));
  return {
    contexts,
    close: () => client.destroy(),
    S1: (context) => client.isEnabled('s1', context),
    S2: (context) => client.isEnabled('s2', context),
    S3: (context) => client.getVariant('s3', context).name,
  };
}
