import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { ChangeRelay } from './change-relay.service.js';
import { ConsoleGateway } from './console.gateway.js';
import { ConsoleService } from './console.service.js';
import { PresenceRepository } from './presence.repository.js';
import { PresenceService } from './presence.service.js';
import { DeliveryStatusController, SdkDeliveryController } from './sdk-delivery.controller.js';
import { SdkPresenceEntity } from './sdk-presence.entity.js';
import { SdkGateway } from './sdk.gateway.js';
import { SseHeartbeat } from './sse-frames.js';

@Module({
  imports: [TypeOrmModule.forFeature([SdkPresenceEntity]), AuthModule, ChangesModule, SnapshotsModule, ProjectsModule],
  controllers: [SdkDeliveryController, DeliveryStatusController],
  providers: [
    PresenceRepository,
    PresenceService,
    ChangeRelay,
    SdkGateway,
    ConsoleService,
    ConsoleGateway,
    { provide: SseHeartbeat, useFactory: () => new SseHeartbeat() },
  ],
  exports: [PresenceService, ChangeRelay],
})
export class RealtimeModule {}
