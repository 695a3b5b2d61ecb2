import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { AuditEntryEntity } from './audit-entry.entity.js';

export interface AuditFilter {
  projectKey?: string;
  environmentKey?: string;
  resourceType?: string;
  resourceKey?: string;
  actorName?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (the previous page's cursor). */
  beforeId?: number;
  /** Leave out entries about these resource types (what the caller may not see). */
  excludeResourceTypes?: readonly string[];
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async insert(entry: Omit<AuditEntryEntity, 'id' | 'at'>): Promise<void> {
    await this.db.manager().getRepository(AuditEntryEntity).insert(entry);
  }

  find(filter: AuditFilter): Promise<AuditEntryEntity[]> {
    const query = this.db.manager().getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (filter.projectKey !== undefined) query.andWhere('a.project_key = :projectKey', { projectKey: filter.projectKey });
    if (filter.environmentKey !== undefined) query.andWhere('a.environment_key = :environmentKey', { environmentKey: filter.environmentKey });
    if (filter.resourceType !== undefined) query.andWhere('a.resource_type = :resourceType', { resourceType: filter.resourceType });
    if (filter.resourceKey !== undefined) query.andWhere('a.resource_key = :resourceKey', { resourceKey: filter.resourceKey });
    if (filter.excludeResourceTypes?.length) query.andWhere('a.resource_type NOT IN (:...excluded)', { excluded: filter.excludeResourceTypes });
    if (filter.actorName !== undefined) query.andWhere('a.actor_name = :actorName', { actorName: filter.actorName });
    // Half-open range [from, to).
    if (filter.from !== undefined) query.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to !== undefined) query.andWhere('a.at < :to', { to: filter.to });
    if (filter.beforeId !== undefined) query.andWhere('a.id < :beforeId', { beforeId: filter.beforeId });
    return query.orderBy('a.id', 'DESC').limit(filter.limit).getMany();
  }
}
