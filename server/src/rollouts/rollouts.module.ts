import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { Clock, SystemClock } from './clock.js';
import { RolloutPlanEntity } from './rollout-plan.entity.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';
import { RolloutDefaultsController, RolloutsController } from './rollouts.controller.js';
import { RolloutsRepository } from './rollouts.repository.js';
import { RolloutsService } from './rollouts.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([RolloutPlanEntity]), ProjectsModule, FlagsModule, TelemetryModule, AuditModule],
  controllers: [RolloutsController, RolloutDefaultsController],
  providers: [RolloutsRepository, RolloutsService, RolloutScheduler, { provide: Clock, useClass: SystemClock }],
  exports: [RolloutsService],
})
export class RolloutsModule {}
