import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Experiments that conclude on their own: a maximum duration, and rollback when a guardrail fails. */
export class ExperimentLifecycle1763930100000 implements MigrationInterface {
  name = 'ExperimentLifecycle1763930100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" ADD "max_duration_hours" double precision`);
    await queryRunner.query(`ALTER TABLE "experiments" ADD "auto_rollback" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "experiments" ALTER COLUMN "auto_rollback" DROP DEFAULT`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "auto_rollback"`);
    await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "max_duration_hours"`);
  }
}
