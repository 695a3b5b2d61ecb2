import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook signing secrets are stored sealed with the server's key. Rows written before keep their
 * plaintext here until the server seals them at start (migrations do not hold the key); `down`
 * cannot unseal them, so signing secrets must be rotated after a downgrade.
 */
export class WebhookSecretSealed1763910000000 implements MigrationInterface {
  name = 'WebhookSecretSealed1763910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" RENAME COLUMN "secret" TO "secret_sealed"`);
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" ALTER COLUMN "secret_sealed" TYPE text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" ALTER COLUMN "secret_sealed" TYPE character varying(128) USING left("secret_sealed", 128)`);
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" RENAME COLUMN "secret_sealed" TO "secret"`);
  }
}
