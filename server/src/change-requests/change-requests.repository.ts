import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Database } from '../database/database.service.js';
import { ChangeRequestEntity, type ChangeRequestStatus } from './change-request.entity.js';

export interface ChangeRequestFilter {
  status?: ChangeRequestStatus;
  environmentId?: string;
  flagKey?: string;
  segmentKey?: string;
  /** Only requests numbered below this (the previous page's last). */
  before?: number;
}

@Injectable()
export class ChangeRequestsRepository {
  constructor(private readonly db: Database) {}

  private get requests() {
    return this.db.manager().getRepository(ChangeRequestEntity);
  }

  /** At most `limit` requests, newest first, and whether older ones match too. */
  async page(projectId: string, filter: ChangeRequestFilter, limit: number): Promise<{ items: ChangeRequestEntity[]; more: boolean }> {
    const rows = await this.requests.find({
      where: {
        projectId,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.environmentId ? { environmentId: filter.environmentId } : {}),
        ...(filter.flagKey ? { flagKey: filter.flagKey } : {}),
        ...(filter.segmentKey ? { segmentKey: filter.segmentKey } : {}),
        ...(filter.before !== undefined ? { number: LessThan(filter.before) } : {}),
      },
      order: { number: 'DESC' },
      take: limit + 1,
    });
    return { items: rows.slice(0, limit), more: rows.length > limit };
  }

  find(projectId: string, number: number): Promise<ChangeRequestEntity | null> {
    return this.requests.findOne({ where: { projectId, number } });
  }

  /** The request, locked until the transaction ends (two reviewers or an apply never interleave). */
  findForUpdate(projectId: string, number: number): Promise<ChangeRequestEntity | null> {
    return this.requests
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.project_id = :projectId AND r.number = :number', { projectId, number })
      .getOne();
  }

  /**
   * The project's next request number. A transaction-scoped advisory lock on the project makes two
   * requests created at once take different numbers (released at commit).
   */
  async nextNumber(projectId: string): Promise<number> {
    await this.db.manager().query(`SELECT pg_advisory_xact_lock(hashtext($1)::bigint)`, [`change_requests:${projectId}`]);
    const [row] = (await this.db
      .manager()
      .query(`SELECT COALESCE(MAX("number"), 0) + 1 AS next FROM "change_requests" WHERE "project_id" = $1`, [projectId])) as Array<{ next: number | string }>;
    return Number(row?.next ?? 1);
  }

  save(request: Partial<ChangeRequestEntity>): Promise<ChangeRequestEntity> {
    return this.requests.save(this.requests.create(request));
  }
}
