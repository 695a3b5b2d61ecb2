import { createRequire } from 'node:module';
import type PgModule from 'pg';

type Pg = typeof PgModule;
type ClientClass = new (config?: string | PgModule.ClientConfig) => PgModule.Client;

const makeListenedClient = (pg: Pg): ClientClass =>
  /**
   * A client that is never without an 'error' listener. pg-pool drops its own listener when it hands
   * a new client out, and TypeORM adds one only afterwards: a FATAL arriving in that gap (PostgreSQL
   * restarting just then) would be an unhandled 'error' event and end the process. The failure still
   * reaches whoever is waiting on the client, as a rejected query or connection.
   */
  class ListenedClient extends pg.Client {
    constructor(config?: string | PgModule.ClientConfig) {
      super(config);
      this.on('error', () => undefined);
    }
  };

let loaded: { pg: Pg; ListenedClient: ClientClass } | undefined;

/**
 * `pg`, loaded on first use. Loading it costs about 0.1 s of CPU (among other things it builds a
 * fetch Response to detect Cloudflare Workers, which loads Node's fetch), and the embedded
 * database never needs it.
 */
export const loadPg = (): NonNullable<typeof loaded> => {
  if (loaded) return loaded;
  const pg = createRequire(import.meta.url)('pg') as Pg;
  // Mirror PGLITE_PARSERS: int8 as number (sequences, counts), so both drivers return the same types.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  loaded = { pg, ListenedClient: makeListenedClient(pg) };
  return loaded;
};
