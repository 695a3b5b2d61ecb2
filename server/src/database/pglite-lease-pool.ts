import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

/**
 * A `pg`-shaped module over one PGlite session, for TypeORM's postgres driver.
 *
 * PGlite is a single PostgreSQL session. TypeORM treats `pg.Pool` as many sessions, so sharing one
 * naively interleaves transactions. This pool leases the session to one caller at a time: a query
 * runner keeps the lease from `connect` to `release`, which is exactly a transaction's lifetime.
 */
export interface PgliteDriverModule {
  Pool: new (options?: unknown) => LeasePool;
}

type QueryCallback = (err: Error | null, result?: PgResult) => void;
type ConnectCallback = (err: Error | null, client?: LeasedClient, release?: (err?: unknown) => void) => void;

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: Array<{ name: string; dataTypeID: number }>;
}

// Statements with several commands (migrations) need the simple protocol, which PGlite calls `exec`.
const commandOf = (sql: string): string => {
  const match = /^\s*(?:--[^\n]*\n\s*)*([a-zA-Z]+)/.exec(sql);
  return match?.[1]?.toUpperCase() ?? '';
};

const toPgResult = (sql: string, result: Results | undefined): PgResult => {
  const command = commandOf(sql);
  const rows = result?.rows ?? [];
  return {
    rows,
    rowCount: command === 'SELECT' ? rows.length : (result?.affectedRows ?? 0),
    command,
    fields: (result?.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
};

class LeasedClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  query(sql: string, paramsOrCallback?: unknown[] | QueryCallback, maybeCallback?: QueryCallback): Promise<PgResult> | void {
    const params = Array.isArray(paramsOrCallback) ? paramsOrCallback : undefined;
    const callback = typeof paramsOrCallback === 'function' ? paramsOrCallback : maybeCallback;
    const run = async (): Promise<PgResult> => {
      if (params && params.length > 0) return toPgResult(sql, await this.db.query(sql, params));
      const results = await this.db.exec(sql);
      return toPgResult(sql, results[results.length - 1]);
    };
    if (!callback) return run();
    run().then(
      (result) => callback(null, result),
      (err: Error) => callback(err),
    );
  }
}

class LeasePool extends EventEmitter {
  private leased = false;
  private readonly waiting: Array<() => void> = [];
  private ended = false;

  constructor(
    private readonly db: PGlite,
    private readonly onEnd: () => Promise<void>,
  ) {
    super();
  }

  connect(callback?: ConnectCallback): Promise<LeasedClient> | void {
    const acquire = new Promise<LeasedClient>((resolve, reject) => {
      const grant = () => {
        if (this.ended) return reject(new Error('The embedded database is closed'));
        this.leased = true;
        resolve(new LeasedClient(this.db));
      };
      if (this.leased) this.waiting.push(grant);
      else grant();
    });
    if (!callback) return acquire;
    acquire.then(
      (client) => callback(null, client, () => this.release()),
      (err: Error) => callback(err),
    );
  }

  // The release callback TypeORM calls; a promise-style caller uses client.release() via this too.
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.leased = false;
  }

  // TypeORM ends the pool when the data source is destroyed: that closes the database too.
  end(callback?: (err?: Error) => void): Promise<void> | void {
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter();
    const closing = this.onEnd();
    if (!callback) return closing;
    closing.then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }
}

/** A module TypeORM can use in place of `pg` (`driver` option), bound to one PGlite instance. */
export const pgliteDriver = (db: PGlite, onEnd: () => Promise<void>): PgliteDriverModule => ({
  Pool: class extends LeasePool {
    constructor() {
      super(db, onEnd);
    }
  },
});
