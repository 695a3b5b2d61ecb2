import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { KillSwitchController } from './kill-switch.controller.js';
import { KillSwitchService } from './kill-switch.service.js';

@Module({
  imports: [FlagsModule, ProjectsModule, ChangesModule, RealtimeModule],
  controllers: [KillSwitchController],
  providers: [KillSwitchService],
  exports: [KillSwitchService],
})
export class KillSwitchModule {}
