import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { settledWithin } from '../common/async/settled-within.js';
import { Database } from '../database/database.service.js';
import { NotificationsService } from '../database/notifications.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ChangeRelay } from '../realtime/change-relay.service.js';
import { Draining } from './draining.js';

/** A feed may trail the change log this long (a burst, a slow query) before the instance is unready. */
export const RELAY_LAG_BOUND_MS = 5_000;
const DATABASE_PING_TIMEOUT_MS = 2_000;

export type Readiness = { ready: true } | { ready: false; reasons: string[] };

/**
 * Whether this instance can be trusted to deliver: it is not shutting down, the database answers,
 * it hears other instances' changes (LISTEN), and its relay keeps up with the change log.
 * The same facts are exported as metrics, so an alert can say which one failed.
 */
@Injectable()
export class DeliveryHealth implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly notifications: NotificationsService,
    private readonly relay: ChangeRelay,
    private readonly metrics: MetricsService,
    private readonly draining: Draining,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const notifications = this.notifications;
    const relay = this.relay;
    new Gauge({
      name: 'signalbox_listen_up',
      help: '1 while this instance holds its LISTEN session (hears changes made through other instances), else 0',
      registers,
      collect() {
        this.set(notifications.state().listening ? 1 : 0);
      },
    });
    new Counter({
      name: 'signalbox_listen_reconnects_total',
      help: 'LISTEN sessions this instance opened again after losing one',
      registers,
      collect() {
        this.reset();
        this.inc(notifications.state().reconnects);
      },
    });
    new Gauge({
      name: 'signalbox_delivery_relay_behind_changes',
      help: 'Changes committed to the change log that this instance has not yet relayed to its SDKs',
      registers,
      collect() {
        this.set(relay.health().behindChanges);
      },
    });
    new Gauge({
      name: 'signalbox_delivery_relay_behind_seconds',
      help: 'How long the environment furthest behind has trailed the change log on this instance',
      registers,
      collect() {
        this.set(relay.health().lagMs / 1000);
      },
    });
    new Gauge({
      name: 'signalbox_delivery_sdks_behind_head',
      help: "SDK connections of this instance that have not confirmed their environment's newest change",
      registers,
      collect() {
        this.set(relay.health().sdksBehind);
      },
    });
  }

  async readiness(): Promise<Readiness> {
    const reasons: string[] = [];
    if (this.draining.active) reasons.push('This instance is shutting down');
    const answered = await settledWithin(
      this.db.ping().then(
        () => true,
        () => false,
      ),
      DATABASE_PING_TIMEOUT_MS,
      false,
    );
    if (!answered) reasons.push(`The database did not answer within ${DATABASE_PING_TIMEOUT_MS} ms`);
    const listen = this.notifications.state();
    if (!listen.listening) {
      const since = listen.downSince !== undefined ? ` for ${Math.round((Date.now() - listen.downSince) / 1000)} s` : '';
      reasons.push(`Not listening for changes made through other instances${since} (the LISTEN session is reconnecting)`);
    }
    const relay = this.relay.health();
    if (relay.lagMs > RELAY_LAG_BOUND_MS)
      reasons.push(`Delivery trails the change log by ${relay.behindChanges} changes for ${Math.round(relay.lagMs / 1000)} s`);
    return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
  }
}
