import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { StaleFlagsReadModel } from './stale-flags.read-model.js';

/** The stale-flag read model alone, so the flags module can depend on it without depending on the lifecycle module (which depends on flags). */
@Module({
  imports: [ProjectsModule, TelemetryModule],
  providers: [StaleFlagsReadModel],
  exports: [StaleFlagsReadModel],
})
export class StaleFlagsModule {}
