import { describe, expect, it } from 'vitest';
import { DAY_MS, daysToPrepare, expiredPartitions, partitionDay, partitionName } from './rollup-partitions.js';

const at = (iso: string): number => Date.parse(iso);

describe('rollup partitions', () => {
  it('names a day by its UTC date, and reads the day back only from names it made', () => {
    expect(partitionName('metric_rollups', at('2026-03-09T00:00:00Z'))).toBe('metric_rollups_p20260309');
    expect(partitionDay('evaluation_rollups_p20260309')).toBe(at('2026-03-09T00:00:00Z'));
    for (const name of ['metric_rollups', 'metric_rollups_p20260230', 'metric_rollups_p2026030', 'other_p20260309', 'metric_rollups_unpartitioned'])
      expect(partitionDay(name)).toBeUndefined();
  });

  it('prepares the days ingestion accepts (8 back) to a week ahead, but none already past retention', () => {
    const now = at('2026-03-09T13:00:00Z');
    const days = daysToPrepare(now, 90);
    expect(days[0]).toBe(at('2026-03-01T00:00:00Z'));
    expect(days.at(-1)).toBe(at('2026-03-16T00:00:00Z'));
    expect(days).toHaveLength(16);
    expect(daysToPrepare(now, 2)[0]).toBe(at('2026-03-07T00:00:00Z'));
  });

  it('drops a day only once all of it is older than the retention', () => {
    const names = ['metric_rollups_p20260305', 'metric_rollups_p20260306', 'evaluation_rollups_p20260306', 'metric_rollups_p20260307', 'metric_rollups_custom'];
    // 3 days kept at 2026-03-09 12:00: the horizon is 2026-03-06 12:00, so the 6th still holds kept rows.
    expect(expiredPartitions(names, at('2026-03-09T12:00:00Z'), 3)).toEqual(['metric_rollups_p20260305']);
    expect(expiredPartitions(names, at('2026-03-10T00:00:00Z'), 3)).toEqual([
      'metric_rollups_p20260305',
      'metric_rollups_p20260306',
      'evaluation_rollups_p20260306',
    ]);
    expect(expiredPartitions(names, at('2026-03-10T00:00:00Z') - 1, 3)).toHaveLength(1);
    expect(DAY_MS).toBe(86_400_000);
  });
});
