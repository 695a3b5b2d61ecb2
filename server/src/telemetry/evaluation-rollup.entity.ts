import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Evaluations of one flag in one minute, by variant served and reason. */
@Entity('evaluation_rollups')
@Index('idx_evaluation_rollups_minute', ['environmentId', 'minute'])
export class EvaluationRollupEntity {
  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @PrimaryColumn({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  /** '' when the caller's default was served. */
  @PrimaryColumn({ name: 'variant_key', type: 'varchar', length: 128 })
  variantKey: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  reason: string;

  @PrimaryColumn({ type: 'timestamptz' })
  minute: Date;

  @Column({ type: 'bigint' })
  count: number;
}
