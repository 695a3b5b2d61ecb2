import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Database } from '../database/database.service.js';
import { ExperimentEntity } from './experiment.entity.js';

@Injectable()
export class ExperimentsRepository {
  constructor(private readonly db: Database) {}

  private get experiments() {
    return this.db.manager().getRepository(ExperimentEntity);
  }

  list(projectId: string, filter: { flagKey?: string; environmentId?: string; status?: string }): Promise<ExperimentEntity[]> {
    return this.experiments.find({
      where: {
        projectId,
        ...(filter.flagKey ? { flagKey: filter.flagKey } : {}),
        ...(filter.environmentId ? { environmentId: filter.environmentId } : {}),
        ...(filter.status ? { status: filter.status as ExperimentEntity['status'] } : {}),
      },
      order: { createdAt: 'DESC' },
    });
  }

  find(projectId: string, key: string): Promise<ExperimentEntity | null> {
    return this.experiments.findOneBy({ projectId, key });
  }

  findRunning(environmentId: string, flagKey: string): Promise<ExperimentEntity | null> {
    return this.experiments.findOneBy({ environmentId, flagKey, status: 'running' });
  }

  runningAttributed(environmentId: string, flagKeys: string[]): Promise<ExperimentEntity[]> {
    return this.experiments.findBy({ environmentId, flagKey: In(flagKeys), status: 'running', attributed: true });
  }

  running(): Promise<ExperimentEntity[]> {
    return this.experiments.findBy({ status: 'running' });
  }

  /** Serialises experiment writes on one flag in one environment until the transaction ends. */
  async lockFlag(environmentId: string, flagKey: string): Promise<void> {
    await this.db.manager().query(`SELECT pg_advisory_xact_lock(hashtext('experiment:' || $1 || ':' || $2))`, [environmentId, flagKey]);
  }

  save(experiment: Partial<ExperimentEntity>): Promise<ExperimentEntity> {
    return this.experiments.save(this.experiments.create(experiment));
  }
}
