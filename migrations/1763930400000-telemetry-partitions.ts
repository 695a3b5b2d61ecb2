import type { MigrationInterface, QueryRunner } from 'typeorm';

const DAY_MS = 86_400_000;
const TABLES = [
  {
    name: 'metric_rollups',
    columns: `"environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "metric" character varying(128) NOT NULL, "variant_key" character varying(128) NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "count" bigint NOT NULL, "sum" double precision NOT NULL, "sum_squares" double precision NOT NULL, "errors" bigint NOT NULL, "histogram" jsonb NOT NULL`,
    key: `"environment_id", "flag_key", "metric", "variant_key", "minute"`,
  },
  {
    name: 'evaluation_rollups',
    columns: `"environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "variant_key" character varying(128) NOT NULL, "reason" character varying(32) NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "count" bigint NOT NULL`,
    key: `"environment_id", "flag_key", "variant_key", "reason", "minute"`,
  },
];

const dayName = (table: string, dayMs: number): string => `${table}_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;

/**
 * The minute rollups become partitioned by day (UTC) on `minute`, so retention drops whole days
 * (a DROP, not a DELETE that leaves dead rows behind) and a query over a range reads only its days.
 * Existing rows are kept: a partition is created for every day that holds data, and for the days
 * around today (the server creates the rest ahead of time and on demand). The names
 * `<table>_pYYYYMMDD` are what the server's retention recognises.
 */
export class TelemetryPartitions1763930400000 implements MigrationInterface {
  name = 'TelemetryPartitions1763930400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    for (const table of TABLES) {
      const old = `${table.name}_unpartitioned`;
      await queryRunner.query(`ALTER TABLE "${table.name}" RENAME TO "${old}"`);
      await queryRunner.query(`ALTER TABLE "${old}" RENAME CONSTRAINT "PK_${table.name}" TO "PK_${old}"`);
      await queryRunner.query(`ALTER TABLE "${old}" RENAME CONSTRAINT "fk_${table.name}_environment" TO "fk_${old}_environment"`);
      await queryRunner.query(`ALTER INDEX "idx_${table.name}_minute" RENAME TO "idx_${old}_minute"`);
      await queryRunner.query(
        `CREATE TABLE "${table.name}" (${table.columns}, CONSTRAINT "PK_${table.name}" PRIMARY KEY (${table.key})) PARTITION BY RANGE ("minute")`,
      );
      await queryRunner.query(`CREATE INDEX "idx_${table.name}_minute" ON "${table.name}" ("environment_id", "minute")`);
      await queryRunner.query(
        `ALTER TABLE "${table.name}" ADD CONSTRAINT "fk_${table.name}_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
      );
      const days: Array<{ day: string }> = await queryRunner.query(
        `SELECT DISTINCT to_char("minute" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM "${old}" ORDER BY day`,
      );
      const wanted = new Set<number>();
      for (const { day } of days) wanted.add(Date.parse(`${day}T00:00:00Z`));
      for (let d = today - 8 * DAY_MS; d <= today + 3 * DAY_MS; d += DAY_MS) wanted.add(d);
      for (const d of [...wanted].sort((a, b) => a - b)) {
        await queryRunner.query(
          `CREATE TABLE "${dayName(table.name, d)}" PARTITION OF "${table.name}" FOR VALUES FROM ('${new Date(d).toISOString()}') TO ('${new Date(d + DAY_MS).toISOString()}')`,
        );
      }
      await queryRunner.query(`INSERT INTO "${table.name}" SELECT * FROM "${old}"`);
      await queryRunner.query(`DROP TABLE "${old}"`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      const partitioned = `${table.name}_partitioned`;
      await queryRunner.query(`ALTER TABLE "${table.name}" RENAME TO "${partitioned}"`);
      await queryRunner.query(`ALTER TABLE "${partitioned}" RENAME CONSTRAINT "PK_${table.name}" TO "PK_${partitioned}"`);
      await queryRunner.query(`ALTER TABLE "${partitioned}" RENAME CONSTRAINT "fk_${table.name}_environment" TO "fk_${partitioned}_environment"`);
      await queryRunner.query(`ALTER INDEX "idx_${table.name}_minute" RENAME TO "idx_${partitioned}_minute"`);
      await queryRunner.query(`CREATE TABLE "${table.name}" (${table.columns}, CONSTRAINT "PK_${table.name}" PRIMARY KEY (${table.key}))`);
      await queryRunner.query(`CREATE INDEX "idx_${table.name}_minute" ON "${table.name}" ("environment_id", "minute")`);
      await queryRunner.query(
        `ALTER TABLE "${table.name}" ADD CONSTRAINT "fk_${table.name}_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
      );
      await queryRunner.query(`INSERT INTO "${table.name}" SELECT * FROM "${partitioned}"`);
      // Dropping the partitioned table drops its partitions.
      await queryRunner.query(`DROP TABLE "${partitioned}"`);
    }
  }
}
