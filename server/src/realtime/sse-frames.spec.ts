import type { ChangeMessage, EnvironmentConfig, SnapshotMessage } from '@signalbox/sdk/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HeartbeatStream, SseHeartbeat, sseEncoder, sseFrameOf, sseFramesOf, sseRefusalFrame } from './sse-frames.js';

const change = (sequence: number): ChangeMessage => ({ type: 'change', sequence, kind: 'flag', key: 'a', flag: null });
const fakeStream = () => {
  const chunks: Buffer[] = [];
  const stream = { writableEnded: false, destroyed: false, chunks, write: (chunk: Buffer) => chunks.push(chunk) };
  return stream satisfies HeartbeatStream & { chunks: Buffer[] };
};

describe('SSE frames', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('encodes a message once, as the event the SDK reads, and hands out the same Buffer after that', () => {
    const encode = vi.spyOn(sseEncoder, 'encode');
    const message = change(7);
    const frames = Array.from({ length: 1000 }, () => sseFrameOf(message));
    expect(encode).toHaveBeenCalledTimes(1);
    expect(new Set(frames).size).toBe(1);
    expect(frames[0]!.toString()).toBe(`id: 7\nevent: change\ndata: ${JSON.stringify(message)}\n\n`);
  });

  it("encodes a config's snapshot once, though each connection gets its own snapshot message", () => {
    const encode = vi.spyOn(sseEncoder, 'encode');
    const config = { sequence: 3, flags: [], segments: [] } as unknown as EnvironmentConfig;
    const snapshot = (): SnapshotMessage => ({ type: 'snapshot', sequence: 3, config, confirm: true });
    expect(sseFrameOf(snapshot())).toBe(sseFrameOf(snapshot()));
    expect(encode).toHaveBeenCalledTimes(1);
  });

  it('joins a catch-up into one write and encodes a refusal once for every stream it ends', () => {
    const [a, b] = [change(1), change(2)];
    expect(sseFramesOf([a, b]).toString()).toBe(sseFrameOf(a).toString() + sseFrameOf(b).toString());
    expect(sseFramesOf([a])).toBe(sseFrameOf(a));
    const why = { error: 'UNAUTHENTICATED' as const, message: 'revoked' };
    expect(sseRefusalFrame(why)).toBe(sseRefusalFrame(why));
    expect(sseRefusalFrame(why).toString()).toBe(`event: refused\ndata: ${JSON.stringify(why)}\n\n`);
  });
});

describe('the shared SSE heartbeat', () => {
  afterEach(() => vi.useRealTimers());

  it('reaches every open stream from one timer, skips ended ones, and stops when the last closes', () => {
    vi.useFakeTimers();
    const timers = vi.spyOn(globalThis, 'setInterval');
    const heartbeat = new SseHeartbeat(100);
    const streams = Array.from({ length: 50 }, fakeStream);
    streams.forEach((s) => heartbeat.add(s));
    expect(timers).toHaveBeenCalledTimes(1);
    streams[0]!.writableEnded = true;
    vi.advanceTimersByTime(250);
    expect(streams[0]!.chunks).toHaveLength(0);
    for (const s of streams.slice(1)) expect(s.chunks.map(String)).toEqual([': keep-alive\n\n', ': keep-alive\n\n']);
    // The same bytes for all.
    expect(new Set(streams.slice(1).map((s) => s.chunks[0])).size).toBe(1);
    streams.forEach((s) => heartbeat.delete(s));
    heartbeat.delete(streams[0]!);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('survives a stream that throws on write', () => {
    const heartbeat = new SseHeartbeat(100);
    const good = fakeStream();
    heartbeat.add({
      writableEnded: false,
      destroyed: false,
      write: () => {
        throw new Error('gone');
      },
    });
    heartbeat.add(good);
    heartbeat.beat();
    expect(good.chunks).toHaveLength(1);
    heartbeat.stop();
  });
});
