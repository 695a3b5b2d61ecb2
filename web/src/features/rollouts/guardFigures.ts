import type { GuardRow, GuardStatus } from '../../api/rollouts';

/** A guard's figure in its unit (a rate as a percentage). */
export const guardValue = (row: Pick<GuardRow, 'unit'>, v: number | null): string =>
  v === null
    ? '—'
    : row.unit === 'rate'
      ? `${(v * 100).toFixed(2)}%`
      : row.unit === 'ms'
        ? `${v.toFixed(Math.abs(v) < 1 ? 3 : 1)} ms`
        : v.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** An excess or its interval: a rate difference in percentage points, the rest in the guard's unit. */
export const excessValue = (row: Pick<GuardRow, 'unit'>, v: number): string =>
  row.unit === 'rate' ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} pp` : `${v >= 0 ? '+' : ''}${guardValue(row, v)}`;

export const guardLabel = (row: Pick<GuardRow, 'guard' | 'stat'>): string =>
  row.guard === 'bound' ? `${row.stat ?? ''} bound` : row.guard.charAt(0).toUpperCase() + row.guard.slice(1);

const minutes = (m: number) => (m < 10 ? m.toFixed(1) : Math.round(m).toString());

/** Where the stage stands against its minimum duration and samples, in one line. */
export const windowSummary = (window: GuardStatus['window']): string =>
  `${minutes(window.elapsedMinutes)} of ${window.minDurationMinutes} min minimum, ` +
  `${window.candidateSamples.toLocaleString('en-US')} of ${window.minSamples.toLocaleString('en-US')} candidate samples` +
  (window.horizonReached ? ' — minimum reached' : '');

export const VERDICT_LABELS: Record<GuardStatus['verdict']['decision'], string> = { fail: 'rolls back', advance: 'advances', wait: 'waits' };
