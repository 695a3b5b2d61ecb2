import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which figures decide an experiment: 'sequential' (always-valid, safe to read at any time) or
 * 'fixed-horizon'. Experiments that exist already were read under fixed-horizon rules and keep them.
 */
export class ExperimentAnalysis1763930000000 implements MigrationInterface {
  name = 'ExperimentAnalysis1763930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" ADD "analysis" character varying(16) NOT NULL DEFAULT 'fixed-horizon'`);
    await queryRunner.query(`ALTER TABLE "experiments" ALTER COLUMN "analysis" DROP DEFAULT`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "analysis"`);
  }
}
