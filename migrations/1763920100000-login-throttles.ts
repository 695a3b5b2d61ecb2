import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins per account and per client address, counted in the database so every instance
 * applies the same backoff. Keys are SHA-256 hashes: no email or address is stored in the clear.
 */
export class LoginThrottles1763920100000 implements MigrationInterface {
  name = 'LoginThrottles1763920100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "login_throttles" ("key" character varying(64) NOT NULL, "failures" integer NOT NULL, "last_failure_at" TIMESTAMP WITH TIME ZONE NOT NULL, "blocked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_login_throttles" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_login_throttles_last_failure" ON "login_throttles" ("last_failure_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_throttles"`);
  }
}
