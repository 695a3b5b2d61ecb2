import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When an SDK last evaluated a flag in an environment (end of the batch window that counted it). */
@Entity('flag_last_evaluated')
export class FlagLastEvaluatedEntity {
  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @PrimaryColumn({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  @Column({ name: 'last_evaluated_at', type: 'timestamptz' })
  lastEvaluatedAt: Date;
}
