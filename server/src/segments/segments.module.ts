import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { SegmentUsageModule } from '../flags/segment-usage.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SegmentEntity } from './segment.entity.js';
import { SegmentsController } from './segments.controller.js';
import { SegmentsRepository } from './segments.repository.js';
import { SegmentsService } from './segments.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([SegmentEntity]), ProjectsModule, ChangesModule, AuditModule, SegmentUsageModule],
  controllers: [SegmentsController],
  providers: [SegmentsRepository, SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
