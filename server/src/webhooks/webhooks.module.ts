import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookDestinations } from './webhook-destinations.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { WebhookSettings } from './webhook-settings.js';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscriptionEntity, WebhookDeliveryEntity]), ProjectsModule, AuditModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksRepository,
    WebhookSettings,
    WebhookDispatcher,
    WebhooksService,
    { provide: WebhookDestinations, useFactory: (config: AppConfig) => new WebhookDestinations(config.webhookPrivateAllowlist), inject: [APP_CONFIG] },
  ],
  exports: [WebhooksService, WebhookSettings],
})
export class WebhooksModule {}
