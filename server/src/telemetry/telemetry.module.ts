import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectsModule } from '../projects/projects.module.js';
import { EvaluationRollupEntity } from './evaluation-rollup.entity.js';
import { FlagLastEvaluatedEntity } from './flag-last-evaluated.entity.js';
import { MetricRollupEntity } from './metric-rollup.entity.js';
import { ShadowSampleEntity } from './shadow-sample.entity.js';
import { TelemetryIngestController, TelemetryQueryController } from './telemetry.controller.js';
import { TelemetryRepository } from './telemetry.repository.js';
import { TelemetryRetentionService } from './telemetry-retention.service.js';
import { TelemetryService } from './telemetry.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([MetricRollupEntity, EvaluationRollupEntity, FlagLastEvaluatedEntity, ShadowSampleEntity]), ProjectsModule],
  controllers: [TelemetryIngestController, TelemetryQueryController],
  providers: [TelemetryRepository, TelemetryService, TelemetryRetentionService],
  exports: [TelemetryService],
})
export class TelemetryModule {}
