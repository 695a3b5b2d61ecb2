import { describe, expect, it } from 'vitest';
import type { Database } from '../database/database.service.js';
import type { ListenState, NotificationsService } from '../database/notifications.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { ChangeRelay, RelayHealth } from '../realtime/change-relay.service.js';
import { DeliveryHealth, RELAY_LAG_BOUND_MS } from './delivery-health.service.js';
import { Draining } from './draining.js';

// The readiness rules over stated facts; the e2e tests produce these facts with real faults.
const healthWith = (facts: { ping?: () => Promise<void>; listen?: Partial<ListenState>; relay?: Partial<RelayHealth>; draining?: boolean }) => {
  const draining = new Draining();
  draining.active = facts.draining ?? false;
  const db = { ping: facts.ping ?? (async () => undefined) } as unknown as Database;
  const notifications = { state: () => ({ listening: true, reconnects: 0, downSince: undefined, ...facts.listen }) } as unknown as NotificationsService;
  const relay = { health: () => ({ behindChanges: 0, lagMs: 0, sdksBehind: 0, checked: true, ...facts.relay }) } as unknown as ChangeRelay;
  return new DeliveryHealth(db, notifications, relay, new MetricsService(), draining);
};

describe('readiness', () => {
  it('is ready when nothing is wrong', async () => {
    expect(await healthWith({}).readiness()).toEqual({ ready: true });
  });

  it('names each thing that is wrong', async () => {
    const readiness = await healthWith({
      draining: true,
      ping: () => Promise.reject(new Error('ECONNREFUSED')),
      listen: { listening: false, downSince: Date.now() - 3000 },
      relay: { behindChanges: 12, lagMs: RELAY_LAG_BOUND_MS + 1000 },
    }).readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.ready === false && readiness.reasons).toEqual([
      'This instance is shutting down',
      expect.stringMatching(/^The database did not answer within/),
      expect.stringMatching(/^Not listening for changes made through other instances for 3 s/),
      'Delivery trails the change log by 12 changes for 6 s',
    ]);
  });

  it('tolerates a relay that trails the log briefly (a burst), but not beyond the bound', async () => {
    expect(await healthWith({ relay: { behindChanges: 3, lagMs: RELAY_LAG_BOUND_MS - 1 } }).readiness()).toEqual({ ready: true });
    expect((await healthWith({ relay: { behindChanges: 3, lagMs: RELAY_LAG_BOUND_MS + 1 } }).readiness()).ready).toBe(false);
  });

  it('does not wait for a database that never answers', async () => {
    const readiness = await healthWith({ ping: () => new Promise(() => undefined) }).readiness();
    expect(readiness.ready).toBe(false);
  });
});
