import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of this instance (delivery, HTTP and the Node.js process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connectedSdks = new Gauge({
    name: 'signalbox_connected_sdks',
    help: 'SDK connections (socket.io and SSE) held by this instance, per environment',
    labelNames: ['environment', 'transport'] as const,
    registers: [this.registry],
  });

  readonly messagesSent = new Counter({
    name: 'signalbox_delivery_messages_sent_total',
    help: 'Snapshot and change messages sent to SDKs',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly relayLag = new Histogram({
    name: 'signalbox_delivery_relay_lag_seconds',
    help: 'Time from a change being committed to this instance sending it to its SDKs',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'signalbox_' });
  }
}
