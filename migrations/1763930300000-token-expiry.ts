import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens may expire: null keeps the tokens that exist valid until revoked, as before. */
export class TokenExpiry1763930300000 implements MigrationInterface {
  name = 'TokenExpiry1763930300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "expires_at"`);
  }
}
