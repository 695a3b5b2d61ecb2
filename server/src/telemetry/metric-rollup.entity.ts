import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { HistogramBuckets } from '@signalbox/sdk/telemetry';

/** One minute of one metric for one flag variant in one environment, merged from SDK batches. */
@Entity('metric_rollups')
@Index('idx_metric_rollups_minute', ['environmentId', 'minute'])
export class MetricRollupEntity {
  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  /** '' for a metric of no flag. */
  @PrimaryColumn({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  metric: string;

  /** '' when no variant was served. */
  @PrimaryColumn({ name: 'variant_key', type: 'varchar', length: 128 })
  variantKey: string;

  @PrimaryColumn({ type: 'timestamptz' })
  minute: Date;

  @Column({ type: 'bigint' })
  count: number;

  @Column({ type: 'double precision' })
  sum: number;

  @Column({ name: 'sum_squares', type: 'double precision' })
  sumSquares: number;

  @Column({ type: 'bigint' })
  errors: number;

  /** `log2-16` bucket index → count. */
  @Column({ type: 'jsonb' })
  histogram: HistogramBuckets;
}
