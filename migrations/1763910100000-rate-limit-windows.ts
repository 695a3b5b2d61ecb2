import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate limits counted in the database, so N instances behind a balancer enforce one limit, not N. */
export class RateLimitWindows1763910100000 implements MigrationInterface {
  name = 'RateLimitWindows1763910100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rate_limit_windows" ("key" character varying(128) NOT NULL, "window_ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "hits" integer NOT NULL, "previous_hits" integer NOT NULL DEFAULT 0, CONSTRAINT "PK_rate_limit_windows" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE INDEX "idx_rate_limit_windows_ends" ON "rate_limit_windows" ("window_ends_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limit_windows"`);
  }
}
