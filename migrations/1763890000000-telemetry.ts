import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SDK telemetry rolled up per minute: metric aggregates (with a mergeable `log2-16` histogram) and
 * evaluation counts per flag and variant, the last evaluation of each flag, and a few shadow-run
 * samples. An empty string stands for "no flag" / "no variant" (keys are never empty).
 */
export class Telemetry1763890000000 implements MigrationInterface {
  name = 'Telemetry1763890000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "metric_rollups" ("environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "metric" character varying(128) NOT NULL, "variant_key" character varying(128) NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "count" bigint NOT NULL, "sum" double precision NOT NULL, "sum_squares" double precision NOT NULL, "errors" bigint NOT NULL, "histogram" jsonb NOT NULL, CONSTRAINT "PK_metric_rollups" PRIMARY KEY ("environment_id", "flag_key", "metric", "variant_key", "minute"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_metric_rollups_minute" ON "metric_rollups" ("environment_id", "minute")`);
    await queryRunner.query(
      `CREATE TABLE "evaluation_rollups" ("environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "variant_key" character varying(128) NOT NULL, "reason" character varying(32) NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "count" bigint NOT NULL, CONSTRAINT "PK_evaluation_rollups" PRIMARY KEY ("environment_id", "flag_key", "variant_key", "reason", "minute"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_evaluation_rollups_minute" ON "evaluation_rollups" ("environment_id", "minute")`);
    await queryRunner.query(
      `CREATE TABLE "flag_last_evaluated" ("environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "last_evaluated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_flag_last_evaluated" PRIMARY KEY ("environment_id", "flag_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "shadow_samples" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "variant_key" character varying(128) NOT NULL, "kind" character varying(64) NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sample" jsonb NOT NULL, CONSTRAINT "PK_shadow_samples" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_shadow_samples_flag" ON "shadow_samples" ("environment_id", "flag_key", "recorded_at")`);
    for (const table of ['metric_rollups', 'evaluation_rollups', 'flag_last_evaluated', 'shadow_samples']) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "fk_${table}_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shadow_samples"`);
    await queryRunner.query(`DROP TABLE "flag_last_evaluated"`);
    await queryRunner.query(`DROP TABLE "evaluation_rollups"`);
    await queryRunner.query(`DROP TABLE "metric_rollups"`);
  }
}
