import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { SegmentUsageModule } from '../flags/segment-usage.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { ScheduledChangesModule } from '../scheduled-changes/scheduled-changes.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { ChangeRequestEntity } from './change-request.entity.js';
import { ChangeRequestGate } from './change-request-gate.service.js';
import { ChangeRequestsController } from './change-requests.controller.js';
import { ChangeRequestsRepository } from './change-requests.repository.js';
import { ChangeRequestsService } from './change-requests.service.js';

// Global: the flag, revert, kill-switch, flags-as-code, scheduled-change, rollout-plan and segment routes ask the gate before writing, and
// importing this module there would make a cycle (this module writes through FlagsService).
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([ChangeRequestEntity]),
    ProjectsModule,
    FlagsModule,
    SegmentsModule,
    SegmentUsageModule,
    RolloutsModule,
    ScheduledChangesModule,
    AuditModule,
  ],
  controllers: [ChangeRequestsController],
  providers: [ChangeRequestsRepository, ChangeRequestsService, ChangeRequestGate],
  exports: [ChangeRequestGate],
})
export class ChangeRequestsModule {}
