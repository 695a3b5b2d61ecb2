import { Injectable } from '@nestjs/common';
import { DomainEvents } from '../common/events/domain-events.js';
import { Database } from '../database/database.service.js';
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
export class ChangesService {
  constructor(
    private readonly repository: ChangesRepository,
    private readonly db: Database,
    private readonly events: DomainEvents,
  ) {}

  async append(environmentId: string, kind: ChangeKind, key: string, payload: object | null): Promise<number> {
    const sequence = await this.repository.nextSequence(environmentId);
    await this.repository.insert({ environmentId, sequence, kind, key, payload });
    this.db.afterCommit(() => this.events.emit('change.appended', { environmentId, sequence }));
    return sequence;
  }

  head(environmentId: string): Promise<number> {
    return this.repository.head(environmentId);
  }

  async since(environmentId: string, afterSequence: number, limit = 1000): Promise<Change[]> {
    const rows = await this.repository.since(environmentId, afterSequence, limit);
    return rows.map((r) => ({ sequence: Number(r.sequence), kind: r.kind, key: r.key, payload: r.payload, at: r.createdAt.toISOString() }));
  }
}
