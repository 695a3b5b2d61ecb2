import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';

export interface PresenceRow {
  id: string;
  instanceId: string;
  environmentId: string;
  transport: string;
  client: string | null;
  ackedSequence: number;
}

@Injectable()
export class PresenceRepository {
  constructor(private readonly db: Database) {}

  /** Inserts or refreshes connections; an acked sequence never goes backwards. */
  async upsert(rows: PresenceRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values: unknown[] = [];
    const tuples = rows.map((r, i) => {
      values.push(r.id, r.instanceId, r.environmentId, r.transport, r.client, r.ackedSequence);
      const o = i * 6;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, now())`;
    });
    await this.db.manager().query(
      `INSERT INTO sdk_connections (id, instance_id, environment_id, transport, client, acked_sequence, last_seen_at) VALUES ${tuples.join(', ')}
       ON CONFLICT (id) DO UPDATE SET acked_sequence = GREATEST(sdk_connections.acked_sequence, EXCLUDED.acked_sequence), last_seen_at = now()`,
      values,
    );
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.db.manager().query('DELETE FROM sdk_connections WHERE id = ANY($1)', [ids]);
  }

  async touchInstance(instanceId: string): Promise<void> {
    await this.db.manager().query('UPDATE sdk_connections SET last_seen_at = now() WHERE instance_id = $1', [instanceId]);
  }

  async deleteInstance(instanceId: string): Promise<void> {
    await this.db.manager().query('DELETE FROM sdk_connections WHERE instance_id = $1', [instanceId]);
  }

  /** Rows of instances that stopped refreshing them (crashed) are dropped. */
  async deleteStale(olderThanSeconds: number): Promise<void> {
    await this.db.manager().query(`DELETE FROM sdk_connections WHERE last_seen_at < now() - make_interval(secs => $1)`, [olderThanSeconds]);
  }

  async count(environmentId: string, sequence: number, freshSeconds: number): Promise<{ connected: number; confirmed: number }> {
    const [row] = await this.db
      .manager()
      .query(
        `SELECT count(*) AS connected, count(*) FILTER (WHERE acked_sequence >= $2) AS confirmed FROM sdk_connections
         WHERE environment_id = $1 AND last_seen_at > now() - make_interval(secs => $3)`,
        [environmentId, sequence, freshSeconds],
      );
    return { connected: Number(row.connected), confirmed: Number(row.confirmed) };
  }
}
