// The writer: M versioned changes through the management API, alternating instances. Change i
// sets one flag's rollout to `i` thousandths of a percent "on", so every change is distinguishable
// in the database, the change log and every client. A 409 (stale version) re-reads and retries;
// an outage (refused connection, reset, timeout, 5xx) retries on the other instance. Only 2xx
// answers count as acknowledged; an attempt whose fate is unknown (timeout, reset, 5xx) is kept
// as "ambiguous": it may or may not have been applied, and is never counted as lost.
import { sleep } from './proc.mjs';

const REQUEST_TIMEOUT_MS = 15_000;
const GIVE_UP_AFTER_MS = 180_000;

export const rolloutBody = (version, value) => ({
  version,
  on: true,
  defaultRule: {
    rollout: {
      variants: [
        { variant: 'on', weight: value },
        { variant: 'off', weight: 100_000 - value },
      ],
    },
  },
});

const definitelyNotApplied = (answer) => answer.status === 0 && /ECONNREFUSED/.test(answer.error ?? '');

export class Writer {
  constructor({ api, instances, project, environment, flagKeys, rng, total, concurrency, timeline }) {
    Object.assign(this, { api, instances, project, environment, flagKeys, rng, total, concurrency, timeline });
    this.intervalMs = 0;
    this.next = 1;
    this.allowed = 0;
    this.acks = [];
    this.ambiguous = [];
    this.unacknowledged = [];
    /** status (or error kind) → count, for everything that was not a 2xx. */
    this.failures = new Map();
    /** Samples of 5xx answers: what the server said during outages. */
    this.serverErrors = [];
    this.versions = new Map(flagKeys.map((key) => [key, 0]));
    this.waiters = [];
    this.gates = [];
    /** Durations of the last attempts (ms), to pace against. */
    this.latencies = [];
    this.doneAt = undefined;
  }

  /**
   * Paces the writer so that `remaining` changes take about `durationMs` (the writers share them),
   * never faster than `minIntervalMs` between a writer's changes.
   */
  paceOver(durationMs, remaining, minIntervalMs) {
    const perAttempt = this.latencies.length ? this.latencies.reduce((a, b) => a + b, 0) / this.latencies.length : 0;
    this.intervalMs = remaining <= 0 ? minIntervalMs : Math.max(minIntervalMs, Math.round((durationMs * this.concurrency) / remaining - perAttempt));
    return this.intervalMs;
  }

  /** Lets the writer go on up to change `count` (it pauses there until allowed further). */
  allowUpTo(count) {
    this.allowed = Math.min(this.total, Math.max(this.allowed, count));
    this.wake();
  }

  /** Resolves once `count` changes are acknowledged (or given up on). */
  reached(count) {
    return new Promise((resolve) => {
      const check = () => this.finished >= Math.min(count, this.total);
      if (check()) return resolve();
      this.waiters.push({ check, resolve });
    });
  }

  get finished() {
    return this.acks.length + this.unacknowledged.length;
  }

  wake() {
    this.waiters = this.waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
    for (const open of this.gates.splice(0)) open();
  }

  async run() {
    await Promise.all(Array.from({ length: this.concurrency }, () => this.loop()));
    this.doneAt = Date.now();
  }

  async loop() {
    while (this.next <= this.total) {
      if (this.next > this.allowed) {
        await new Promise((resolve) => this.gates.push(resolve));
        continue;
      }
      const index = this.next++;
      const flag = this.flagKeys[Math.floor(this.rng() * this.flagKeys.length)];
      await this.write(index, flag);
      this.wake();
      if (this.intervalMs > 0) await sleep(this.intervalMs);
    }
  }

  count(kind) {
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
  }

  /** Writes change `index` (value = index) to `flag` until an instance acknowledges it. */
  async write(index, flag) {
    const path = `/projects/${this.project}/flags/${flag}/environments/${this.environment}`;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const instance = this.instances[(index + attempt) % this.instances.length];
      const baseVersion = this.versions.get(flag);
      const sentAt = Date.now();
      const answer = await this.api.patch(instance.url, path, rolloutBody(baseVersion, index), { timeoutMs: REQUEST_TIMEOUT_MS });
      this.latencies.push(answer.ms);
      if (this.latencies.length > 50) this.latencies.shift();
      if (answer.status >= 200 && answer.status < 300) {
        const version = answer.body?.version;
        this.versions.set(flag, Math.max(this.versions.get(flag), version));
        this.acks.push({ index, flag, value: index, version, baseVersion, instance: instance.name, sentAt, at: Date.now(), attempts: attempt + 1 });
        return;
      }
      if (answer.status === 409) {
        this.count('409');
        const current = answer.body?.details?.currentVersion;
        if (Number.isInteger(current)) this.versions.set(flag, current);
        else await this.reread(flag, path);
        continue;
      }
      this.count(answer.status === 0 ? (definitelyNotApplied(answer) ? 'connection refused' : 'no answer (reset or timeout)') : String(answer.status));
      if (answer.status >= 500 && this.serverErrors.length < 200) {
        this.serverErrors.push({
          time: sentAt,
          instance: instance.name,
          status: answer.status,
          retryAfter: answer.headers?.get('retry-after') ?? null,
          body: answer.text?.slice(0, 300),
        });
      }
      if (!definitelyNotApplied(answer) && (answer.status === 0 || answer.status >= 500)) {
        this.ambiguous.push({ index, flag, value: index, baseVersion, instance: instance.name, time: sentAt, outcome: answer.status || answer.error });
      }
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        this.unacknowledged.push({ index, flag, value: index, lastOutcome: answer.status || answer.error });
        this.timeline.note(`writer gave up on change ${index} (${flag}) after ${attempt + 1} attempts: ${answer.status || answer.error}`, 'unexpected');
        return;
      }
      await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)));
    }
  }

  async reread(flag, path) {
    for (const instance of this.instances) {
      const answer = await this.api.get(instance.url, path, { timeoutMs: 5_000 });
      if (answer.status === 200 && Number.isInteger(answer.body?.version)) {
        this.versions.set(flag, answer.body.version);
        return;
      }
    }
  }

  /** The acknowledged write with the highest version, per flag. */
  lastAcknowledged() {
    const last = new Map();
    for (const ack of this.acks) if (!last.has(ack.flag) || last.get(ack.flag).version < ack.version) last.set(ack.flag, ack);
    return last;
  }
}
