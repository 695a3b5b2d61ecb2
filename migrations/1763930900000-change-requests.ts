import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change requests: environments that require approval, and the requests that carry a change to
 * them (numbered per project) with their approvals, rejections and comments.
 */
export class ChangeRequests1763930900000 implements MigrationInterface {
  name = 'ChangeRequests1763930900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "environments" ADD "require_approval" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "environments" ADD "required_approvals" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(
      `CREATE TABLE "change_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "number" integer NOT NULL, "environment_id" uuid NOT NULL, "flag_key" character varying(128) NOT NULL, "kind" character varying(16) NOT NULL, "base_version" integer NOT NULL, "change" jsonb, "before" jsonb, "reason" text NOT NULL, "author" jsonb NOT NULL, "reviewers" jsonb NOT NULL DEFAULT '[]', "status" character varying(16) NOT NULL, "required_approvals" integer NOT NULL, "approvals" jsonb NOT NULL DEFAULT '[]', "rejections" jsonb NOT NULL DEFAULT '[]', "comments" jsonb NOT NULL DEFAULT '[]', "applied_at" TIMESTAMP WITH TIME ZONE, "applied_version" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_change_requests" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_change_requests_number" ON "change_requests" ("project_id", "number")`);
    await queryRunner.query(`CREATE INDEX "idx_change_requests_status" ON "change_requests" ("project_id", "status")`);
    await queryRunner.query(
      `ALTER TABLE "change_requests" ADD CONSTRAINT "fk_change_requests_flag" FOREIGN KEY ("project_id", "flag_key") REFERENCES "flags"("project_id", "key") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "change_requests" ADD CONSTRAINT "fk_change_requests_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "change_requests"`);
    await queryRunner.query(`ALTER TABLE "environments" DROP COLUMN "required_approvals"`);
    await queryRunner.query(`ALTER TABLE "environments" DROP COLUMN "require_approval"`);
  }
}
