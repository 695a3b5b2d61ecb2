import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A trigger's effect, chosen at creation (existing triggers kill, as before), and the events
 * triggers acted on, so a repeated CloudEvent (or Idempotency-Key) does nothing twice.
 */
export class TriggerEffects1763930600000 implements MigrationInterface {
  name = 'TriggerEffects1763930600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Existing triggers kill, as they always did; new ones always name their effect, so no default stays.
    await queryRunner.query(`ALTER TABLE "flag_triggers" ADD "effect" jsonb NOT NULL DEFAULT '{"type":"kill"}'`);
    await queryRunner.query(`ALTER TABLE "flag_triggers" ALTER COLUMN "effect" DROP DEFAULT`);
    await queryRunner.query(
      `CREATE TABLE "trigger_events" ("trigger_id" uuid NOT NULL, "event_hash" character varying(64) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "outcome" jsonb NOT NULL, CONSTRAINT "PK_trigger_events" PRIMARY KEY ("trigger_id", "event_hash"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "trigger_events" ADD CONSTRAINT "fk_trigger_events_trigger" FOREIGN KEY ("trigger_id") REFERENCES "flag_triggers"("id") ON DELETE CASCADE`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "trigger_events"`);
    await queryRunner.query(`ALTER TABLE "flag_triggers" DROP COLUMN "effect"`);
  }
}
