import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Scheduled changes: a flag config change in one environment, written at a set time if its base version still holds. */
export class ScheduledChanges1763930800000 implements MigrationInterface {
  name = 'ScheduledChanges1763930800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "scheduled_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "kind" character varying(16) NOT NULL, "config" jsonb NOT NULL, "base_version" integer NOT NULL, "run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" text, "status" character varying(16) NOT NULL, "author" jsonb NOT NULL, "failure" jsonb, "applied_version" integer, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_scheduled_changes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_scheduled_changes_flag" ON "scheduled_changes" ("environment_id", "flag_key", "status")`);
    await queryRunner.query(`CREATE INDEX "idx_scheduled_changes_due" ON "scheduled_changes" ("status", "run_at")`);
    await queryRunner.query(
      `ALTER TABLE "scheduled_changes" ADD CONSTRAINT "fk_scheduled_changes_flag" FOREIGN KEY ("project_id", "flag_key") REFERENCES "flags"("project_id", "key") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_changes" ADD CONSTRAINT "fk_scheduled_changes_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "scheduled_changes"`);
  }
}
