import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Connected SDKs and the sequence each confirmed, shared by every server instance. */
export class SdkConnections1763874000000 implements MigrationInterface {
  name = 'SdkConnections1763874000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sdk_connections" ("id" character varying(64) NOT NULL, "instance_id" character varying(64) NOT NULL, "environment_id" uuid NOT NULL, "transport" character varying(16) NOT NULL, "client" character varying(200), "connected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "acked_sequence" bigint NOT NULL DEFAULT '0', "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_sdk_connections" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_sdk_connections_instance" ON "sdk_connections" ("instance_id")`);
    await queryRunner.query(`CREATE INDEX "idx_sdk_connections_environment" ON "sdk_connections" ("environment_id", "last_seen_at")`);
    await queryRunner.query(
      `ALTER TABLE "sdk_connections" ADD CONSTRAINT "fk_sdk_connections_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sdk_connections"`);
  }
}
