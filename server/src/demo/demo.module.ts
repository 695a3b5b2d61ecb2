import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { KillSwitchModule } from '../kill-switch/kill-switch.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { SegmentsModule } from '../segments/segments.module.js';
import { DemoService } from './demo.service.js';

@Module({ imports: [ProjectsModule, SegmentsModule, FlagsModule, KillSwitchModule], providers: [DemoService] })
export class DemoModule {}
