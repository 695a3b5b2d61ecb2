import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { ExperimentEntity } from './experiment.entity.js';
import { ExperimentScheduler } from './experiment-scheduler.service.js';
import { ExperimentRecommendationsController, ExperimentsController } from './experiments.controller.js';
import { ExperimentsRepository } from './experiments.repository.js';
import { ExperimentsService } from './experiments.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ExperimentEntity]), ProjectsModule, FlagsModule, TelemetryModule, AuditModule],
  controllers: [ExperimentsController, ExperimentRecommendationsController],
  providers: [ExperimentsRepository, ExperimentsService, ExperimentScheduler],
  exports: [ExperimentsService],
})
export class ExperimentsModule {}
