import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments that also report CUPED-adjusted figures, and results per segment (a context
 * attribute the SDK breaks its metrics down by). Ratio metrics live in the metric's jsonb.
 */
export class ExperimentSegments1763930500000 implements MigrationInterface {
  name = 'ExperimentSegments1763930500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" ADD "cuped" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "experiments" ALTER COLUMN "cuped" DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE "experiments" ADD "segment_by" character varying(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "segment_by"`);
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "cuped"`);
  }
}
