import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Trigger URLs: per flag and environment, a secret (stored as its SHA-256) that kills or restores the flag. */
export class FlagTriggers1763880000000 implements MigrationInterface {
  name = 'FlagTriggers1763880000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "flag_triggers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "name" character varying(100) NOT NULL, "description" text NOT NULL DEFAULT '', "secret_hash" character varying(64) NOT NULL, "secret_prefix" character varying(16) NOT NULL, "restore_on_resolve" boolean NOT NULL DEFAULT false, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(254) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_fired_at" TIMESTAMP WITH TIME ZONE, "last_action" character varying(16), "fire_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_flag_triggers" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_flag_triggers_secret_hash" ON "flag_triggers" ("secret_hash")`);
    await queryRunner.query(`CREATE INDEX "idx_flag_triggers_flag" ON "flag_triggers" ("project_id", "flag_key", "environment_id")`);
    // Deleting the flag (or its environment) deletes its triggers: a new flag with the same key starts without any.
    await queryRunner.query(
      `ALTER TABLE "flag_triggers" ADD CONSTRAINT "fk_flag_triggers_flag" FOREIGN KEY ("project_id", "flag_key") REFERENCES "flags"("project_id", "key") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "flag_triggers" ADD CONSTRAINT "fk_flag_triggers_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "flag_triggers"`);
  }
}
