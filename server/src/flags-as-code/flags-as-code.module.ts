import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { FlagsAsCodeController } from './flags-as-code.controller.js';
import { FlagsAsCodeService } from './flags-as-code.service.js';

/** Export, plan and apply of Signalbox files; every write goes through the flags and segments services. */
@Module({
  imports: [FlagsModule, SegmentsModule, ProjectsModule],
  controllers: [FlagsAsCodeController],
  providers: [FlagsAsCodeService],
})
export class FlagsAsCodeModule {}
