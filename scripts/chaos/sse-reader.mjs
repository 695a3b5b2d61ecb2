// The harness's own SSE client of GET /api/v1/sdk/stream: parses `hello`, `snapshot`, `change`
// and `refused` events, applies them to a config of its own, acknowledges what it applied, and
// after every drop resumes with Last-Event-ID. It records each resume and what answered it, so
// the checks can tell a snapshot the README does not allow (the log still had the missed
// changes) from one it does.
import { flagValue, ObservedClient } from './observed-client.mjs';

const IDLE_TIMEOUT_MS = 40_000; // the server sends a keep-alive comment every 15 s
const ACK_EVERY_MS = 50;
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 5_000;

/** Splits an SSE byte stream into events ({ id, event, data }); comments come back as { comment }. */
export async function* sseEvents(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { data: [] };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length > 0 || event.event !== undefined) yield { id: event.id, event: event.event ?? 'message', data: event.data.join('\n') };
        event = { data: [] };
        continue;
      }
      if (line.startsWith(':')) {
        yield { comment: line.slice(1).trim() };
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') event.data.push(value);
      else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
    }
  }
}

/**
 * `dropEveryMs` (with `rng`): the reader also cuts its own stream every so often (±50 %), as a
 * proxy or a flaky network would, so resumes happen while changes are being written, not only
 * when an instance dies. 0: never.
 */
export const startSseReader = ({ id, instance, sdkKey, dropEveryMs = 0, rng = Math.random }) => {
  const watch = new ObservedClient(id, instance, 'sse');
  const flags = new Map(); // key → FlagConfig
  const resumes = [];
  const gaps = [];
  const refusals = [];
  let closed = false;
  let controller;
  let connectionId;
  let pendingAck;
  let ackTimer;
  let attempt = 0;
  let drops = 0;
  let dropping = true;
  let dropTimer;

  const syncFlags = () => {
    watch.flags = new Map([...flags].map(([key, config]) => [key, flagValue(config)]));
  };

  const ack = () => {
    ackTimer = undefined;
    if (!connectionId || pendingAck === undefined) return;
    const body = { connectionId, sequence: pendingAck };
    pendingAck = undefined;
    fetch(`${instance.url}/api/v1/sdk/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  };
  const scheduleAck = (sequence) => {
    pendingAck = sequence;
    ackTimer ??= setTimeout(ack, ACK_EVERY_MS);
  };

  /** Applies a snapshot or change event; returns why the connection must end, if it must. */
  const apply = (event, sequence, data, resume) => {
    if (resume?.answer === 'no data')
      Object.assign(resume, event === 'snapshot' ? { answer: 'snapshot', snapshotSequence: sequence } : { answer: 'changes', firstChange: sequence });
    if (event === 'snapshot') {
      watch.observeSequence(sequence, Date.now(), 'snapshot event id');
      flags.clear();
      for (const flag of data.config?.flags ?? []) flags.set(flag.key, flag);
    } else {
      if (sequence <= watch.sequence) {
        // Strictly increasing ids are promised: an old one is recorded (a regression if lower), not applied.
        watch.observeSequence(sequence, Date.now(), 'change event id');
        return undefined;
      }
      if (sequence !== watch.sequence + 1) {
        gaps.push({ time: Date.now(), held: watch.sequence, got: sequence });
        watch.event(`gap: held ${watch.sequence}, got ${sequence}; reconnecting for a snapshot`);
        return { why: 'gap', snapshot: true };
      }
      watch.observeSequence(sequence, Date.now(), 'change event id');
      if (data.kind === 'flag') {
        if (data.flag === null) flags.delete(data.key);
        else flags.set(data.key, data.flag);
      }
    }
    attempt = 0;
    syncFlags();
    scheduleAck(watch.sequence);
    return undefined;
  };

  /** One connection: resolves when it ends, with why, and whether to ask for a snapshot next. */
  const connectOnce = async (resumeFrom) => {
    controller = new AbortController();
    const headers = { authorization: `Bearer ${sdkKey}`, accept: 'text/event-stream' };
    if (resumeFrom > 0) headers['last-event-id'] = String(resumeFrom);
    let idle;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error('idle')), IDLE_TIMEOUT_MS);
    };
    const dropLater = () => {
      if (dropEveryMs <= 0 || !dropping) return;
      dropTimer = setTimeout(
        () => {
          drops++;
          controller.abort(new Error('dropped by the harness'));
        },
        Math.round(dropEveryMs * (0.5 + rng())),
      );
    };
    touch();
    // 'no data' stays when the stream opened and nothing was missed (it was at the head).
    const resume = resumeFrom > 0 ? { time: Date.now(), from: resumeFrom, answer: 'not connected' } : undefined;
    if (resume) resumes.push(resume);
    try {
      const response = await fetch(`${instance.url}/api/v1/sdk/stream?client=chaos-sse-reader`, { headers, signal: controller.signal });
      if (response.status !== 200) {
        const text = await response.text().catch(() => '');
        watch.event(`stream answered ${response.status}: ${text.slice(0, 200)}`);
        if (resume) resume.answer = `HTTP ${response.status}`;
        return { why: `HTTP ${response.status}`, retryAfterMs: Number(response.headers.get('retry-after')) * 1000 || undefined };
      }
      for await (const message of sseEvents(response.body)) {
        touch();
        if (message.comment !== undefined) continue;
        let data;
        try {
          data = message.data ? JSON.parse(message.data) : {};
        } catch {
          watch.event(`unreadable ${message.event} event`);
          continue;
        }
        if (message.event === 'hello') {
          connectionId = data.connectionId;
          watch.connected = true;
          watch.observeStatus('ready');
          if (resume) resume.answer = 'no data';
          dropLater();
        } else if (message.event === 'refused') {
          refusals.push({ time: Date.now(), ...data });
          watch.event(`refused: ${JSON.stringify(data)}`);
          return { why: `refused ${data.error}`, retryAfterMs: data.retryAfterMs };
        } else if (message.event === 'snapshot' || message.event === 'change') {
          const ended = apply(message.event, Number(message.id ?? data.sequence), data, resume);
          if (ended) return ended;
        }
      }
      return { why: 'the server ended the stream' };
    } catch (err) {
      const why = controller.signal.aborted ? String(controller.signal.reason?.message ?? 'aborted') : `${err?.cause?.code ?? err?.message ?? err}`;
      if (resume?.answer === 'not connected') resume.answer = `failed: ${why}`;
      return { why: closed ? 'closed' : why };
    } finally {
      clearTimeout(idle);
      clearTimeout(dropTimer);
      watch.connected = false;
      connectionId = undefined;
    }
  };

  const loop = (async () => {
    let askSnapshot = false;
    while (!closed) {
      const ended = await connectOnce(askSnapshot ? 0 : watch.sequence);
      if (closed) break;
      askSnapshot = ended.snapshot === true;
      watch.observeStatus('offline');
      watch.event(`stream ended: ${ended.why}`);
      const backoff = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt++);
      await new Promise((resolve) => setTimeout(resolve, Math.max(backoff, ended.retryAfterMs ?? 0)));
    }
  })();

  return {
    observed: watch,
    get drops() {
      return drops;
    },
    resumes,
    gaps,
    refusals,
    /** No more drops of its own from now on: the end state is about to be checked. */
    stopDropping() {
      dropping = false;
      clearTimeout(dropTimer);
    },
    async close() {
      closed = true;
      watch.stopObserving();
      clearTimeout(ackTimer);
      controller?.abort();
      await loop;
    },
  };
};
