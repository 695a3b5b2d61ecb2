import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

interface TransactionScope {
  manager: EntityManager;
  afterCommit: Array<() => void>;
}

/**
 * Unit-of-work boundary. Repositories ask `manager()` for the current transaction's manager, so a
 * use case wrapped in `transaction()` is atomic without passing handles around (and on the
 * embedded database, which has one session, nothing inside a transaction can wait on itself).
 */
/** Advisory lock keys (PostgreSQL's one shared space of 64-bit keys; the migration lock is 7_262_019). */
export const LOCKS = { seeding: 7_262_020 } as const;

@Injectable()
export class Database {
  private readonly scope = new AsyncLocalStorage<TransactionScope>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  manager(): EntityManager {
    return this.scope.getStore()?.manager ?? this.dataSource.manager;
  }

  /** Runs `work` in one transaction; nested calls join the outer one. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.scope.getStore()) return work();
    const afterCommit: Array<() => void> = [];
    const result = await this.dataSource.transaction((manager) => this.scope.run({ manager, afterCommit }, work));
    for (const hook of afterCommit) hook();
    return result;
  }

  /**
   * Runs `work` in a transaction that holds a PostgreSQL advisory lock, so instances starting
   * together on one database run it one at a time (e.g. "create the first admin if there is none").
   */
  async exclusively<T>(lockKey: number, work: () => Promise<T>): Promise<T> {
    return this.transaction(async () => {
      await this.manager().query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      return work();
    });
  }

  /** Runs `hook` once the current transaction commits (at once outside a transaction); never on rollback. */
  afterCommit(hook: () => void): void {
    const scope = this.scope.getStore();
    if (scope) scope.afterCommit.push(hook);
    else hook();
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
