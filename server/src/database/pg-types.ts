import pg from 'pg';

// Mirror PGLITE_PARSERS: int8 as number (sequences, counts), so both drivers return the same types.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export { pg };

/**
 * A client that is never without an 'error' listener. pg-pool drops its own listener when it hands
 * a new client out, and TypeORM adds one only afterwards: a FATAL arriving in that gap (PostgreSQL
 * restarting just then) would be an unhandled 'error' event and end the process. The failure still
 * reaches whoever is waiting on the client, as a rejected query or connection.
 */
export class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}
