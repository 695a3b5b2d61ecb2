import { Injectable } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { Database } from '../database/database.service.js';
import { LoginThrottleEntity } from './login-throttle.entity.js';

/** First key of the sign-in counters' advisory locks (the second is a hash of the counter's key). */
const COUNTER_LOCK_CLASS = 7_410_002;

export interface FailureCounter {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number | null;
}

/** Storage of the sign-in failure counters. */
@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly db: Database) {}

  private get counters() {
    return this.db.manager().getRepository(LoginThrottleEntity);
  }

  /**
   * Holds these counters until the current transaction ends (call it in one), on every instance.
   * Advisory locks, so a counter that has no row yet is locked too; taken in key order, so two
   * attempts locking the same pair cannot wait on each other.
   */
  async lock(keys: string[]): Promise<void> {
    for (const key of [...keys].sort()) await this.db.manager().query(`SELECT pg_advisory_xact_lock(${COUNTER_LOCK_CLASS}, hashtext($1))`, [key]);
  }

  async find(keys: string[]): Promise<Map<string, FailureCounter>> {
    const rows = await this.counters.findBy({ key: In(keys) });
    return new Map(
      rows.map((r) => [
        r.key,
        {
          failures: r.failures,
          lastFailureAt: new Date(r.lastFailureAt).getTime(),
          blockedUntil: r.blockedUntil === null ? null : new Date(r.blockedUntil).getTime(),
        },
      ]),
    );
  }

  async save(key: string, counter: FailureCounter | null): Promise<void> {
    if (counter === null) {
      await this.counters.delete({ key });
      return;
    }
    await this.counters.upsert(
      {
        key,
        failures: counter.failures,
        lastFailureAt: new Date(counter.lastFailureAt),
        blockedUntil: counter.blockedUntil === null ? null : new Date(counter.blockedUntil),
      },
      ['key'],
    );
  }

  /** Forgets counters whose last failure is older than `before`. */
  async deleteStale(before: Date): Promise<void> {
    await this.counters.delete({ lastFailureAt: LessThan(before) });
  }
}
