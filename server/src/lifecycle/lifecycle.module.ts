import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { LifecycleController } from './lifecycle.controller.js';
import { LifecycleService } from './lifecycle.service.js';

@Module({
  imports: [FlagsModule, ProjectsModule, TelemetryModule],
  controllers: [LifecycleController],
  providers: [LifecycleService],
  exports: [LifecycleService],
})
export class LifecycleModule {}
