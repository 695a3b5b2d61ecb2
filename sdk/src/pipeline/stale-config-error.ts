/**
 * Thrown by fail-closed helpers when no config fresh enough arrived in time: the step did not run,
 * because running it on a guess is worse than not running it.
 */
export class SignalboxStaleConfigError extends Error {
  constructor(
    /** How old the served config was when giving up, in ms (`Infinity`: never confirmed by the server). */
    readonly ageMs: number,
    readonly maxAgeMs: number,
    readonly waitedMs: number,
    /** The flag of the step that required it, when there was one. */
    readonly flagKey?: string,
  ) {
    const age = Number.isFinite(ageMs) ? `${Math.round(ageMs)} ms old` : 'not confirmed by the server';
    const what = flagKey === undefined ? 'refusing to go on' : `refusing to run "${flagKey}"`;
    super(`the Signalbox config is ${age} (at most ${maxAgeMs} ms allowed) after waiting ${waitedMs} ms; ${what} on a guess`);
    this.name = 'SignalboxStaleConfigError';
  }
}
