import path from 'node:path';

/** A PostgreSQL cluster of the test's own (initdb + pg_ctl on a free port), to restart, stop and freeze. */
export interface PrivatePostgres {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP to the postmaster and its children: connections stay open and nothing answers. */
  freeze(): number;
  thaw(): void;
  destroy(): Promise<void>;
}

interface PostgresModule {
  findPostgresBin(): string | null;
  startPostgres(options?: object): Promise<PrivatePostgres>;
}

// The chaos test's cluster helper (plain JS, shared so there is one way to run a private cluster).
const MODULE = path.resolve(import.meta.dirname, '../../scripts/chaos/postgres.mjs');
const load = (): Promise<PostgresModule> => import(MODULE) as Promise<PostgresModule>;

/** The directory of initdb/pg_ctl/postgres, or null on a machine without PostgreSQL's server binaries. */
export const postgresBinaries = async (): Promise<string | null> => (await load()).findPostgresBin();

export const startPrivatePostgres = async (): Promise<PrivatePostgres> => (await load()).startPostgres();
