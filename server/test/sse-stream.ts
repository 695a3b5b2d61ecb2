/** One Server-Sent Event as the SDK stream sends it. */
export interface StreamEvent {
  event: string;
  id?: string;
  data: unknown;
}

/** A raw SSE client for tests: records every event, resolves `ended` when the server ends the stream. */
export interface SseStream {
  status: number;
  events: StreamEvent[];
  /** Resolves with the events so far once one matches (rejects after `timeoutMs`). */
  waitFor(predicate: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  /** Settles when the stream ends, from either side: 'ended' (the server closed it) or 'aborted'. */
  ended: Promise<'ended' | 'aborted'>;
  close(): void;
}

export const openStream = async (url: string, sdkKey: string, headers: Record<string, string> = {}): Promise<SseStream> => {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v1/sdk/stream`, { headers: { authorization: `Bearer ${sdkKey}`, ...headers }, signal: controller.signal });
  const events: StreamEvent[] = [];
  const waiters: Array<{ predicate: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }> = [];
  const record = (e: StreamEvent) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (!w.predicate(e)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  };
  const ended = (async (): Promise<'ended' | 'aborted'> => {
    if (!res.body) return 'ended';
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          );
          if (fields.event) record({ event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? 'null') });
        }
      }
    } catch {
      return controller.signal.aborted ? 'aborted' : 'ended';
    }
  })();
  return {
    status: res.status,
    events,
    ended,
    waitFor: (predicate, timeoutMs = 5000) => {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.id]))}`)),
          timeoutMs,
        );
        waiters.push({ predicate, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    close: () => controller.abort(),
  };
};
