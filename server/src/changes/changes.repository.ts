import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import { Database } from '../database/database.service.js';
import { ChangeEntity, type ChangeKind, ChangeLogHeadEntity } from './change.entity.js';

@Injectable()
export class ChangesRepository {
  constructor(private readonly db: Database) {}

  /** Takes the next sequence of the environment; the head row stays locked until commit, ordering writers. */
  async nextSequence(environmentId: string): Promise<number> {
    const rows: Array<{ sequence: number }> = await this.db
      .manager()
      .query(
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

  since(environmentId: string, afterSequence: number, limit: number): Promise<ChangeEntity[]> {
    return this.db
      .manager()
      .getRepository(ChangeEntity)
      .find({ where: { environmentId, sequence: MoreThan(afterSequence) }, order: { sequence: 'ASC' }, take: limit });
  }
}
