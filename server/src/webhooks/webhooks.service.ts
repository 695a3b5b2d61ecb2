import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import { issueSecret } from '../auth/secrets.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { notFound, validationFailed } from '../common/errors/domain-error.js';
import { DomainEvents, type FlagChangedEvent } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
import { ProjectsService } from '../projects/projects.service.js';
import type { CreateWebhookDto, UpdateWebhookDto, WebhookDeliveryResponse, WebhookResponse } from './dto/webhook.dto.js';
import { WebhookDestinations } from './webhook-destinations.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import type { DeliveryStatus, WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { TEST_EVENT, type WebhookEvent } from './webhook-settings.js';
import type { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';
import { WebhooksRepository } from './webhooks.repository.js';

export const WEBHOOK_SECRET_PREFIX = 'sbw_';

const toView = (s: WebhookSubscriptionEntity): WebhookResponse => ({
  id: s.id,
  name: s.name,
  url: s.url,
  events: s.events,
  projectKey: s.projectKey,
  enabled: s.enabled,
  disabledReason: s.disabledReason,
  consecutiveFailures: s.consecutiveFailures,
  secretPrefix: s.secretPrefix,
  createdBy: s.createdBy,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

const toDeliveryView = (d: WebhookDeliveryEntity): WebhookDeliveryResponse => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  attemptLog: d.attemptLog,
  payload: d.payload,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

/** Event names a flag change may be delivered as, most specific first. */
const CHANGE_REQUEST_EVENTS = ['change_request.created', 'change_request.approved', 'change_request.applied', 'change_request.rejected'] as const;

const flagEventNames = (action: string): WebhookEvent[] =>
  action === 'flag.killed' ? ['flag.killed', 'flag.changed'] : action === 'flag.restored' ? ['flag.restored', 'flag.changed'] : ['flag.changed'];

/** Webhook subscriptions, and turning domain events into deliveries in the transaction that makes the change. */
@Injectable()
export class WebhooksService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('webhooks');
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly projects: ProjectsService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly db: Database,
    private readonly secrets: SecretBox,
    private readonly destinations: WebhookDestinations,
  ) {}

  /** Addresses known without DNS are judged now; host names are judged on every connect. */
  private checkDestination(url: string): void {
    const refusal = this.destinations.refusalForUrl(url);
    if (refusal) throw validationFailed([{ field: 'url', reason: refusal }]);
  }

  onModuleInit(): void {
    // An outbox: deliveries are written in the change's own transaction, so a crash after commit
    // loses none and a rolled-back change sends none. One enqueue per change, on the instance that made it.
    this.unsubscribe.push(
      this.events.onCommitting('flag.changed', (e) => this.enqueue(flagEventNames(e.action), e.projectKey, this.flagPayload(e))),
      this.events.onCommitting('rollout.advanced', (e) => this.enqueue(['rollout.advanced'], e.projectKey, { ...e })),
      this.events.onCommitting('rollout.rolled_back', (e) => this.enqueue(['rollout.rolled_back'], e.projectKey, { ...e })),
      this.events.onCommitting('experiment.decided', (e) => this.enqueue(['experiment.decided'], e.projectKey, { ...e })),
      this.events.onCommitting('scheduled_change.failed', (e) => this.enqueue(['scheduled_change.failed'], e.projectKey, { ...e })),
      ...CHANGE_REQUEST_EVENTS.map((name) => this.events.onCommitting(name, (e) => this.enqueue([name], e.projectKey, e.changeRequest))),
    );
  }

  /**
   * Seals with the current key the signing secrets stored in the clear (by versions before they
   * were encrypted) or under the previous key (after a rotation of SIGNALBOX_SECRET_KEY).
   */
  async onApplicationBootstrap(): Promise<void> {
    const { resealed, unreadable } = await this.db.transaction(async () => {
      let count = 0;
      const failed: string[] = [];
      for (const subscription of await this.repository.listSubscriptions()) {
        if (this.secrets.sealedWithCurrentKey(subscription.secretSealed)) continue;
        try {
          const secret = SecretBox.isSealed(subscription.secretSealed)
            ? this.secrets.open(subscription.secretSealed, subscription.id)
            : subscription.secretSealed;
          subscription.secretSealed = this.secrets.seal(secret, subscription.id);
          await this.repository.saveSubscription(subscription);
          count++;
        } catch {
          failed.push(subscription.id);
        }
      }
      return { resealed: count, unreadable: failed };
    });
    if (resealed > 0) this.logger.log(`sealed ${resealed} webhook signing secret(s) with the current key`);
    if (unreadable.length > 0)
      this.logger.warn(
        { webhooks: unreadable },
        'webhook signing secrets sealed with an unknown key: set SIGNALBOX_SECRET_KEY_PREVIOUS to that key, or rotate these secrets',
      );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }

  async list(): Promise<WebhookResponse[]> {
    return (await this.repository.listSubscriptions()).map(toView);
  }

  async get(id: string): Promise<WebhookResponse> {
    return toView(await this.subscription(id));
  }

  async create(actor: Actor, input: CreateWebhookDto): Promise<{ webhook: WebhookResponse; secret: string }> {
    this.checkDestination(input.url);
    if (input.projectKey !== undefined) await this.projects.project(input.projectKey);
    return this.db.transaction(async () => {
      const issued = issueSecret(WEBHOOK_SECRET_PREFIX);
      const id = randomUUID();
      const saved = await this.repository.saveSubscription({
        id,
        name: input.name,
        url: input.url,
        events: input.events,
        projectKey: input.projectKey ?? null,
        secretSealed: this.secrets.seal(issued.secret, id),
        secretPrefix: issued.prefix,
        enabled: true,
        disabledReason: null,
        consecutiveFailures: 0,
        createdBy: actor.name,
      });
      const view = toView(saved);
      await this.record(actor, 'webhook.created', saved, null, view);
      return { webhook: view, secret: issued.secret };
    });
  }

  async update(actor: Actor, id: string, input: UpdateWebhookDto): Promise<WebhookResponse> {
    if (input.url !== undefined) this.checkDestination(input.url);
    if (typeof input.projectKey === 'string') await this.projects.project(input.projectKey);
    const result = await this.db.transaction(async () => {
      const subscription = await this.subscription(id);
      const before = toView(subscription);
      if (input.name !== undefined) subscription.name = input.name;
      if (input.url !== undefined) subscription.url = input.url;
      if (input.events !== undefined) subscription.events = input.events;
      if (input.projectKey !== undefined) subscription.projectKey = input.projectKey;
      if (input.enabled === true && !subscription.enabled) {
        subscription.enabled = true;
        subscription.disabledReason = null;
        subscription.consecutiveFailures = 0;
      } else if (input.enabled === false) {
        subscription.enabled = false;
      }
      const after = toView(await this.repository.saveSubscription(subscription));
      await this.record(
        actor,
        before.enabled === after.enabled ? 'webhook.updated' : after.enabled ? 'webhook.enabled' : 'webhook.disabled',
        subscription,
        before,
        after,
      );
      return after;
    });
    if (result.enabled) this.dispatcher.kick();
    return result;
  }

  async rotateSecret(actor: Actor, id: string): Promise<{ webhook: WebhookResponse; secret: string }> {
    return this.db.transaction(async () => {
      const subscription = await this.subscription(id);
      const before = toView(subscription);
      const issued = issueSecret(WEBHOOK_SECRET_PREFIX);
      subscription.secretSealed = this.secrets.seal(issued.secret, subscription.id);
      subscription.secretPrefix = issued.prefix;
      const after = toView(await this.repository.saveSubscription(subscription));
      await this.record(actor, 'webhook.secret-rotated', subscription, before, after);
      return { webhook: after, secret: issued.secret };
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async () => {
      const subscription = await this.subscription(id);
      await this.repository.deleteSubscription(id);
      await this.record(actor, 'webhook.deleted', subscription, toView(subscription), null);
    });
  }

  async deliveries(id: string, filter: { status?: DeliveryStatus; limit?: number }): Promise<WebhookDeliveryResponse[]> {
    await this.subscription(id);
    return (await this.repository.listDeliveries(id, { status: filter.status, limit: filter.limit ?? 50 })).map(toDeliveryView);
  }

  /** Sends a `webhook.test` event at once and answers with the attempt's outcome (a failure is retried like any delivery). */
  async sendTest(actor: Actor, id: string): Promise<WebhookDeliveryResponse> {
    const subscription = await this.subscription(id);
    const [delivery] = await this.repository.insertDeliveries([
      {
        subscriptionId: subscription.id,
        event: TEST_EVENT,
        payload: { message: 'Test event from Signalbox', requestedBy: actor.name, webhook: subscription.name },
        nextAttemptAt: null,
      },
    ]);
    const sent = await this.dispatcher.deliverNow(delivery!.id);
    return toDeliveryView(sent ?? delivery!);
  }

  /** Queues one delivery per matching enabled subscription. */
  async enqueue(candidates: WebhookEvent[], projectKey: string | null, payload: object): Promise<number> {
    const subscriptions = await this.repository.enabledSubscriptions();
    const rows = subscriptions.flatMap((s) => {
      if (s.projectKey !== null && s.projectKey !== projectKey) return [];
      const event = candidates.find((name) => s.events.includes(name));
      return event ? [{ subscriptionId: s.id, event, payload, nextAttemptAt: new Date() }] : [];
    });
    if (rows.length === 0) return 0;
    await this.repository.insertDeliveries(rows);
    this.db.afterCommit(() => this.dispatcher.kick());
    return rows.length;
  }

  private flagPayload(e: FlagChangedEvent): object {
    return {
      project: e.projectKey,
      environment: e.environmentKey,
      flag: e.flagKey,
      action: e.action,
      actor: { type: e.actor.type, name: e.actor.name },
      reason: e.reason,
      version: e.version,
      sequence: e.sequence,
      on: e.on,
      killed: e.killed,
      at: new Date().toISOString(),
    };
  }

  private async subscription(id: string): Promise<WebhookSubscriptionEntity> {
    const subscription = await this.repository.findSubscription(id);
    if (!subscription) throw notFound('Webhook', id);
    return subscription;
  }

  private record(
    actor: Actor,
    action: string,
    subscription: WebhookSubscriptionEntity,
    before: WebhookResponse | null,
    after: WebhookResponse | null,
  ): Promise<void> {
    return this.audit.record({ actor, action, resourceType: 'webhook', resourceKey: subscription.id, projectKey: subscription.projectKey, before, after });
  }
}
