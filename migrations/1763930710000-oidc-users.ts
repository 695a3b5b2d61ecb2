import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users signing in through OIDC are linked to the issuer's subject, which, unlike the email, never changes. */
export class OidcUsers1763930710000 implements MigrationInterface {
  name = 'OidcUsers1763930710000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "oidc_subject" character varying(512)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_users_oidc_subject" ON "users" ("oidc_subject")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_users_oidc_subject"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "oidc_subject"`);
  }
}
