import type { ChangeMessage, RefusalMessage, ServerMessage } from '@signalbox/sdk/protocol';
import { describe, expect, it } from 'vitest';
import { type Downstream, DownstreamHub } from './downstream-hub.js';
import type { EncodedSnapshot, UpstreamLink } from './upstream-link.js';

const change = (sequence: number): ChangeMessage => ({ type: 'change', sequence, kind: 'flag', key: 'f', flag: null });

/** What the hub reads of a link: its sequence, recent changes and snapshot. */
const aLink = (sequence: number, recentFrom: number) => {
  let presenceReports = 0;
  const link = {
    sequence,
    hasConfig: sequence > 0,
    snapshot: (): EncodedSnapshot => ({ sequence, config: { sequence, flags: [], segments: [] }, json: '', etag: `"${sequence}"`, gzip: undefined }),
    changesAfter: (from: number) =>
      from === sequence ? [] : from + 1 < recentFrom || from > sequence ? undefined : Array.from({ length: sequence - from }, (_, i) => change(from + 1 + i)),
    reportPresenceFrom: () => undefined,
    presenceChanged: () => void presenceReports++,
    get presenceReports() {
      return presenceReports;
    },
  };
  return link as unknown as UpstreamLink & { presenceReports: number };
};

const aClient = (link: UpstreamLink, id: string, keyHash = 'k1') => {
  const received: ServerMessage[] = [];
  const closed: Array<RefusalMessage | undefined> = [];
  const downstream: Downstream = { id, keyHash, link, transport: 'sse', acked: 0, send: (m) => received.push(...m), close: (why) => closed.push(why) };
  return { downstream, received, closed };
};

describe('DownstreamHub', () => {
  it('resumes a client from memory with exactly the changes after its sequence', () => {
    const hub = new DownstreamHub();
    const link = aLink(10, 5);
    hub.attach(link);
    const client = aClient(link, 'a');
    hub.subscribe(client.downstream, 7);
    expect(client.received.map((m) => [m.type, m.sequence])).toEqual([
      ['change', 8],
      ['change', 9],
      ['change', 10],
    ]);
  });

  it('sends a snapshot to a client older than memory, ahead of the relay, or with nothing', () => {
    const hub = new DownstreamHub();
    const link = aLink(10, 5);
    hub.attach(link);
    for (const [id, from] of [
      ['old', 2],
      ['ahead', 12],
      ['new', 0],
    ] as const) {
      const client = aClient(link, id);
      hub.subscribe(client.downstream, from);
      expect(client.received.map((m) => [m.type, m.sequence])).toEqual([['snapshot', 10]]);
    }
  });

  it('sends nothing to a client already at the head, then every live message', () => {
    const hub = new DownstreamHub();
    const link = aLink(10, 5);
    hub.attach(link);
    const client = aClient(link, 'a');
    hub.subscribe(client.downstream, 10);
    expect(client.received).toEqual([]);
    hub.relay(link, [change(11)]);
    expect(client.received.map((m) => m.sequence)).toEqual([11]);
  });

  it('counts connections by the sequence each confirmed, and forgets closed ones', () => {
    const hub = new DownstreamHub();
    const link = aLink(10, 1);
    hub.attach(link);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => aClient(link, id));
    hub.subscribe(a!.downstream, 10);
    hub.subscribe(b!.downstream, 9);
    hub.subscribe(c!.downstream, 9);
    expect(hub.ack('b', 10)).toBe(true);
    expect(hub.ack('b', 3)).toBe(true);
    expect(hub.ack('nobody', 10)).toBe(false);
    expect(hub.histogram(link)).toEqual({ 9: 1, 10: 2 });
    hub.remove(c!.downstream);
    hub.remove(c!.downstream);
    expect(hub.histogram(link)).toEqual({ 10: 2 });
  });

  it('ends only the connections of revoked keys, telling them why', () => {
    const hub = new DownstreamHub();
    const link = aLink(10, 1);
    hub.attach(link);
    const revoked = aClient(link, 'a', 'old');
    const kept = aClient(link, 'b', 'new');
    hub.subscribe(revoked.downstream, 10);
    hub.subscribe(kept.downstream, 10);
    hub.endKeys(link, new Set(['old']));
    expect(revoked.closed).toEqual([{ error: 'UNAUTHENTICATED', message: 'The SDK key was revoked or rotated' }]);
    expect(kept.closed).toEqual([]);
    expect(hub.connections).toBe(1);
  });
});
