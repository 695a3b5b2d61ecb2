import { Injectable } from '@nestjs/common';
import { IsNull, LessThanOrEqual, MoreThan } from 'typeorm';
import { Database } from '../database/database.service.js';
import type { TriggerFiredResponse } from './dto/trigger.dto.js';
import { TriggerCallEntity } from './trigger-call.entity.js';
import { TriggerEventEntity } from './trigger-event.entity.js';
import { type TriggerAction, TriggerEntity } from './trigger.entity.js';

/** First key of the trigger call log's advisory locks (the second is a hash of the trigger id). */
const CALL_LOG_LOCK_CLASS = 7_410_001;

@Injectable()
export class TriggersRepository {
  constructor(private readonly db: Database) {}

  private get triggers() {
    return this.db.manager().getRepository(TriggerEntity);
  }
  private get calls() {
    return this.db.manager().getRepository(TriggerCallEntity);
  }
  private get events() {
    return this.db.manager().getRepository(TriggerEventEntity);
  }

  /** The event if the trigger acted on it after `since` (older ones are forgotten, even before they are pruned). */
  findEvent(triggerId: string, eventHash: string, since: Date): Promise<TriggerEventEntity | null> {
    return this.events.findOneBy({ triggerId, eventHash, receivedAt: MoreThan(since) });
  }

  /** Remembers a handled event (a concurrent copy that got here first wins) and forgets the trigger's events older than `forgetBefore`. */
  async rememberEvent(triggerId: string, eventHash: string, outcome: TriggerFiredResponse, at: Date, forgetBefore: Date): Promise<void> {
    await this.events.delete({ triggerId, receivedAt: LessThanOrEqual(forgetBefore) });
    await this.events.createQueryBuilder().insert().values({ triggerId, eventHash, receivedAt: at, outcome }).orIgnore().execute();
  }

  listForFlag(projectId: string, flagKey: string, environmentId: string): Promise<TriggerEntity[]> {
    return this.triggers.find({ where: { projectId, flagKey, environmentId }, order: { createdAt: 'ASC' } });
  }

  findForFlag(id: string, projectId: string, flagKey: string, environmentId: string): Promise<TriggerEntity | null> {
    return this.triggers.findOneBy({ id, projectId, flagKey, environmentId });
  }

  /** The one lookup a call makes: by the hash of the presented secret, enabled triggers only. */
  findActiveBySecretHash(secretHash: string): Promise<TriggerEntity | null> {
    return this.triggers.findOneBy({ secretHash, disabledAt: IsNull() });
  }

  save(trigger: Partial<TriggerEntity>): Promise<TriggerEntity> {
    return this.triggers.save(this.triggers.create(trigger));
  }

  async recordFired(id: string, action: TriggerAction, at: Date): Promise<void> {
    await this.triggers
      .createQueryBuilder()
      .update()
      .set({ lastFiredAt: at, lastAction: action, fireCount: () => 'fire_count + 1' })
      .where('id = :id', { id })
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.triggers.delete({ id });
  }

  /**
   * Holds the trigger's call log until the current transaction ends (call it in one). An advisory
   * lock, not a row lock on the trigger: it takes no lock any other change to the trigger or its
   * flag needs. The two-key form keeps its space apart from other advisory locks' single keys.
   */
  async lockCallLog(triggerId: string): Promise<void> {
    await this.db.manager().query(`SELECT pg_advisory_xact_lock(${CALL_LOG_LOCK_CLASS}, hashtext($1))`, [triggerId]);
  }

  async acceptedCallsSince(triggerId: string, after: Date): Promise<Date[]> {
    const rows = await this.calls.find({ select: { acceptedAt: true }, where: { triggerId, acceptedAt: MoreThan(after) }, order: { acceptedAt: 'ASC' } });
    return rows.map((r) => new Date(r.acceptedAt));
  }

  /** Appends an accepted call and forgets the trigger's calls that left the window. */
  async recordAcceptedCall(triggerId: string, at: Date, windowStart: Date): Promise<void> {
    await this.calls.delete({ triggerId, acceptedAt: LessThanOrEqual(windowStart) });
    await this.calls.insert({ triggerId, acceptedAt: at });
  }
}
