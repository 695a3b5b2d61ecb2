import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Database } from '../database/database.service.js';
import { RolloutPlanEntity, type RolloutStatus } from './rollout-plan.entity.js';

export const ACTIVE_STATUSES: RolloutStatus[] = ['waiting-for-baseline', 'running', 'paused'];
// Any 64-bit key unique to this job: "sbrollout" in ASCII, trimmed to fit a bigint.
export const ROLLOUT_SCHEDULER_LOCK_KEY = '7310593858836739188';

@Injectable()
export class RolloutsRepository {
  constructor(private readonly db: Database) {}

  private get plans() {
    return this.db.manager().getRepository(RolloutPlanEntity);
  }

  list(environmentId: string, flagKey: string): Promise<RolloutPlanEntity[]> {
    return this.plans.find({ where: { environmentId, flagKey }, order: { createdAt: 'DESC' } });
  }

  find(id: string): Promise<RolloutPlanEntity | null> {
    return this.plans.findOneBy({ id });
  }

  findForUpdate(id: string): Promise<RolloutPlanEntity | null> {
    return this.plans.createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :id', { id }).getOne();
  }

  runningAttributed(environmentId: string, flagKeys: string[]): Promise<RolloutPlanEntity[]> {
    return this.plans.findBy({ environmentId, flagKey: In(flagKeys), status: In(['running', 'paused']), attributed: true });
  }

  findActive(environmentId: string, flagKey: string): Promise<RolloutPlanEntity | null> {
    return this.plans.findOneBy({ environmentId, flagKey, status: In(ACTIVE_STATUSES) });
  }

  /** Plans the scheduler works on, locked until the tick's transaction ends. */
  activeForUpdate(): Promise<RolloutPlanEntity[]> {
    return this.plans
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.status IN (:...statuses)', { statuses: ['waiting-for-baseline', 'running', 'paused'] })
      .orderBy('p.created_at', 'ASC')
      .getMany();
  }

  /**
   * One scheduler at a time across instances: a transaction-scoped advisory lock, released at
   * commit. Transaction-scoped because the embedded database shares one session through a lease,
   * where a session lock would outlive the tick and be held by whoever uses the session next.
   */
  async trySchedulerLock(): Promise<boolean> {
    const [row] = (await this.db.manager().query(`SELECT pg_try_advisory_xact_lock(${ROLLOUT_SCHEDULER_LOCK_KEY}::bigint) AS locked`)) as Array<{
      locked: boolean;
    }>;
    return row?.locked === true;
  }

  /** Serialises plan creation on one flag in one environment until the transaction ends. */
  async lockFlag(environmentId: string, flagKey: string): Promise<void> {
    await this.db.manager().query(`SELECT pg_advisory_xact_lock(hashtext('rollout:' || $1 || ':' || $2))`, [environmentId, flagKey]);
  }

  save(plan: Partial<RolloutPlanEntity>): Promise<RolloutPlanEntity> {
    return this.plans.save(this.plans.create(plan));
  }
}
