// Server instances for the chaos test: N processes of server/dist/src/main.js on fixed ports, all
// on the private cluster. Each can be SIGKILLed or SIGTERMed and started again on its port. Every
// exit is recorded with whether the harness caused it: an exit nobody asked for is a failure.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { onCleanup } from './cleanup.mjs';
import { freePorts } from './ports.mjs';
import { pidAlive } from './proc.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const SERVER_MAIN = path.join(ROOT, 'server/dist/src/main.js');
const READY_LINE = /console (http:\/\/\S+)/;
const KEPT_LINES = 400;

/**
 * One server process slot: a fixed port and name, a current process (or none), its output and
 * the history of its exits.
 */
class Instance {
  constructor(fleet, index, port) {
    this.fleet = fleet;
    this.index = index;
    this.name = `instance ${'AB'[index] ?? index}`;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.child = undefined;
    this.generation = 0;
    this.lines = [];
    this.logFile = path.join(fleet.logDir, `instance-${index}.log`);
    /** Set while the harness is ending the process: its exit is then one the harness caused. */
    this.expectingExit = undefined;
    this.exitWaiters = [];
    /** How long each start took until ready (ms). */
    this.startTimes = [];
  }

  get running() {
    return this.child !== undefined;
  }

  get pid() {
    return this.child?.pid;
  }

  keep(line) {
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
  }

  /** Starts the process and resolves once it prints its `console http://...` line. */
  start({ timeoutMs = 60_000 } = {}) {
    if (this.child) throw new Error(`${this.name} is already running`);
    this.generation++;
    const generation = this.generation;
    const child = spawn(process.execPath, [SERVER_MAIN], {
      cwd: ROOT,
      env: { ...process.env, ...this.fleet.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const log = fs.createWriteStream(this.logFile, { flags: 'a' });
    const started = Date.now();
    const banner = `--- ${this.name} #${generation} pid ${child.pid} started at +${this.fleet.timeline.at(started)}s`;
    log.write(`${banner}\n`);
    this.keep(banner);
    this.fleet.timeline.note(`${this.name} #${generation} starting (pid ${child.pid}, port ${this.port})`);

    return new Promise((resolve, reject) => {
      let ready = false;
      const pending = { stdout: '', stderr: '' };
      const onData = (stream) => (chunk) => {
        log.write(chunk);
        const text = pending[stream] + chunk.toString('utf8');
        const parts = text.split('\n');
        pending[stream] = parts.pop();
        for (const line of parts) {
          if (line.trim() === '') continue;
          this.keep(stream === 'stderr' ? `[stderr] ${line}` : line);
          if (!ready && READY_LINE.test(line)) {
            ready = true;
            clearTimeout(timer);
            this.startTimes.push(Date.now() - started);
            this.fleet.timeline.note(`${this.name} #${generation} ready in ${Date.now() - started} ms`);
            resolve(this);
          }
        }
      };
      child.stdout.on('data', onData('stdout'));
      child.stderr.on('data', onData('stderr'));
      const timer = setTimeout(() => {
        if (ready) return;
        this.expectingExit = { reason: 'did not start in time' };
        child.kill('SIGKILL');
        reject(new Error(`${this.name} did not print its console line within ${timeoutMs} ms`));
      }, timeoutMs);
      // 'close', not 'exit': by then every line it wrote has been read.
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const exit = {
          instance: this.name,
          generation,
          pid: child.pid,
          code,
          signal,
          at: Date.now(),
          upForMs: Date.now() - started,
          causedByHarness: this.expectingExit !== undefined,
          reason: this.expectingExit?.reason,
          // What it said last, for the report when nobody asked it to exit.
          lastLines: this.lines.slice(-60),
        };
        this.expectingExit = undefined;
        this.child = undefined;
        this.fleet.exits.push(exit);
        const how = signal ? `signal ${signal}` : `code ${code}`;
        const line = `--- ${this.name} #${generation} exited (${how}) ${exit.causedByHarness ? `as the harness asked (${exit.reason})` : 'BY ITSELF'}`;
        this.keep(line);
        log.end(`${line}\n`);
        this.fleet.timeline.note(line.slice(4), exit.causedByHarness ? 'info' : 'unexpected');
        for (const waiter of this.exitWaiters.splice(0)) waiter(exit);
        if (!ready) reject(new Error(`${this.name} exited (${how}) before it was ready:\n${this.lines.slice(-20).join('\n')}`));
      });
    });
  }

  /** Resolves with the exit record once the current process has exited (at once if none runs). */
  waitForExit(timeoutMs = Infinity) {
    if (!this.child) return Promise.resolve(this.fleet.exits.filter((e) => e.instance === this.name).at(-1));
    return new Promise((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => resolve(undefined), timeoutMs) : undefined;
      this.exitWaiters.push((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }

  /** SIGKILL, as a crash would; resolves once it is gone. */
  async kill(reason = 'SIGKILL fault') {
    if (!this.child) return undefined;
    this.expectingExit = { reason };
    this.child.kill('SIGKILL');
    return this.waitForExit();
  }

  /**
   * SIGTERM, as an orchestrator would; waits up to `boundMs` for the exit. Resolves with
   * { exited, elapsedMs }; past the bound the process is SIGKILLed (and `exited` is false).
   */
  async terminate(boundMs, reason = 'SIGTERM fault') {
    if (!this.child) return { exited: true, elapsedMs: 0 };
    const started = Date.now();
    this.expectingExit = { reason };
    this.child.kill('SIGTERM');
    const exit = await this.waitForExit(boundMs);
    if (exit) return { exited: true, elapsedMs: Date.now() - started, exit };
    this.expectingExit = { reason: `${reason}: still running ${boundMs} ms after SIGTERM, killed` };
    this.child?.kill('SIGKILL');
    await this.waitForExit();
    return { exited: false, elapsedMs: Date.now() - started };
  }

  /** Its whole log, every generation (empty once the run directory is gone). */
  logLines() {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n');
    } catch {
      return [];
    }
  }

  /** The last `count` lines of output, across restarts. */
  tail(count = 30) {
    return this.lines.slice(-count);
  }
}

/** Starts `count` instances on fixed free ports against `databaseUrl`; registers their cleanup. */
export const startInstances = async ({ count, databaseUrl, logDir, timeline, extraEnv = {} }) => {
  if (!fs.existsSync(SERVER_MAIN)) throw new Error(`${path.relative(ROOT, SERVER_MAIN)} is missing: run npm run build (or npx tsc -b server) first`);
  const ports = await freePorts(count);
  const fleet = {
    timeline,
    logDir,
    exits: [],
    adminToken: `chaos-admin-${crypto.randomBytes(18).toString('base64url')}`,
    env: {},
    list: [],
  };
  fleet.env = {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SIGNALBOX_DEMO: 'false',
    SIGNALBOX_ADMIN_TOKEN: fleet.adminToken,
    // The same key material on every instance, as the README asks of instances sharing a database.
    SIGNALBOX_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
    // Nothing from the surrounding shell may point the servers elsewhere.
    SIGNALBOX_DATA_DIR: path.join(logDir, 'data'),
    ...extraEnv,
  };
  fleet.list = ports.map((port, index) => new Instance(fleet, index, port));
  const stopAll = async () => {
    await Promise.all(fleet.list.map((instance) => instance.kill('cleanup')));
  };
  onCleanup('server instances', stopAll, () => {
    for (const instance of fleet.list) if (instance.pid && pidAlive(instance.pid)) process.kill(instance.pid, 'SIGKILL');
  });
  fleet.stopAll = stopAll;
  // Together, as a deployment would start them on a fresh database (the README says several
  // instances can start together). One that fails is noted for the checks, then started again on
  // its own so the rest of the run can go on.
  const outcomes = await Promise.allSettled(fleet.list.map((instance) => instance.start()));
  fleet.startFailures = [];
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled') continue;
    const instance = fleet.list[index];
    fleet.startFailures.push({ instance: instance.name, error: outcome.reason?.message ?? String(outcome.reason) });
    timeline.note(`${instance.name} failed to start together with the others; starting it again alone`, 'unexpected');
    await instance.start();
  }
  return fleet;
};
