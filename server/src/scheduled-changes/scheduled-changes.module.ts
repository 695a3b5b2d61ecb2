import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { ScheduledChangeEntity } from './scheduled-change.entity.js';
import { ScheduledChangeScheduler } from './scheduled-change-scheduler.service.js';
import { ScheduledChangesController } from './scheduled-changes.controller.js';
import { ScheduledChangesRepository } from './scheduled-changes.repository.js';
import { ScheduledChangesService } from './scheduled-changes.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ScheduledChangeEntity]), ProjectsModule, FlagsModule, SegmentsModule, AuditModule],
  controllers: [ScheduledChangesController],
  providers: [ScheduledChangesRepository, ScheduledChangesService, ScheduledChangeScheduler],
  exports: [ScheduledChangesService],
})
export class ScheduledChangesModule {}
