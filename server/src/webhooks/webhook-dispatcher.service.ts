import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Agent, fetch as undiciFetch } from 'undici';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR } from '../auth/principal.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { Database } from '../database/database.service.js';
import type { DeliveryAttempt, WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookDestinations } from './webhook-destinations.js';
import { DELIVERY_HEADER, EVENT_HEADER, signPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';
import { WebhookSettings } from './webhook-settings.js';
import type { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';
import { WebhooksRepository } from './webhooks.repository.js';

const MAX_ERROR_LENGTH = 500;

/** The body a receiver gets; the signature covers exactly these bytes. */
export const deliveryBody = (delivery: WebhookDeliveryEntity): string =>
  JSON.stringify({ id: delivery.id, event: delivery.event, createdAt: delivery.createdAt.toISOString(), data: delivery.payload });

/**
 * Sends due deliveries. Each instance runs this loop; a delivery is claimed with SELECT ... FOR
 * UPDATE SKIP LOCKED plus a lease, sent outside any transaction, and its outcome recorded, so
 * several instances share the queue without sending a delivery twice (barring a crash after the
 * send and before the record: delivery is at least once, and receivers dedupe on the delivery id).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('webhooks');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  // Every connection goes through the destination check, so DNS cannot smuggle in a private address.
  // undici (about 1 MB of code) loads with the first delivery: most servers never send one.
  private http: Promise<{ agent: Agent; fetch: typeof undiciFetch }> | undefined;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly settings: WebhookSettings,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly secrets: SecretBox,
    private readonly destinations: WebhookDestinations,
  ) {}

  private client(): Promise<{ agent: Agent; fetch: typeof undiciFetch }> {
    this.http ??= import('undici').then(({ Agent, fetch }) => ({ agent: new Agent({ connect: { lookup: this.destinations.lookup } }), fetch }));
    return this.http;
  }

  onApplicationBootstrap(): void {
    this.schedule(this.settings.current.pollIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.http) await (await this.http).agent.close();
  }

  /** Look for due deliveries now (after an enqueue) instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Sends one delivery now, whatever its schedule; returns it as recorded afterwards. */
  async deliverNow(id: string): Promise<WebhookDeliveryEntity | null> {
    const claimed = await this.db.transaction(() => this.repository.claimOne(id, new Date(), this.settings.current.leaseMs));
    if (claimed) await this.attempt(claimed, { evenIfDisabled: true });
    return this.repository.findDelivery(id);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .catch((err: unknown) => this.logger.warn({ err }, 'webhook worker pass failed'))
        .finally(() => {
          this.running = undefined;
          const now = this.again;
          this.again = false;
          this.schedule(now ? 0 : this.settings.current.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const { batchSize, leaseMs } = this.settings.current;
      const claimed = await this.db.transaction(() => this.repository.claimDue(new Date(), batchSize, leaseMs));
      await Promise.all(claimed.map((delivery) => this.attempt(delivery, { evenIfDisabled: false })));
      if (claimed.length < batchSize) return;
    }
  }

  private async attempt(delivery: WebhookDeliveryEntity, options: { evenIfDisabled: boolean }): Promise<void> {
    const subscription = await this.repository.findSubscription(delivery.subscriptionId);
    if (!subscription || (!subscription.enabled && !options.evenIfDisabled)) return;
    const attempt = await this.send(subscription, delivery);
    const ok = attempt.error === null;
    const settings = this.settings.current;
    await this.db.transaction(async () => {
      if (ok) {
        await this.repository.recordAttempt(delivery.id, attempt, { status: 'delivered', nextAttemptAt: null, deliveredAt: new Date() });
        await this.repository.resetFailures(subscription.id);
        return;
      }
      const attempts = delivery.attempts + 1;
      const retry = attempts < settings.maxAttempts;
      await this.repository.recordAttempt(delivery.id, attempt, {
        status: retry ? 'pending' : 'failed',
        nextAttemptAt: retry ? new Date(Date.now() + this.settings.backoff(attempts)) : null,
        deliveredAt: null,
      });
      const failures = await this.repository.countFailure(subscription.id);
      if (
        failures >= settings.disableAfterFailures &&
        (await this.repository.disable(subscription.id, `Disabled after ${failures} failed attempts in a row; last: ${attempt.error}`))
      ) {
        this.logger.warn({ webhook: subscription.id, failures }, 'webhook disabled after repeated failures');
        await this.audit.record({
          actor: SYSTEM_ACTOR,
          action: 'webhook.disabled',
          resourceType: 'webhook',
          resourceKey: subscription.id,
          projectKey: subscription.projectKey,
          reason: `${failures} failed delivery attempts in a row; last: ${attempt.error}`,
          before: { enabled: true },
          after: { enabled: false },
        });
      }
    });
  }

  private async send(subscription: WebhookSubscriptionEntity, delivery: WebhookDeliveryEntity): Promise<DeliveryAttempt> {
    const body = deliveryBody(delivery);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = Date.now();
    const at = new Date(started).toISOString();
    let secret: string;
    try {
      secret = this.secrets.open(subscription.secretSealed, subscription.id);
    } catch (err) {
      // Not sent unsigned: receivers must be able to trust every delivery. Rotating the secret fixes it.
      return {
        at,
        statusCode: null,
        error: `cannot unseal the signing secret: ${(err as Error).message}; check SIGNALBOX_SECRET_KEY or rotate the secret`,
        durationMs: 0,
      };
    }
    // An IP literal never reaches the lookup; a URL stored before the allowlist changed is judged again here.
    const refusal = this.destinations.refusalForUrl(subscription.url);
    if (refusal) return { at, statusCode: null, error: `refused: ${refusal}`, durationMs: 0 };
    try {
      const { agent, fetch } = await this.client();
      const response = await fetch(subscription.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Signalbox-Webhooks/1',
          [SIGNATURE_HEADER]: signPayload(secret, timestamp, body),
          [TIMESTAMP_HEADER]: timestamp,
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.id,
        },
        body,
        redirect: 'manual',
        dispatcher: agent,
        signal: AbortSignal.timeout(this.settings.current.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      const durationMs = Date.now() - started;
      if (response.status >= 200 && response.status < 300) return { at, statusCode: response.status, error: null, durationMs };
      return { at, statusCode: response.status, error: `HTTP ${response.status}`, durationMs };
    } catch (err) {
      const error = err as Error & { cause?: { code?: string; message?: string } };
      const reason =
        error.name === 'TimeoutError' ? `no answer within ${this.settings.current.timeoutMs} ms` : (error.cause?.code ?? error.cause?.message ?? error.message);
      return { at, statusCode: null, error: String(reason).slice(0, MAX_ERROR_LENGTH), durationMs: Date.now() - started };
    }
  }
}
