import { OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../src/client/logger.js';
import { SignalboxProvider } from '../src/openfeature/index.js';
import { createFlags } from '../src/pipeline/index.js';
import { aFlag, anEnvironment } from './builders.js';
import { eventually, ProtocolHarness } from './protocol-harness.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };
let domains = 0;

describe('SignalboxProvider', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  it('serves Signalbox reasons and variants through OpenFeature, KILLED included', async () => {
    const provider = new SignalboxProvider({
      url: 'http://127.0.0.1:9',
      sdkKey: 'key',
      transport: 'none',
      logger: silent,
      bootstrap: anEnvironment([aFlag('etl.validate').build(), aFlag('gpu.step').with({ killed: true }).build()]),
    });
    const domain = `provider-${++domains}`;
    await OpenFeature.setProviderAndWait(domain, provider);
    open.push({ close: () => OpenFeature.clearProviders(domain) });
    const client = OpenFeature.getClient(domain);
    expect(provider.metadata.name).toBe('signalbox');
    expect(await client.getBooleanDetails('etl.validate', false)).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
    expect(await client.getBooleanDetails('gpu.step', true)).toMatchObject({ value: false, variant: 'off', reason: 'KILLED' });
    expect(await client.getStringDetails('etl.validate', 'x')).toMatchObject({ value: 'x', reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  });

  it('emits configuration changes with their keys, STALE when the connection drops, and closes its client', async () => {
    const harness = await ProtocolHarness.start(anEnvironment([aFlag('etl.validate').build()]));
    open.push(harness);
    const provider = new SignalboxProvider({ url: harness.url, sdkKey: 'good-key', logger: silent, telemetry: { send: false } });
    const domain = `provider-${++domains}`;
    await OpenFeature.setProviderAndWait(domain, provider);
    const client = OpenFeature.getClient(domain);
    const changed: string[][] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => changed.push(details?.flagsChanged ?? []));
    harness.publishFlag('etl.validate', aFlag('etl.validate').with({ on: false, version: 2 }).build());
    await eventually(() => changed.length === 1);
    expect(changed).toEqual([['etl.validate']]);
    expect(await client.getBooleanValue('etl.validate', true)).toBe(false);

    harness.dropConnections();
    await eventually(() => client.providerStatus === ProviderStatus.STALE);
    await OpenFeature.clearProviders(domain);
    expect(provider.client.status).toBe('offline');
  });

  it('records tracking events as metrics when it has the pipeline flags', () => {
    const flags = createFlags({ url: 'http://127.0.0.1:9', sdkKey: 'key', transport: 'none', logger: silent, bootstrap: anEnvironment([]) });
    open.push(flags);
    const provider = new SignalboxProvider({ client: flags });
    provider.track('checkout', { targetingKey: 'u1' }, { value: 42 });
    provider.track('signup', {}, {});
    const series = flags.telemetry.drain()[0]!.series;
    expect(series).toEqual(
      expect.arrayContaining([expect.objectContaining({ metric: 'checkout', sum: 42 }), expect.objectContaining({ metric: 'signup', sum: 1 })]),
    );
  });
});
