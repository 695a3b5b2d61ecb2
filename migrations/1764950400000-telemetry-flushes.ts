import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The telemetry writes that committed, by id, for a day: a write whose COMMIT's answer was lost
 * (the connection cut as the database committed) is looked up before it is written again, so it is
 * never counted twice (see TelemetryService.write).
 */
export class TelemetryFlushes1764950400000 implements MigrationInterface {
  name = 'TelemetryFlushes1764950400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "telemetry_flushes" ("id" uuid NOT NULL, "written_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), ` +
        `CONSTRAINT "pk_telemetry_flushes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_telemetry_flushes_written_at" ON "telemetry_flushes" ("written_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "telemetry_flushes"`);
  }
}
