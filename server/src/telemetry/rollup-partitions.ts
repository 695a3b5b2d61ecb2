/**
 * The minute rollups are partitioned by UTC day on `minute` (migration 1763930400000): one table
 * `<rollup>_pYYYYMMDD` per day. Pure helpers: which partition a minute lands in, which days to
 * create ahead of time, and which partitions retention drops.
 */
export const DAY_MS = 86_400_000;
export const ROLLUP_TABLES = ['metric_rollups', 'evaluation_rollups'] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];

/** Days before today that ingestion accepts (batches up to 7 days old) and partitions are kept ready for. */
const DAYS_BEHIND = 8;
/** Days after today created ahead, so an instance that cannot reach the database for days still finds them. */
export const DAYS_AHEAD = 7;

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

export const partitionName = (table: RollupTable, day: number): string => `${table}_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;

const NAME = /^(metric_rollups|evaluation_rollups)_p(\d{4})(\d{2})(\d{2})$/;

/** The day a partition holds, from its name; undefined for a table this scheme did not name. */
export const partitionDay = (name: string): number | undefined => {
  const match = NAME.exec(name);
  if (match === null) return undefined;
  const day = Date.UTC(Number(match[2]), Number(match[3]) - 1, Number(match[4]));
  return partitionName(match[1] as RollupTable, day) === name ? day : undefined;
};

/** The days whose partitions should exist now: from the oldest batch ingestion accepts (or the retention horizon) to DAYS_AHEAD ahead. */
export const daysToPrepare = (now: number, retentionDays: number): number[] => {
  const today = dayOf(now);
  const first = Math.max(today - DAYS_BEHIND * DAY_MS, dayOf(retentionHorizon(now, retentionDays)));
  const days: number[] = [];
  for (let day = first; day <= today + DAYS_AHEAD * DAY_MS; day += DAY_MS) days.push(day);
  return days;
};

/** Rows older than this are past retention. */
export const retentionHorizon = (now: number, retentionDays: number): number => now - retentionDays * DAY_MS;

/** The partitions whose whole day ended before the retention horizon. */
export const expiredPartitions = (names: string[], now: number, retentionDays: number): string[] => {
  const horizon = retentionHorizon(now, retentionDays);
  return names.filter((name) => {
    const day = partitionDay(name);
    return day !== undefined && day + DAY_MS <= horizon;
  });
};
