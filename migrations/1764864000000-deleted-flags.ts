import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deleted flags (by id), and when: telemetry accepted for a flag before its delete and written
 * after it keeps the minutes before the deletion minute, as if it had been written first (the
 * delete purges the deletion minute on; see FlagsService.delete and TelemetryService.write).
 */
export class DeletedFlags1764864000000 implements MigrationInterface {
  name = 'DeletedFlags1764864000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "deleted_flags" ("id" uuid NOT NULL, "project_id" uuid NOT NULL, "key" character varying(128) NOT NULL, ` +
        `"deleted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_deleted_flags" PRIMARY KEY ("id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "deleted_flags"`);
  }
}
