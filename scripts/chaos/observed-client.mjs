// What the harness knows about one client of the fleet, whatever its kind (TypeScript SDK over
// socket.io or polling, the harness's SSE reader, a Python SDK process): the sequence it held
// over time, every regression, its status history, and the flag values it holds now.

const KEPT_EVENTS = 30;

export class ObservedClient {
  /**
   * @param id e.g. "socket-07"
   * @param instance the server instance it talks to ({ name, index })
   * @param transport 'socket.io' | 'poll' | 'sse' | 'python-sse'
   */
  constructor(id, instance, transport) {
    this.id = id;
    this.instance = instance;
    this.transport = transport;
    this.sequence = 0;
    this.status = 'initializing';
    /** [time, sequence] each time the held sequence changed. */
    this.history = [];
    this.regressions = [];
    this.statusHistory = [];
    this.events = [];
    /** key → { version, weight } of the config it serves. */
    this.flags = new Map();
    /** True while it holds a push connection (socket.io or SSE) that the server should count. */
    this.connected = false;
    /** Set when the harness starts closing it; nothing is recorded after that. */
    this.closed = false;
  }

  /** Stops recording: what the client held when the harness began to close it stays in the report. */
  stopObserving() {
    this.closed = true;
  }

  /** Records the sequence seen at `time`; a lower one than before is a regression. */
  observeSequence(sequence, time = Date.now(), how = 'sample') {
    if (this.closed || !Number.isFinite(sequence)) return;
    if (sequence < this.sequence) {
      this.regressions.push({ time, from: this.sequence, to: sequence, how });
      this.event(`REGRESSION ${this.sequence} → ${sequence} (${how})`, time);
    }
    if (sequence !== this.sequence) this.history.push([time, sequence]);
    this.sequence = sequence;
  }

  observeStatus(status, time = Date.now()) {
    if (this.closed || status === this.status) return;
    this.statusHistory.push([time, status]);
    if (this.statusHistory.length > KEPT_EVENTS) this.statusHistory.shift();
    this.status = status;
  }

  event(text, time = Date.now()) {
    if (this.closed) return;
    this.events.push([time, text]);
    if (this.events.length > KEPT_EVENTS) this.events.shift();
  }

  /** When it first held `sequence` or newer (undefined if never). */
  reachedAt(sequence) {
    return this.history.find(([, s]) => s >= sequence)?.[0];
  }

  /** Differences between what it serves and `expected` (key → { version, weight }); empty when equal. */
  differences(expected) {
    const out = [];
    for (const [key, want] of expected) {
      const have = this.flags.get(key);
      if (!have) out.push(`${key}: missing (want v${want.version} weight ${want.weight})`);
      else if (have.version !== want.version || have.weight !== want.weight)
        out.push(`${key}: v${have.version} weight ${have.weight}, want v${want.version} weight ${want.weight}`);
    }
    for (const key of this.flags.keys()) if (!expected.has(key)) out.push(`${key}: not in the database`);
    return out;
  }

  label() {
    return `${this.id} (${this.instance.name}, ${this.transport})`;
  }
}

/** { version, weight } of a flag config as the SDKs and the change log carry it. */
export const flagValue = (config) => ({
  version: config?.version ?? 0,
  weight: config?.defaultRule?.rollout?.variants?.find((v) => v.variant === 'on')?.weight ?? null,
});
