import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metrics attributed to what served them: an experiment, or one stage of a rollout plan. Only
 * batches whose window started after the scope did are added, so a scope never counts calls made
 * before it existed (minute rollups rounded its start down to the minute). Experiments and plans
 * that exist already keep reading the minute rollups (`attributed` false).
 */
export class ScopedMetrics1763930200000 implements MigrationInterface {
  name = 'ScopedMetrics1763930200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "scoped_metric_totals" ("scope" character varying(80) NOT NULL, "metric" character varying(128) NOT NULL, "variant_key" character varying(128) NOT NULL, "count" bigint NOT NULL, "sum" double precision NOT NULL, "sum_squares" double precision NOT NULL, "errors" bigint NOT NULL, "histogram" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_scoped_metric_totals" PRIMARY KEY ("scope", "metric", "variant_key"))`,
    );
    for (const table of ['experiments', 'rollout_plans']) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD "attributed" boolean NOT NULL DEFAULT false`);
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "attributed" DROP DEFAULT`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['experiments', 'rollout_plans']) await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "attributed"`);
    await queryRunner.query(`DROP TABLE "scoped_metric_totals"`);
  }
}
