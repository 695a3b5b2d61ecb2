import pg from 'pg';

// Mirror PGLITE_PARSERS: int8 as number (sequences, counts), so both drivers return the same types.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export { pg };
