import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { FlagConfigEntity } from './flag-config.entity.js';
import { FlagEntity } from './flag.entity.js';

export interface FlagFilter {
  q?: string;
  tag?: string;
  owner?: string;
  archived: 'active' | 'archived' | 'all';
}

@Injectable()
export class FlagsRepository {
  constructor(private readonly db: Database) {}

  private get flags() {
    return this.db.manager().getRepository(FlagEntity);
  }
  private get configs() {
    return this.db.manager().getRepository(FlagConfigEntity);
  }

  list(projectId: string, filter: FlagFilter): Promise<FlagEntity[]> {
    const query = this.flags.createQueryBuilder('f').where('f.project_id = :projectId', { projectId });
    if (filter.archived === 'active') query.andWhere('f.archived_at IS NULL');
    if (filter.archived === 'archived') query.andWhere('f.archived_at IS NOT NULL');
    if (filter.tag) query.andWhere('f.tags @> :tag::jsonb', { tag: JSON.stringify([filter.tag]) });
    if (filter.owner) query.andWhere('f.owner = :owner', { owner: filter.owner });
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(f.key ILIKE :like OR f.name ILIKE :like OR f.description ILIKE :like)', { like });
    }
    return query.orderBy('f.key', 'ASC').getMany();
  }

  listActive(projectId: string): Promise<FlagEntity[]> {
    return this.list(projectId, { archived: 'active' });
  }

  find(projectId: string, key: string): Promise<FlagEntity | null> {
    return this.flags.findOneBy({ projectId, key });
  }

  /** Locks the flag row until the transaction ends. */
  findForUpdate(projectId: string, key: string): Promise<FlagEntity | null> {
    return this.flags.createQueryBuilder('f').setLock('pessimistic_write').where('f.project_id = :projectId AND f.key = :key', { projectId, key }).getOne();
  }

  save(flag: Partial<FlagEntity>): Promise<FlagEntity> {
    return this.flags.save(this.flags.create(flag));
  }

  async delete(id: string): Promise<void> {
    await this.flags.delete({ id });
  }

  async configsOfFlags(flagIds: string[]): Promise<FlagConfigEntity[]> {
    if (flagIds.length === 0) return [];
    return this.configs.createQueryBuilder('c').where('c.flag_id IN (:...flagIds)', { flagIds }).getMany();
  }

  configsOfFlag(flagId: string): Promise<FlagConfigEntity[]> {
    return this.configs.findBy({ flagId });
  }

  async configsInEnvironment(environmentId: string, flagIds: string[]): Promise<FlagConfigEntity[]> {
    if (flagIds.length === 0) return [];
    return this.configs.createQueryBuilder('c').where('c.environment_id = :environmentId AND c.flag_id IN (:...flagIds)', { environmentId, flagIds }).getMany();
  }

  findConfig(flagId: string, environmentId: string): Promise<FlagConfigEntity | null> {
    return this.configs.findOneBy({ flagId, environmentId });
  }

  /**
   * Locks the config row for a read-check-write. A config never written has no row yet: insert its
   * defaults first (a concurrent insert wins harmlessly), so there is always a row to lock.
   */
  async lockConfig(defaults: Omit<FlagConfigEntity, 'updatedAt'>): Promise<FlagConfigEntity> {
    await this.configs.createQueryBuilder().insert().values(defaults).orIgnore().execute();
    return this.configs
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.flag_id = :flagId AND c.environment_id = :environmentId', { flagId: defaults.flagId, environmentId: defaults.environmentId })
      .getOneOrFail();
  }

  saveConfig(config: FlagConfigEntity): Promise<FlagConfigEntity> {
    return this.configs.save(config);
  }
}
