import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Projects, environments, flags and their per-environment configs, segments, access, audit and change log. */
export class Foundation1763870400000 implements MigrationInterface {
  name = 'Foundation1763870400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "name" character varying(200) NOT NULL, "role" character varying(16) NOT NULL, "password_hash" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "token_hash" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_abaa9e068cdd390bc5210f79884" UNIQUE ("token_hash"), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "idx_sessions_user" ON "sessions"  ("user_id")`);
    await queryRunner.query(`CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "token_hash" character varying(64) NOT NULL, "prefix" character varying(16) NOT NULL, "access" character varying(16) NOT NULL, "projects" jsonb, "environments" jsonb, "created_by" character varying(254) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_bbd687a104e1921e6702c6e3aad" UNIQUE ("token_hash"), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "projects" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" character varying(128) NOT NULL, "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_63e67599567b2126cfef14e1474" UNIQUE ("key"), CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "environments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "key" character varying(128) NOT NULL, "name" character varying(200) NOT NULL, "require_change_reason" boolean NOT NULL DEFAULT false, "position" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ec32d12469ec3c2f2f20c4f5e71" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_environments_project_key" ON "environments"  ("project_id", "key")`);
    await queryRunner.query(`CREATE TABLE "sdk_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "environment_id" uuid NOT NULL, "key_hash" character varying(64) NOT NULL, "prefix" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_c39301468e92774f54d41593827" UNIQUE ("key_hash"), CONSTRAINT "PK_da41a68fe8d11e42dbcb7c1990b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "idx_sdk_keys_environment" ON "sdk_keys"  ("environment_id")`);
    await queryRunner.query(`CREATE TABLE "flags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "key" character varying(128) NOT NULL, "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "owner" character varying(200), "tags" jsonb NOT NULL DEFAULT '[]', "kind" character varying(16) NOT NULL, "variants" jsonb NOT NULL, "default_off_variant" character varying(128) NOT NULL, "default_on_variant" character varying(128) NOT NULL, "lifecycle" character varying(16) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "salt" character varying(64) NOT NULL, "archived_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ea7e333c92a55de9e9b8d0b9afd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_flags_project_key" ON "flags"  ("project_id", "key")`);
    await queryRunner.query(`CREATE TABLE "flag_configs" ("flag_id" uuid NOT NULL, "environment_id" uuid NOT NULL, "on" boolean NOT NULL DEFAULT false, "kill" jsonb, "off_variant" character varying(128), "targets" jsonb NOT NULL DEFAULT '[]', "rules" jsonb NOT NULL DEFAULT '[]', "default_rule" jsonb, "prerequisites" jsonb NOT NULL DEFAULT '[]', "version" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e14696ba062e5ec58d264ab4d3" PRIMARY KEY ("flag_id", "environment_id"))`);
    await queryRunner.query(`CREATE TABLE "segments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "key" character varying(128) NOT NULL, "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "included" jsonb NOT NULL DEFAULT '[]', "excluded" jsonb NOT NULL DEFAULT '[]', "rules" jsonb NOT NULL DEFAULT '[]', "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_beff1eec19679fe8ad4f291f04e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_segments_project_key" ON "segments"  ("project_id", "key")`);
    await queryRunner.query(`CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" character varying(16) NOT NULL, "actor_id" character varying(64), "actor_name" character varying(254) NOT NULL, "action" character varying(64) NOT NULL, "resource_type" character varying(32) NOT NULL, "resource_key" character varying(128) NOT NULL, "project_key" character varying(128), "environment_key" character varying(128), "reason" text, "before" jsonb, "after" jsonb, "request_id" character varying(64), CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "idx_audit_at" ON "audit_log"  ("at")`);
    await queryRunner.query(`CREATE INDEX "idx_audit_actor" ON "audit_log"  ("actor_name")`);
    await queryRunner.query(`CREATE INDEX "idx_audit_resource" ON "audit_log"  ("resource_type", "resource_key", "at")`);
    await queryRunner.query(`CREATE INDEX "idx_audit_project_at" ON "audit_log"  ("project_key", "at")`);
    await queryRunner.query(`CREATE TABLE "change_log" ("environment_id" uuid NOT NULL, "sequence" bigint NOT NULL, "kind" character varying(16) NOT NULL, "key" character varying(128) NOT NULL, "payload" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3b6c1b16ce1d8edf946945e4416" PRIMARY KEY ("environment_id", "sequence"))`);
    await queryRunner.query(`CREATE TABLE "change_log_heads" ("environment_id" uuid NOT NULL, "sequence" bigint NOT NULL, CONSTRAINT "PK_d25dcb191cd99c3be4316d8eaa6" PRIMARY KEY ("environment_id"))`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "environments" ADD CONSTRAINT "fk_environments_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "sdk_keys" ADD CONSTRAINT "fk_sdk_keys_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "flags" ADD CONSTRAINT "fk_flags_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "flag_configs" ADD CONSTRAINT "fk_flag_configs_flag" FOREIGN KEY ("flag_id") REFERENCES "flags"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "flag_configs" ADD CONSTRAINT "fk_flag_configs_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "segments" ADD CONSTRAINT "fk_segments_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "change_log" ADD CONSTRAINT "fk_change_log_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE "change_log_heads" ADD CONSTRAINT "fk_change_log_heads_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE`);
    await queryRunner.query(`CREATE INDEX "idx_flags_tags" ON "flags" USING GIN ("tags")`);
    await queryRunner.query(`CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
    await queryRunner.query(`CREATE TRIGGER "trg_audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_audit_log_append_only" ON "audit_log"`);
    await queryRunner.query(`DROP FUNCTION "audit_log_append_only"()`);
    await queryRunner.query(`DROP TABLE "change_log_heads"`);
    await queryRunner.query(`DROP TABLE "change_log"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP TABLE "segments"`);
    await queryRunner.query(`DROP TABLE "flag_configs"`);
    await queryRunner.query(`DROP TABLE "flags"`);
    await queryRunner.query(`DROP TABLE "sdk_keys"`);
    await queryRunner.query(`DROP TABLE "environments"`);
    await queryRunner.query(`DROP TABLE "projects"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
