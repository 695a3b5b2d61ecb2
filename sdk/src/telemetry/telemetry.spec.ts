import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../client/logger.js';
import { Telemetry } from './telemetry.js';
import type { EventsPayload } from './wire.js';

const silent: Logger = { warn: () => undefined, error: () => undefined, debug: () => undefined };

/** A stand-in for POST /api/v1/sdk/events that records payloads and answers `status`. */
class EventsEndpoint {
  readonly payloads: EventsPayload[] = [];
  status = 202;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<EventsEndpoint> {
    let endpoint: EventsEndpoint | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (endpoint!.status === 202) endpoint!.payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as EventsPayload);
        res.writeHead(endpoint!.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = new EventsEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/sdk/events`);
    return endpoint;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A port nothing listens on. */
const deadUrl = async (): Promise<string> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/api/v1/sdk/events`;
};

const target = (eventsUrl: string) => ({ eventsUrl, sdkKey: 'key', sdkName: 'signalbox-sdk-js/test', logger: silent });

describe('Telemetry', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });

  it('sends windows in the wire format with the SDK key', async () => {
    const endpoint = await EventsEndpoint.start();
    opened.push(endpoint);
    const telemetry = new Telemetry(target(endpoint.url), { flushIntervalMs: 60_000 });
    opened.push(telemetry);
    telemetry.record('etl.validate', 'on', 'step.duration_ms', 12.5);
    telemetry.recordEvaluation('etl.validate', 'on', 'STATIC');
    await telemetry.flush();
    expect(endpoint.payloads).toHaveLength(1);
    const [payload] = endpoint.payloads;
    expect(payload).toMatchObject({ sdk: 'signalbox-sdk-js/test', dropped: 0 });
    expect(payload!.batches[0]).toMatchObject({
      series: [
        {
          flag: 'etl.validate',
          variant: 'on',
          metric: 'step.duration_ms',
          count: 1,
          sum: 12.5,
          sumSquares: 156.25,
          errors: 0,
          histogram: { scheme: 'log2-16', buckets: { '57': 1 } },
        },
      ],
      evaluations: [{ flag: 'etl.validate', variant: 'on', reason: 'STATIC', count: 1 }],
    });
    expect(Date.parse(payload!.batches[0]!.windowEnd)).toBeGreaterThanOrEqual(Date.parse(payload!.batches[0]!.windowStart));
    await telemetry.flush();
    expect(endpoint.payloads).toHaveLength(1);
  });

  it('never blocks or throws when the server is down, keeps a bounded queue and counts what it dropped', async () => {
    const telemetry = new Telemetry(target(await deadUrl()), { flushIntervalMs: 60_000, maxQueuedBatches: 3 });
    opened.push(telemetry);
    for (let window = 0; window < 10; window++) {
      const started = performance.now();
      for (let i = 0; i < 1_000; i++) telemetry.record('f', 'on', 'm', i);
      expect(performance.now() - started).toBeLessThan(200);
      await telemetry.flush();
    }
    expect(telemetry.stats).toMatchObject({ queuedBatches: 3, droppedBatches: 7, sentBatches: 0 });
    expect(telemetry.stats.lastError).toMatch(/cannot send telemetry/);
  });

  it('reports the drops to the server once it is back, and sends the queued windows', async () => {
    const endpoint = await EventsEndpoint.start();
    opened.push(endpoint);
    endpoint.status = 503;
    const telemetry = new Telemetry(target(endpoint.url), { flushIntervalMs: 10, maxQueuedBatches: 2 });
    opened.push(telemetry);
    for (let window = 0; window < 4; window++) {
      telemetry.record('f', 'on', 'm', window);
      await telemetry.flush();
      // Skip the retry back-off between windows.
      (telemetry as unknown as { retryAt: number }).retryAt = 0;
    }
    expect(telemetry.stats).toMatchObject({ queuedBatches: 2, droppedBatches: 2 });
    endpoint.status = 202;
    await telemetry.flush();
    expect(endpoint.payloads).toHaveLength(1);
    expect(endpoint.payloads[0]!.dropped).toBe(2);
    expect(endpoint.payloads[0]!.batches.map((b) => b.series[0]!.sum)).toEqual([2, 3]);
    telemetry.record('f', 'on', 'm', 1);
    await telemetry.flush();
    expect(endpoint.payloads[1]!.dropped).toBe(0);
  });

  it('drops windows the server refuses as malformed instead of retrying them forever', async () => {
    const endpoint = await EventsEndpoint.start();
    opened.push(endpoint);
    endpoint.status = 400;
    const telemetry = new Telemetry(target(endpoint.url), { flushIntervalMs: 60_000 });
    opened.push(telemetry);
    telemetry.record('f', 'on', 'm', 1);
    await telemetry.flush();
    expect(telemetry.stats).toMatchObject({ queuedBatches: 0, droppedBatches: 1 });
  });

  it('stops sending when the SDK key is refused', async () => {
    const endpoint = await EventsEndpoint.start();
    opened.push(endpoint);
    endpoint.status = 401;
    const telemetry = new Telemetry(target(endpoint.url), { flushIntervalMs: 60_000 });
    opened.push(telemetry);
    telemetry.record('f', 'on', 'm', 1);
    await telemetry.flush();
    endpoint.status = 202;
    telemetry.record('f', 'on', 'm', 1);
    await telemetry.flush();
    expect(endpoint.payloads).toHaveLength(0);
  });

  it('closes within its timeout against a server that never answers', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    opened.push({ close: async () => void (hanging.closeAllConnections(), await new Promise((r) => hanging.close(r))) });
    const telemetry = new Telemetry(target(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}/api/v1/sdk/events`), { closeTimeoutMs: 200 });
    telemetry.record('f', 'on', 'm', 1);
    const started = Date.now();
    await telemetry.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('splits a window with many series into batches and aggregates without sending when sending is off', () => {
    const telemetry = new Telemetry(undefined, { maxSeriesPerBatch: 10 });
    for (let i = 0; i < 25; i++) telemetry.record('f', `v${i}`, 'm', i);
    const batches = telemetry.drain();
    expect(batches.map((b) => b.series.length)).toEqual([10, 10, 5]);
  });
});
