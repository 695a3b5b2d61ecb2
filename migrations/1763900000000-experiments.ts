import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Experiments: A/B(/n) tests of a flag's variants in one environment, with their statistical settings. */
export class Experiments1763900000000 implements MigrationInterface {
  name = 'Experiments1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "experiments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "key" character varying(128) NOT NULL, "name" character varying(200) NOT NULL, "control_variant" character varying(128) NOT NULL, "treatment_variants" jsonb NOT NULL, "primary_metric" jsonb NOT NULL, "guardrail_metrics" jsonb NOT NULL, "alpha" double precision NOT NULL, "power" double precision NOT NULL, "minimum_detectable_effect" double precision NOT NULL, "baseline_rate" double precision, "assumed_std_dev" double precision, "status" character varying(16) NOT NULL, "decision" character varying(16), "winner" character varying(128), "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(254) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_experiments" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_experiments_key" ON "experiments" ("project_id", "key")`);
    await queryRunner.query(`CREATE INDEX "idx_experiments_flag" ON "experiments" ("environment_id", "flag_key", "status")`);
    await queryRunner.query(
      `ALTER TABLE "experiments" ADD CONSTRAINT "fk_experiments_flag" FOREIGN KEY ("project_id", "flag_key") REFERENCES "flags"("project_id", "key") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "experiments" ADD CONSTRAINT "fk_experiments_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "experiments"`);
  }
}
