import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TriggerFiredResponse } from './dto/trigger.dto.js';

/**
 * An event a trigger acted on, by its id (a CloudEvent's source and id, or an Idempotency-Key):
 * the same event sent again answers what it answered the first time and changes nothing.
 * Kept for a day, pruned as calls come.
 */
@Entity('trigger_events')
export class TriggerEventEntity {
  @PrimaryColumn({ name: 'trigger_id', type: 'uuid' })
  triggerId: string;

  /** SHA-256 of the event's identity, so a long or odd id costs the same as any other. */
  @PrimaryColumn({ name: 'event_hash', type: 'varchar', length: 64 })
  eventHash: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'jsonb' })
  outcome: TriggerFiredResponse;
}
