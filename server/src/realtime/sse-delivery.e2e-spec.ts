import { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { openStream } from '../../test/sse-stream.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';
import { SseHeartbeat, sseEncoder } from './sse-frames.js';

const STREAMS = 5;

describe('SSE delivery to many streams', () => {
  let t: TestApp;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'fanout', [{ key: 'development', name: 'Development' }])).sdkKeys.development!;
    await aBooleanFlag(t.http, t.admin, 'fanout', 'fanout.flag');
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => t.close());

  it('encodes a change once and writes the same bytes to every stream of the environment', async () => {
    const encode = vi.spyOn(sseEncoder, 'encode');
    const write = vi.spyOn(ServerResponse.prototype, 'write');
    const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream(t.url, sdkKey)));
    await Promise.all(streams.map((s) => s.waitFor((e) => e.event === 'snapshot')));

    await t.http.patch('/api/v1/projects/fanout/flags/fanout.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    const changes = await Promise.all(streams.map((s) => s.waitFor((e) => e.event === 'change' && e.data !== null)));
    expect(new Set(changes.map((c) => c.id)).size).toBe(1);

    const encodedOf = (event: string) => encode.mock.calls.flatMap((call, i) => (call[0] === event ? [encode.mock.results[i]!.value as Buffer] : []));
    // One hello per stream (each has its own connectionId), but one snapshot and one change for all.
    expect(encodedOf('hello')).toHaveLength(STREAMS);
    expect(encodedOf('snapshot')).toHaveLength(1);
    const [changeFrame] = encodedOf('change');
    expect(encodedOf('change')).toHaveLength(1);
    // The very same Buffer went to each response.
    expect(write.mock.calls.filter(([chunk]) => chunk === changeFrame)).toHaveLength(STREAMS);
    streams.forEach((s) => s.close());
  });

  it('keeps every open stream alive from one shared timer', async () => {
    const heartbeat = t.app.get(SseHeartbeat);
    heartbeat.intervalMs = 50;
    const timers = vi.spyOn(globalThis, 'setInterval');
    const controllers = Array.from({ length: STREAMS }, () => new AbortController());
    const received = await Promise.all(
      controllers.map(async (controller) => {
        const res = await fetch(`${t.url}/api/v1/sdk/stream`, { headers: bearer(sdkKey), signal: controller.signal });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let text = '';
        // Until a keep-alive comment arrives (the stream opens with a hello and a snapshot).
        while (!text.includes(': keep-alive\n\n')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        return text;
      }),
    );
    expect(received.every((text) => text.includes(': keep-alive\n\n'))).toBe(true);
    expect(timers.mock.calls.filter(([, ms]) => ms === 50)).toHaveLength(1);
    expect(heartbeat.size).toBe(STREAMS);
    controllers.forEach((c) => c.abort());
    await vi.waitFor(() => expect(heartbeat.size).toBe(0));
  });
});
