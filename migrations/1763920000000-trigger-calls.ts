import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The calls each trigger accepted in the last minute (a sliding log), so its limit holds exactly
 * across instances. Refused calls are not written; rows older than a minute are pruned as calls come.
 */
export class TriggerCalls1763920000000 implements MigrationInterface {
  name = 'TriggerCalls1763920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trigger_calls" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "trigger_id" uuid NOT NULL, "accepted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_trigger_calls" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_trigger_calls_trigger" ON "trigger_calls" ("trigger_id", "accepted_at")`);
    await queryRunner.query(
      `ALTER TABLE "trigger_calls" ADD CONSTRAINT "fk_trigger_calls_trigger" FOREIGN KEY ("trigger_id") REFERENCES "flag_triggers"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "trigger_calls"`);
  }
}
