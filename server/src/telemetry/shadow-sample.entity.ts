import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An example SDKs sent with a batch (shadow disagreements, candidate failures); the newest few per flag are kept. */
@Entity('shadow_samples')
@Index('idx_shadow_samples_flag', ['environmentId', 'flagKey', 'recordedAt'])
export class ShadowSampleEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  /** '' when no variant was served. */
  @Column({ name: 'variant_key', type: 'varchar', length: 128 })
  variantKey: string;

  @Column({ type: 'varchar', length: 64 })
  kind: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ type: 'jsonb' })
  sample: Record<string, unknown>;
}
