import { Injectable } from '@nestjs/common';

export interface WebhookOptions {
  /** Wait before retry n (the last value repeats); a random ±jitter fraction spreads retries out. */
  backoffMs: number[];
  jitter: number;
  /** Attempts per delivery before it is marked failed. */
  maxAttempts: number;
  /** Failed attempts in a row (any delivery) after which a subscription is disabled. */
  disableAfterFailures: number;
  pollIntervalMs: number;
  timeoutMs: number;
  batchSize: number;
  /** How long a worker holds a claimed delivery; a crashed worker's claim expires after it. */
  leaseMs: number;
}

export const WEBHOOK_EVENTS = [
  'flag.changed',
  'flag.killed',
  'flag.restored',
  'rollout.advanced',
  'rollout.rolled_back',
  'experiment.decided',
  'scheduled_change.failed',
  'change_request.created',
  'change_request.approved',
  'change_request.applied',
  'change_request.rejected',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Sent by "send test event" only; no subscription needs to list it. */
export const TEST_EVENT = 'webhook.test';

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  // 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h: about 11 hours in all before a delivery fails.
  backoffMs: [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000],
  jitter: 0.1,
  maxAttempts: 9,
  disableAfterFailures: 10,
  pollIntervalMs: 1_000,
  timeoutMs: 10_000,
  batchSize: 20,
  leaseMs: 60_000,
};

/** The delivery schedule; replaceable (tests shorten the backoff to milliseconds). */
@Injectable()
export class WebhookSettings {
  private options: WebhookOptions = { ...DEFAULT_WEBHOOK_OPTIONS };

  get current(): Readonly<WebhookOptions> {
    return this.options;
  }

  use(options: Partial<WebhookOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** Delay before the attempt after `failedAttempts` failures. */
  backoff(failedAttempts: number, random: () => number = Math.random): number {
    const { backoffMs, jitter } = this.options;
    const base = backoffMs[Math.min(failedAttempts, backoffMs.length) - 1] ?? 0;
    return Math.round(base * (1 + jitter * (2 * random() - 1)));
  }
}
