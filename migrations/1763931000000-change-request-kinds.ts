import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change requests carry more: a time (`run_at`: applying it schedules the change), the scheduled
 * change it made, rollout plans and segment updates (`segment_key`, and `flag_key` null for those).
 */
export class ChangeRequestKinds1763931000000 implements MigrationInterface {
  name = 'ChangeRequestKinds1763931000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "change_requests" ALTER COLUMN "flag_key" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "change_requests" ADD "segment_key" character varying(128)`);
    await queryRunner.query(`ALTER TABLE "change_requests" ADD "run_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "change_requests" ADD "scheduled_change_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "change_requests" ADD CONSTRAINT "fk_change_requests_segment" FOREIGN KEY ("project_id", "segment_key") REFERENCES "segments"("project_id", "key") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "change_requests" ADD CONSTRAINT "ck_change_requests_subject" CHECK (("flag_key" IS NULL) <> ("segment_key" IS NULL))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "change_requests" WHERE "flag_key" IS NULL`);
    await queryRunner.query(`ALTER TABLE "change_requests" DROP CONSTRAINT "ck_change_requests_subject"`);
    await queryRunner.query(`ALTER TABLE "change_requests" DROP CONSTRAINT "fk_change_requests_segment"`);
    await queryRunner.query(`ALTER TABLE "change_requests" DROP COLUMN "scheduled_change_id"`);
    await queryRunner.query(`ALTER TABLE "change_requests" DROP COLUMN "run_at"`);
    await queryRunner.query(`ALTER TABLE "change_requests" DROP COLUMN "segment_key"`);
    await queryRunner.query(`ALTER TABLE "change_requests" ALTER COLUMN "flag_key" SET NOT NULL`);
  }
}
