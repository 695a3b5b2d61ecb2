import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EvaluationModule } from '../evaluation/evaluation.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { SdkReadHandler } from './sdk-read.handler.js';

@Module({ imports: [AuthModule, SnapshotsModule, EvaluationModule, TelemetryModule], providers: [SdkReadHandler], exports: [SdkReadHandler] })
export class SdkApiModule {}
