import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Connected SDKs per server instance and environment, with what they confirmed, shared by every instance. */
export class SdkPresence1763874000000 implements MigrationInterface {
  name = 'SdkPresence1763874000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sdk_presence" ("instance_id" character varying(64) NOT NULL, "environment_id" uuid NOT NULL, "acks" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_sdk_presence" PRIMARY KEY ("instance_id", "environment_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_sdk_presence_environment" ON "sdk_presence" ("environment_id", "updated_at")`);
    await queryRunner.query(
      `ALTER TABLE "sdk_presence" ADD CONSTRAINT "fk_sdk_presence_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sdk_presence"`);
  }
}
