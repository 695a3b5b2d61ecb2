import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { LifecycleController } from './lifecycle.controller.js';
import { LifecycleService } from './lifecycle.service.js';
import { StaleFlagsModule } from './stale-flags.module.js';

@Module({
  imports: [FlagsModule, ProjectsModule, StaleFlagsModule],
  controllers: [LifecycleController],
  providers: [LifecycleService],
  exports: [LifecycleService],
})
export class LifecycleModule {}
