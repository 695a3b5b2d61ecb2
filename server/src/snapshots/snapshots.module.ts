import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { SnapshotsService } from './snapshots.service.js';

@Module({ imports: [FlagsModule], providers: [SnapshotsService], exports: [SnapshotsService] })
export class SnapshotsModule {}
