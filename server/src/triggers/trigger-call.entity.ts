import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A call a trigger accepted: its sliding log of the last minute. Refused calls are never written. */
@Entity('trigger_calls')
@Index('idx_trigger_calls_trigger', ['triggerId', 'acceptedAt'])
export class TriggerCallEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column({ name: 'trigger_id', type: 'uuid' })
  triggerId: string;

  @Column({ name: 'accepted_at', type: 'timestamptz' })
  acceptedAt: Date;
}
