import { Global, Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { DeliveryHealth } from './delivery-health.service.js';
import { Draining } from './draining.js';
import { HealthController } from './health.controller.js';

@Global()
@Module({ imports: [RealtimeModule], controllers: [HealthController], providers: [DeliveryHealth, Draining], exports: [Draining] })
export class HealthModule {}
