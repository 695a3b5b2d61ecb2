import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { ExplainController } from './evaluation.controller.js';
import { EvaluationService } from './evaluation.service.js';

@Module({ imports: [SnapshotsModule, ProjectsModule], controllers: [ExplainController], providers: [EvaluationService], exports: [EvaluationService] })
export class EvaluationModule {}
