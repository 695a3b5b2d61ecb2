import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/principal.js';
import { currentRequestId } from '../common/logging/request-context.js';
import { AuditRepository, type AuditFilter } from './audit.repository.js';
import type { AuditEntryEntity } from './audit-entry.entity.js';

export interface AuditRecord {
  actor: Actor;
  action: string;
  resourceType: 'project' | 'environment' | 'flag' | 'segment' | 'user' | 'token' | 'sdk-key' | 'trigger' | 'webhook';
  resourceKey: string;
  projectKey?: string | null;
  environmentKey?: string | null;
  reason?: string | null;
  before?: object | null;
  after?: object | null;
}

export interface AuditPage {
  items: AuditEntryEntity[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  /** Appends an entry in the caller's transaction, so a change and its record commit together. */
  async record(record: AuditRecord): Promise<void> {
    await this.repository.insert({
      actorType: record.actor.type,
      actorId: record.actor.id,
      actorName: record.actor.name,
      action: record.action,
      resourceType: record.resourceType,
      resourceKey: record.resourceKey,
      projectKey: record.projectKey ?? null,
      environmentKey: record.environmentKey ?? null,
      reason: record.reason ?? null,
      before: record.before ?? null,
      after: record.after ?? null,
      requestId: currentRequestId() ?? null,
    });
  }

  async query(filter: Omit<AuditFilter, 'beforeId'> & { cursor?: string }): Promise<AuditPage> {
    const { cursor, ...rest } = filter;
    const items = await this.repository.find({ ...rest, beforeId: cursor ? Number(cursor) : undefined, limit: filter.limit + 1 });
    const page = items.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: items.length > filter.limit && last ? String(last.id) : null };
  }
}
