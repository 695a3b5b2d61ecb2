import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../common/events/domain-events.js';
import { CHANNELS } from '../database/database-target.js';
import { Database } from '../database/database.service.js';
import { NotificationsService } from '../database/notifications.service.js';
import type { ChangeKind } from './change.entity.js';
import { ChangesRepository } from './changes.repository.js';

export interface Change {
  sequence: number;
  kind: ChangeKind;
  key: string;
  /** The new state, or null when the flag or segment is gone. */
  payload: unknown;
  at: string;
}

/**
 * The per-environment change log: the source of truth for delivery. Appends happen inside the
 * writer's transaction, so a change and its log entry commit (or vanish) together.
 */
@Injectable()
export class ChangesService implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repository: ChangesRepository,
    private readonly db: Database,
    private readonly events: DomainEvents,
    private readonly notifications: NotificationsService,
  ) {}

  // Other instances' commits arrive as notifications; consumers treat repeats as no-ops.
  onModuleInit(): void {
    this.unsubscribe = this.notifications.on(CHANNELS.changes, (payload) => {
      const { e, s, reconnected } = payload as { e?: unknown; s?: unknown; reconnected?: unknown };
      if (reconnected) this.events.emit('changes.lost', {});
      else if (typeof e === 'string' && typeof s === 'number') this.events.emit('change.appended', { environmentId: e, sequence: s });
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async append(environmentId: string, kind: ChangeKind, key: string, payload: object | null): Promise<number> {
    const sequence = await this.repository.nextSequence(environmentId);
    await this.repository.insert({ environmentId, sequence, kind, key, payload });
    // NOTIFY is transactional: it reaches every instance on commit, and never for a rollback.
    await this.notifications.notify(CHANNELS.changes, { e: environmentId, s: sequence });
    // This instance needs no round trip through the database to learn of its own commit.
    this.db.afterCommit(() => this.events.emit('change.appended', { environmentId, sequence }));
    return sequence;
  }

  head(environmentId: string): Promise<number> {
    return this.repository.head(environmentId);
  }

  heads(environmentIds: string[]): Promise<Map<string, number>> {
    return this.repository.heads(environmentIds);
  }

  async since(environmentId: string, afterSequence: number, limit = 1000): Promise<Change[]> {
    const rows = await this.repository.since(environmentId, afterSequence, limit);
    return rows.map((r) => ({ sequence: Number(r.sequence), kind: r.kind, key: r.key, payload: r.payload, at: r.createdAt.toISOString() }));
  }
}
