import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';

@Injectable()
export class PresenceRepository {
  constructor(private readonly db: Database) {}

  async upsert(instanceId: string, rows: Array<{ environmentId: string; acks: Record<string, number> }>): Promise<void> {
    if (rows.length === 0) return;
    const values: unknown[] = [instanceId];
    const tuples = rows.map((row, i) => {
      values.push(row.environmentId, JSON.stringify(row.acks));
      return `($1, $${i * 2 + 2}, $${i * 2 + 3}::jsonb, now())`;
    });
    await this.db.manager().query(
      `INSERT INTO sdk_presence (instance_id, environment_id, acks, updated_at) VALUES ${tuples.join(', ')}
       ON CONFLICT (instance_id, environment_id) DO UPDATE SET acks = EXCLUDED.acks, updated_at = now()`,
      values,
    );
  }

  async touchInstance(instanceId: string): Promise<void> {
    await this.db.manager().query('UPDATE sdk_presence SET updated_at = now() WHERE instance_id = $1', [instanceId]);
  }

  async deleteInstance(instanceId: string): Promise<void> {
    await this.db.manager().query('DELETE FROM sdk_presence WHERE instance_id = $1', [instanceId]);
  }

  /** Rows of instances that stopped refreshing them (crashed) are dropped. */
  async deleteStale(olderThanSeconds: number): Promise<void> {
    await this.db.manager().query('DELETE FROM sdk_presence WHERE updated_at < now() - make_interval(secs => $1)', [olderThanSeconds]);
  }

  /** The ack histograms of every instance that refreshed its row within `freshSeconds`. */
  async histograms(environmentId: string, freshSeconds: number): Promise<Array<Record<string, number>>> {
    const rows: Array<{ acks: Record<string, number> }> = await this.db
      .manager()
      .query('SELECT acks FROM sdk_presence WHERE environment_id = $1 AND updated_at > now() - make_interval(secs => $2)', [environmentId, freshSeconds]);
    return rows.map((r) => r.acks);
  }
}
