// The run's timeline: what the harness did and saw, with times relative to the start. Printed
// as it happens (quietly, unless --verbose) and again in the failure report.
export class Timeline {
  constructor({ echo = false } = {}) {
    this.start = Date.now();
    this.entries = [];
    this.echo = echo;
  }

  /** Seconds since the start, e.g. "12.34". */
  at(time = Date.now()) {
    return ((time - this.start) / 1000).toFixed(2);
  }

  note(text, kind = 'info') {
    const entry = { time: Date.now(), kind, text };
    this.entries.push(entry);
    if (this.echo || kind === 'fault') process.stdout.write(`  [${this.at(entry.time).padStart(7)}s] ${text}\n`);
    return entry;
  }

  /** The fault entries (starts and ends) as lines. */
  faults() {
    return this.entries.filter((e) => e.kind === 'fault').map((e) => `[${this.at(e.time).padStart(7)}s] ${e.text}`);
  }

  lines() {
    return this.entries.map((e) => `[${this.at(e.time).padStart(7)}s] ${e.text}`);
  }
}
