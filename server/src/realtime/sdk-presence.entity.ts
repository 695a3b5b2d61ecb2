import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The SDKs one server instance holds for one environment: how many are at each acknowledged
 * sequence. Summed over fresh rows it answers "confirmed by N of M connected SDKs".
 */
@Entity('sdk_presence')
@Index('idx_sdk_presence_environment', ['environmentId', 'updatedAt'])
export class SdkPresenceEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'varchar', length: 64 })
  instanceId: string;

  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  /** Acknowledged sequence → number of connections at it (0: nothing acknowledged yet). */
  @Column({ type: 'jsonb' })
  acks: Record<string, number>;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
