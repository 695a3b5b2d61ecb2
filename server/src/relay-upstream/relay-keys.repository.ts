import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';

/** The hashes of an environment's SDK keys, which is all a relay needs to check keys as the server does. */
@Injectable()
export class RelayKeysRepository {
  constructor(private readonly db: Database) {}

  async activeKeyHashes(environmentId: string): Promise<string[]> {
    const rows: Array<{ key_hash: string }> = await this.db
      .manager()
      .query('SELECT key_hash FROM sdk_keys WHERE environment_id = $1 AND revoked_at IS NULL ORDER BY key_hash', [environmentId]);
    return rows.map((row) => row.key_hash);
  }
}
