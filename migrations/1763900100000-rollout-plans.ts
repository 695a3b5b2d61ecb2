import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rollout plans: staged traffic shifts from control to a candidate variant, with guards. */
export class RolloutPlans1763900100000 implements MigrationInterface {
  name = 'RolloutPlans1763900100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rollout_plans" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "candidate_variant" character varying(128) NOT NULL, "control_variant" character varying(128) NOT NULL, "bucket_by" character varying(128), "stages" jsonb NOT NULL, "guards" jsonb NOT NULL, "status" character varying(24) NOT NULL, "current_stage" integer NOT NULL, "stage_started_at" TIMESTAMP WITH TIME ZONE, "reason" text, "snapshot" jsonb, "history" jsonb NOT NULL, "created_by" character varying(254) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_rollout_plans" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_rollout_plans_flag" ON "rollout_plans" ("environment_id", "flag_key", "status")`);
    await queryRunner.query(`CREATE INDEX "idx_rollout_plans_status" ON "rollout_plans" ("status")`);
    await queryRunner.query(
      `ALTER TABLE "rollout_plans" ADD CONSTRAINT "fk_rollout_plans_flag" FOREIGN KEY ("project_id", "flag_key") REFERENCES "flags"("project_id", "key") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_plans" ADD CONSTRAINT "fk_rollout_plans_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rollout_plans"`);
  }
}
