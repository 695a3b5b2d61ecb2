import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { ShadowReportsController } from './shadow-reports.controller.js';
import { ShadowReportsService } from './shadow-reports.service.js';

@Module({
  imports: [ProjectsModule, FlagsModule, TelemetryModule],
  controllers: [ShadowReportsController],
  providers: [ShadowReportsService],
  exports: [ShadowReportsService],
})
export class ShadowReportsModule {}
