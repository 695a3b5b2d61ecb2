import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import { Database } from '../database/database.service.js';
import { ChangeEntity, type ChangeKind, ChangeLogHeadEntity } from './change.entity.js';

@Injectable()
export class ChangesRepository {
  constructor(private readonly db: Database) {}

  /** Takes the next sequence of the environment; the head row stays locked until commit, ordering writers. */
  async nextSequence(environmentId: string): Promise<number> {
    const rows: Array<{ sequence: number }> = await this.db.manager().query(
      `INSERT INTO change_log_heads (environment_id, sequence) VALUES ($1, 1)
         ON CONFLICT (environment_id) DO UPDATE SET sequence = change_log_heads.sequence + 1
         RETURNING sequence`,
      [environmentId],
    );
    return Number(rows[0]!.sequence);
  }

  async insert(change: { environmentId: string; sequence: number; kind: ChangeKind; key: string; payload: object | null }): Promise<void> {
    await this.db.manager().getRepository(ChangeEntity).insert(change);
  }

  async head(environmentId: string): Promise<number> {
    const head = await this.db.manager().getRepository(ChangeLogHeadEntity).findOneBy({ environmentId });
    return head ? Number(head.sequence) : 0;
  }

  /** The heads of several environments at once (absent: no change yet). */
  async heads(environmentIds: string[]): Promise<Map<string, number>> {
    if (environmentIds.length === 0) return new Map();
    const rows: Array<{ environment_id: string; sequence: number }> = await this.db
      .manager()
      .query('SELECT environment_id, sequence FROM change_log_heads WHERE environment_id = ANY($1::uuid[])', [environmentIds]);
    return new Map(rows.map((r) => [r.environment_id, Number(r.sequence)]));
  }

  since(environmentId: string, afterSequence: number, limit: number): Promise<ChangeEntity[]> {
    return this.db
      .manager()
      .getRepository(ChangeEntity)
      .find({ where: { environmentId, sequence: MoreThan(afterSequence) }, order: { sequence: 'ASC' }, take: limit });
  }
}
