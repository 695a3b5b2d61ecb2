import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/principal.js';
import { currentRequestId } from '../common/logging/request-context.js';
import { CHANNELS } from '../database/database-target.js';
import { NotificationsService } from '../database/notifications.service.js';
import { AuditRepository, type AuditFilter } from './audit.repository.js';
import type { AuditResourceType } from './audit-entry.entity.js';
import type { AuditPageResponse } from './dto/audit-entry.response.js';

export interface AuditRecord {
  actor: Actor;
  action: string;
  resourceType: AuditResourceType;
  resourceKey: string;
  projectKey?: string | null;
  environmentKey?: string | null;
  reason?: string | null;
  before?: object | null;
  after?: object | null;
  /** False for entries no console shows as a change (sign-ins): they are not announced to consoles, who would recheck credentials. */
  announce?: boolean;
}

/**
 * Entries only admins may read: they name users (emails, roles), API tokens (names, scopes) and
 * webhooks (full URLs, which may carry credentials) — what /users, /tokens and /webhooks refuse to
 * everyone else. Other callers do not get these entries at all (left out by the query, so pages
 * stay full and cursors keep working); the rest of the log, actors included, is theirs to read.
 */
export const ADMIN_ONLY_RESOURCE_TYPES: readonly AuditRecord['resourceType'][] = ['user', 'token', 'webhook'];

/**
 * What every instance hears of an audited change (NOTIFY on the console channel): which resource,
 * where, and what was done, so open consoles refetch it. Never the before/after, reason or actor.
 */
export interface AuditNotice {
  project: string | null;
  environment: string | null;
  resourceType: AuditResourceType;
  key: string;
  action: string;
}

/** Who reads the log: admins see every entry, everyone else all but the admin-only ones. */
export type AuditAudience = 'admin' | 'member';

@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Appends an entry in the caller's transaction, so a change and its record commit together, and
   * announces it to every instance on commit (never for a rollback).
   */
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
    if (record.announce === false) return;
    const notice: AuditNotice = {
      project: record.projectKey ?? null,
      environment: record.environmentKey ?? null,
      resourceType: record.resourceType,
      key: record.resourceKey,
      action: record.action,
    };
    await this.notifications.notify(CHANNELS.console, notice);
  }

  async query(filter: Omit<AuditFilter, 'beforeId' | 'excludeResourceTypes'> & { cursor?: string }, audience: AuditAudience): Promise<AuditPageResponse> {
    const { cursor, ...rest } = filter;
    const excludeResourceTypes = audience === 'admin' ? undefined : ADMIN_ONLY_RESOURCE_TYPES;
    const items = await this.repository.find({ ...rest, excludeResourceTypes, beforeId: cursor ? Number(cursor) : undefined, limit: filter.limit + 1 });
    const page = items.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: items.length > filter.limit && last ? String(last.id) : null };
  }
}
