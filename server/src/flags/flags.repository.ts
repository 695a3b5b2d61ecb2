import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { FlagConfigEntity } from './flag-config.entity.js';
import { FlagEntity } from './flag.entity.js';
import type { FlagListPosition, FlagOrder, FlagSortField, FlagStatus } from './flag-changes.js';

/** Which flags of a project a query holds (the service resolves keys to ids first). */
export interface FlagScope {
  q?: string;
  tag?: string;
  owner?: string;
  archived: 'active' | 'archived' | 'all';
  /** Only flags in this state in this environment. */
  status?: { environmentId: string; status: FlagStatus };
}

/** A listed flag with the value it was ordered by, as text (exact to the microsecond), for the next page's position. */
export interface OrderedFlag {
  flag: FlagEntity;
  sortValue: string;
}

const KEY_ORDER: FlagOrder = { field: 'key', direction: 'asc' };

// Never evaluated sorts as the oldest; a constant rather than NULL so row comparison (keyset) works.
const NEVER = "'-infinity'::timestamptz";

/**
 * The SQL each order sorts by. `evaluated` reads telemetry's flag_last_evaluated (keyed by flag key
 * per environment) as a correlated subquery: sorting in the database is what lets a page of 50 out
 * of 5,000 be read without loading the rest, which no call through TelemetryService could do.
 */
const sortExpression = (field: FlagSortField): string => {
  switch (field) {
    case 'key':
      return 'f.key';
    case 'name':
      return 'f.name';
    case 'changed':
      return 'GREATEST(f.updated_at, COALESCE((SELECT max(c.updated_at) FROM flag_configs c WHERE c.flag_id = f.id), f.updated_at))';
    case 'evaluated':
      return `COALESCE((SELECT max(e.last_evaluated_at) FROM flag_last_evaluated e WHERE e.flag_key = f.key AND e.environment_id = ANY(:environmentIds::uuid[])), ${NEVER})`;
  }
};

// Casts the cursor's text back to the sort value's type, so the comparison is the ORDER BY's own.
const positionValue = (field: FlagSortField): string => (field === 'changed' || field === 'evaluated' ? ':afterValue::timestamptz' : ':afterValue');

const CONFIG_IN_ENVIRONMENT = 'SELECT 1 FROM flag_configs s WHERE s.flag_id = f.id AND s.environment_id = :statusEnvironmentId';

@Injectable()
export class FlagsRepository {
  constructor(private readonly db: Database) {}

  private get flags() {
    return this.db.manager().getRepository(FlagEntity);
  }
  private get configs() {
    return this.db.manager().getRepository(FlagConfigEntity);
  }

  private scoped(projectId: string, scope: FlagScope) {
    const query = this.flags.createQueryBuilder('f').where('f.project_id = :projectId', { projectId });
    if (scope.archived === 'active') query.andWhere('f.archived_at IS NULL');
    if (scope.archived === 'archived') query.andWhere('f.archived_at IS NOT NULL');
    // The GIN index on tags (idx_flags_tags) serves containment.
    if (scope.tag) query.andWhere('f.tags @> :tag::jsonb', { tag: JSON.stringify([scope.tag]) });
    if (scope.owner) query.andWhere('f.owner = :owner', { owner: scope.owner });
    if (scope.q) {
      // A substring anywhere needs a scan of the project's flags (a trigram index would need pg_trgm, which the embedded database lacks); at 5,000 flags it takes milliseconds.
      const like = `%${scope.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere(
        '(f.key ILIKE :like OR f.name ILIKE :like OR f.description ILIKE :like OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(f.tags) t(tag) WHERE t.tag ILIKE :like))',
        { like },
      );
    }
    if (scope.status) {
      const { environmentId, status } = scope.status;
      query.setParameter('statusEnvironmentId', environmentId);
      // No config row yet means off (see defaultConfig).
      if (status === 'killed') query.andWhere(`EXISTS (${CONFIG_IN_ENVIRONMENT} AND s.kill IS NOT NULL)`);
      if (status === 'on') query.andWhere(`EXISTS (${CONFIG_IN_ENVIRONMENT} AND s.kill IS NULL AND s.on)`);
      if (status === 'off') query.andWhere(`NOT EXISTS (${CONFIG_IN_ENVIRONMENT} AND (s.kill IS NOT NULL OR s.on))`);
    }
    return query;
  }

  list(projectId: string, scope: FlagScope): Promise<FlagEntity[]> {
    return this.scoped(projectId, scope).orderBy('f.key', 'ASC').getMany();
  }

  /**
   * Flags in `order`, strictly after `after` when given, at most `limit` when given. Keyset
   * pagination: the position is a sort value and a key, so rows inserted or deleted elsewhere in
   * the list never shift or repeat the rows of the next page. `environmentIds` are the project's,
   * for the `evaluated` order.
   */
  async ordered(
    projectId: string,
    scope: FlagScope,
    { order = KEY_ORDER, environmentIds = [], limit, after }: { order?: FlagOrder; environmentIds?: string[]; limit?: number; after?: FlagListPosition },
  ): Promise<OrderedFlag[]> {
    const expression = sortExpression(order.field);
    const direction = order.direction === 'asc' ? 'ASC' : 'DESC';
    const query = this.scoped(projectId, scope).addSelect(`(${expression})::text`, 'sort_value').setParameter('environmentIds', environmentIds);
    if (after) {
      query.andWhere(`(${expression}, f.key) ${order.direction === 'asc' ? '>' : '<'} (${positionValue(order.field)}, :afterKey)`, {
        afterValue: after.value,
        afterKey: after.key,
      });
    }
    // The key breaks ties in the same direction, which makes the order total and the row comparison above exact.
    query.orderBy(expression, direction).addOrderBy('f.key', direction);
    if (limit !== undefined) query.limit(limit);
    const { entities, raw } = await query.getRawAndEntities<{ sort_value: string }>();
    return entities.map((flag, i) => ({ flag, sortValue: raw[i]!.sort_value }));
  }

  count(projectId: string, scope: FlagScope): Promise<number> {
    return this.scoped(projectId, scope).getCount();
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
