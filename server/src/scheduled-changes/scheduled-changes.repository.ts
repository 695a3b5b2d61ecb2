import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { ScheduledChangeEntity, type ScheduledChangeStatus } from './scheduled-change.entity.js';

// Any 64-bit key unique to this job ("sbschedc" in ASCII): the same
// transaction-scoped advisory lock the rollout scheduler takes, under a key of its own, so a long
// rollout pass never delays a change that is due.
export const SCHEDULED_CHANGES_LOCK_KEY = '8314334732869788771';

@Injectable()
export class ScheduledChangesRepository {
  constructor(private readonly db: Database) {}

  private get changes() {
    return this.db.manager().getRepository(ScheduledChangeEntity);
  }

  list(environmentId: string, flagKey: string, status?: ScheduledChangeStatus): Promise<ScheduledChangeEntity[]> {
    return this.changes.find({ where: { environmentId, flagKey, ...(status ? { status } : {}) }, order: { runAt: 'ASC', createdAt: 'ASC' } });
  }

  /** The change, locked until the transaction ends (an edit and the scheduler never both act on it). */
  findForUpdate(id: string): Promise<ScheduledChangeEntity | null> {
    return this.changes.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
  }

  /**
   * The oldest due change, locked; one another transaction holds is skipped (it is being applied or
   * edited). The status check after the lock is what makes a change fire once.
   */
  nextDueForUpdate(now: Date): Promise<ScheduledChangeEntity | null> {
    return this.changes
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .where('c.status = :status AND c.run_at <= :now', { status: 'scheduled', now })
      .orderBy('c.run_at', 'ASC')
      .addOrderBy('c.created_at', 'ASC')
      .limit(1)
      .getOne();
  }

  /** When the next scheduled change is due, across every flag (null: none). */
  async nextRunAt(): Promise<Date | null> {
    const row = await this.changes
      .createQueryBuilder('c')
      .select('MIN(c.run_at)', 'next')
      .where('c.status = :status', { status: 'scheduled' })
      .getRawOne<{ next: Date | string | null }>();
    return row?.next ? new Date(row.next) : null;
  }

  /**
   * One scheduler at a time across instances: a transaction-scoped advisory lock, released at
   * commit (the embedded database shares one session, where a session lock would outlive the pass).
   */
  async trySchedulerLock(): Promise<boolean> {
    const [row] = (await this.db.manager().query(`SELECT pg_try_advisory_xact_lock(${SCHEDULED_CHANGES_LOCK_KEY}::bigint) AS locked`)) as Array<{
      locked: boolean;
    }>;
    return row?.locked === true;
  }

  /** Lets a failed apply be undone without losing the transaction that marks the change failed. */
  async savepoint(name: string): Promise<void> {
    await this.db.manager().query(`SAVEPOINT ${name}`);
  }

  async rollbackTo(name: string): Promise<void> {
    await this.db.manager().query(`ROLLBACK TO SAVEPOINT ${name}`);
  }

  async release(name: string): Promise<void> {
    await this.db.manager().query(`RELEASE SAVEPOINT ${name}`);
  }

  save(change: Partial<ScheduledChangeEntity>): Promise<ScheduledChangeEntity> {
    return this.changes.save(this.changes.create(change));
  }
}
