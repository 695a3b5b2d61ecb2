import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { EnvironmentEvaluationController } from './environment-evaluation.controller.js';
import { ExplainController } from './evaluation.controller.js';
import { EvaluationService } from './evaluation.service.js';

@Module({
  imports: [SnapshotsModule, ProjectsModule],
  controllers: [ExplainController, EnvironmentEvaluationController],
  providers: [EvaluationService],
  exports: [EvaluationService],
})
export class EvaluationModule {}
