import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { type DeliveryAttempt, type DeliveryStatus, WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';

@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: Database) {}

  private get subscriptions() {
    return this.db.manager().getRepository(WebhookSubscriptionEntity);
  }
  private get deliveries() {
    return this.db.manager().getRepository(WebhookDeliveryEntity);
  }

  listSubscriptions(): Promise<WebhookSubscriptionEntity[]> {
    return this.subscriptions.find({ order: { createdAt: 'ASC' } });
  }

  enabledSubscriptions(): Promise<WebhookSubscriptionEntity[]> {
    return this.subscriptions.findBy({ enabled: true });
  }

  findSubscription(id: string): Promise<WebhookSubscriptionEntity | null> {
    return this.subscriptions.findOneBy({ id });
  }

  saveSubscription(subscription: Partial<WebhookSubscriptionEntity>): Promise<WebhookSubscriptionEntity> {
    return this.subscriptions.save(this.subscriptions.create(subscription));
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.subscriptions.delete({ id });
  }

  /** Counts a failed attempt; returns the new run of failures (call inside a transaction: the row stays locked). */
  async countFailure(id: string): Promise<number> {
    await this.subscriptions
      .createQueryBuilder()
      .update()
      .set({ consecutiveFailures: () => 'consecutive_failures + 1' })
      .where('id = :id', { id })
      .execute();
    return (await this.subscriptions.findOneBy({ id }))?.consecutiveFailures ?? 0;
  }

  async resetFailures(id: string): Promise<void> {
    await this.subscriptions.createQueryBuilder().update().set({ consecutiveFailures: 0 }).where('id = :id AND consecutive_failures <> 0', { id }).execute();
  }

  /** Disables only an enabled subscription; false when someone else got there first. */
  async disable(id: string, reason: string): Promise<boolean> {
    const result = await this.subscriptions
      .createQueryBuilder()
      .update()
      .set({ enabled: false, disabledReason: reason })
      .where('id = :id AND enabled', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  insertDeliveries(rows: Array<Pick<WebhookDeliveryEntity, 'subscriptionId' | 'event' | 'payload' | 'nextAttemptAt'>>): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries.save(rows.map((row) => this.deliveries.create({ ...row, status: 'pending', attempts: 0, attemptLog: [] })));
  }

  findDelivery(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  listDeliveries(subscriptionId: string, filter: { status?: DeliveryStatus; limit: number }): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries.find({
      where: { subscriptionId, ...(filter.status ? { status: filter.status } : {}) },
      order: { createdAt: 'DESC' },
      take: filter.limit,
    });
  }

  /**
   * Claims due deliveries of enabled subscriptions for `leaseMs` (call inside a transaction). SKIP
   * LOCKED lets several instances claim at once without waiting for or taking each other's rows.
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<WebhookDeliveryEntity[]> {
    const due = await this.deliveries
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .where("d.status = 'pending' AND d.next_attempt_at <= :now AND (d.locked_until IS NULL OR d.locked_until < :now)", { now })
      .andWhere('d.subscription_id IN (SELECT s.id FROM webhook_subscriptions s WHERE s.enabled)')
      .orderBy('d.next_attempt_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getRawMany<{ id: string }>();
    return this.lease(
      due.map((d) => d.id),
      new Date(now.getTime() + leaseMs),
    );
  }

  /** Claims one delivery regardless of schedule (a test event sent now); null if another worker holds it. */
  async claimOne(id: string, now: Date, leaseMs: number): Promise<WebhookDeliveryEntity | null> {
    const row = await this.deliveries
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .where("d.id = :id AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < :now)", { id, now })
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getRawOne<{ id: string }>();
    if (!row) return null;
    return (await this.lease([row.id], new Date(now.getTime() + leaseMs)))[0] ?? null;
  }

  private async lease(ids: string[], until: Date): Promise<WebhookDeliveryEntity[]> {
    if (ids.length === 0) return [];
    await this.deliveries.createQueryBuilder().update().set({ lockedUntil: until }).where('id IN (:...ids)', { ids }).execute();
    return this.deliveries.createQueryBuilder('d').where('d.id IN (:...ids)', { ids }).orderBy('d.next_attempt_at', 'ASC').getMany();
  }

  async recordAttempt(
    id: string,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt: Date | null; deliveredAt: Date | null },
  ): Promise<void> {
    await this.deliveries
      .createQueryBuilder()
      .update()
      .set({
        status: outcome.status,
        attempts: () => 'attempts + 1',
        nextAttemptAt: outcome.nextAttemptAt,
        deliveredAt: outcome.deliveredAt,
        lockedUntil: null,
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        attemptLog: () => 'attempt_log || :attempt::jsonb',
      })
      .setParameter('attempt', JSON.stringify([attempt]))
      .where('id = :id', { id })
      .execute();
  }
}
