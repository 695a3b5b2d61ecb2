import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { StaleFlagsModule } from '../lifecycle/stale-flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { FlagConfigEntity } from './flag-config.entity.js';
import { FlagEntity } from './flag.entity.js';
import { FlagVersionsController } from './flag-versions.controller.js';
import { FlagVersionsService } from './flag-versions.service.js';
import { FlagsController } from './flags.controller.js';
import { FlagsRepository } from './flags.repository.js';
import { FlagsService } from './flags.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([FlagEntity, FlagConfigEntity]), ProjectsModule, SegmentsModule, ChangesModule, AuditModule, StaleFlagsModule],
  controllers: [FlagsController, FlagVersionsController],
  providers: [FlagsRepository, FlagsService, FlagVersionsService],
  exports: [FlagsService],
})
export class FlagsModule {}
