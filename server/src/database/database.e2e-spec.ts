import { RateLimitWindowEntity } from '../triggers/rate-limit-window.entity.js';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { cloneTemplate, type TestDatabase } from '../../test/test-database.js';
import { ApiTokenEntity } from '../auth/api-token.entity.js';
import { SdkKeyEntity } from '../auth/sdk-key.entity.js';
import { SessionEntity } from '../auth/session.entity.js';
import { UserEntity } from '../auth/user.entity.js';
import { AuditEntryEntity } from '../audit/audit-entry.entity.js';
import { ChangeEntity, ChangeLogHeadEntity } from '../changes/change.entity.js';
import { FlagConfigEntity } from '../flags/flag-config.entity.js';
import { FlagEntity } from '../flags/flag.entity.js';
import { EnvironmentEntity } from '../projects/environment.entity.js';
import { ProjectEntity } from '../projects/project.entity.js';
import { SegmentEntity } from '../segments/segment.entity.js';
import { SdkPresenceEntity } from '../realtime/sdk-presence.entity.js';
import { EvaluationRollupEntity } from '../telemetry/evaluation-rollup.entity.js';
import { FlagLastEvaluatedEntity } from '../telemetry/flag-last-evaluated.entity.js';
import { MetricRollupEntity } from '../telemetry/metric-rollup.entity.js';
import { ShadowSampleEntity } from '../telemetry/shadow-sample.entity.js';
import { ExperimentEntity } from '../experiments/experiment.entity.js';
import { RolloutPlanEntity } from '../rollouts/rollout-plan.entity.js';
import { TriggerEntity } from '../triggers/trigger.entity.js';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity.js';
import { WebhookSubscriptionEntity } from '../webhooks/webhook-subscription.entity.js';
import { createDataSource, dataSourceOptions, runMigrations } from './data-source.js';
import { openEmbeddedDatabase } from './embedded-database.js';
import { LoginThrottleEntity } from '../auth/login-throttle.entity.js';
import { TriggerCallEntity } from '../triggers/trigger-call.entity.js';
import { TriggerEventEntity } from '../triggers/trigger-event.entity.js';

const ENTITIES = [
  UserEntity,
  SessionEntity,
  ApiTokenEntity,
  SdkKeyEntity,
  ProjectEntity,
  EnvironmentEntity,
  FlagEntity,
  FlagConfigEntity,
  SegmentEntity,
  AuditEntryEntity,
  ChangeEntity,
  ChangeLogHeadEntity,
  SdkPresenceEntity,
  TriggerEntity,
  WebhookSubscriptionEntity,
  WebhookDeliveryEntity,
  MetricRollupEntity,
  EvaluationRollupEntity,
  FlagLastEvaluatedEntity,
  ShadowSampleEntity,
  ExperimentEntity,
  RolloutPlanEntity,
  RateLimitWindowEntity,
  TriggerCallEntity,
  TriggerEventEntity,
  LoginThrottleEntity,
];

const open = async (db: TestDatabase): Promise<DataSource> => {
  const target = db.databaseUrl ? { url: db.databaseUrl } : { embedded: await openEmbeddedDatabase(db.dataDir!) };
  return createDataSource(dataSourceOptions(target, ENTITIES)).initialize();
};

describe('database', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await cloneTemplate();
    ds = await open(db);
    await ds.query('CREATE TABLE lease_probe (id int PRIMARY KEY, n int NOT NULL)');
    await ds.query('INSERT INTO lease_probe VALUES (1, 0)');
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** Undoes migrations, newest first, until `name` is no longer applied (the schema as the release before it had it). */
  const undoThrough = async (name: string) => {
    const applied = async () => ((await ds.query('SELECT name FROM schema_migrations ORDER BY id')) as Array<{ name: string }>).map((m) => m.name);
    while ((await applied()).includes(name)) await ds.undoLastMigration({ transaction: 'each' });
  };
  /** A project `key` with a production environment, written as rows (any schema since the first migration). */
  const aProjectRow = async (key: string): Promise<{ projectId: string; environmentId: string }> => {
    const [project] = (await ds.query(`INSERT INTO projects (key, name) VALUES ($1, $1) RETURNING id`, [key])) as Array<{ id: string }>;
    const [environment] = (await ds.query(`INSERT INTO environments (project_id, key, name) VALUES ($1, 'production', 'Production') RETURNING id`, [
      project!.id,
    ])) as Array<{ id: string }>;
    return { projectId: project!.id, environmentId: environment!.id };
  };

  it('has a schema that matches the entities exactly (what `migration:generate --check` asserts)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    // Foreign keys live only in migrations (modules do not import each other's entities).
    const relevant = pending.upQueries.map((q) => q.query).filter((q) => !/DROP CONSTRAINT "fk_/.test(q));
    expect(relevant).toEqual([]);
  });

  it('runs every migration down and up again', async () => {
    for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await ds.query(`SELECT to_regclass('public.flags') AS t`)).toEqual([{ t: null }]);
    await runMigrations(ds, false);
    expect(await ds.showMigrations()).toBe(false);
    await ds.query('CREATE TABLE IF NOT EXISTS lease_probe (id int PRIMARY KEY, n int NOT NULL)');
    await ds.query('INSERT INTO lease_probe VALUES (1, 0) ON CONFLICT DO NOTHING');
  });

  it('keeps every telemetry row through the partitioning migration, each in its own day', async () => {
    await undoThrough('TelemetryPartitions1763930400000');
    expect(await ds.query(`SELECT relkind FROM pg_class WHERE relname = 'metric_rollups'`)).toEqual([{ relkind: 'r' }]);
    const { environmentId } = await aProjectRow('legacy');
    // Rows 40, 3 and 0 days old: the migration must make a partition for each day that holds data.
    const days = [40, 3, 0].map((ago) => new Date(Date.now() - ago * 86_400_000));
    for (const [i, minute] of days.entries()) {
      await ds.query(
        `INSERT INTO metric_rollups (environment_id, flag_key, metric, variant_key, minute, count, sum, sum_squares, errors, histogram) VALUES ($1, 'legacy.flag', 'm', 'v1', $2, $3, 1, 1, 0, '{}')`,
        [environmentId, minute, i + 1],
      );
      await ds.query(
        `INSERT INTO evaluation_rollups (environment_id, flag_key, variant_key, reason, minute, count) VALUES ($1, 'legacy.flag', 'v1', 'SPLIT', $2, $3)`,
        [environmentId, minute, 10 * (i + 1)],
      );
    }
    await runMigrations(ds, false);
    expect(await ds.query(`SELECT relkind FROM pg_class WHERE relname = 'metric_rollups'`)).toEqual([{ relkind: 'p' }]);
    const rows = (await ds.query(
      `SELECT tableoid::regclass::text AS partition, count::int AS n FROM metric_rollups WHERE flag_key = 'legacy.flag' ORDER BY minute`,
    )) as Array<{ partition: string; n: number }>;
    const dayName = (d: Date) => `metric_rollups_p${d.toISOString().slice(0, 10).replaceAll('-', '')}`;
    expect(rows).toEqual(days.map((d, i) => ({ partition: dayName(d), n: i + 1 })));
    expect(await ds.query(`SELECT sum(count)::int AS n FROM evaluation_rollups WHERE flag_key = 'legacy.flag'`)).toEqual([{ n: 60 }]);
    await ds.query(`DELETE FROM projects WHERE key = 'legacy'`);
  });

  it('keeps fixed-horizon analysis for experiments created before the analysis migration, and asks new ones to name theirs', async () => {
    await undoThrough('ExperimentAnalysis1763930000000');
    const { projectId, environmentId } = await aProjectRow('before-analysis');
    await ds.query(
      `INSERT INTO flags (project_id, key, name, kind, variants, default_off_variant, default_on_variant, lifecycle, salt)
       VALUES ($1, 'old.model', 'Old model', 'string', '[{"key":"v1","value":"v1"},{"key":"v2","value":"v2"}]', 'v1', 'v1', 'permanent', 's')`,
      [projectId],
    );
    // An experiment as the release before wrote it: no analysis column yet.
    const columns = `project_id, environment_id, flag_key, key, name, control_variant, treatment_variants, primary_metric, guardrail_metrics,
      alpha, power, minimum_detectable_effect, status, started_at, created_by`;
    const values = `$1, $2, 'old.model', $3, 'Old', 'v1', '["v2"]', '{"metric":"model.latency_ms","kind":"mean"}', '[]', 0.05, 0.8, 0.1, 'running', now(), 'someone'`;
    await ds.query(`INSERT INTO experiments (${columns}) VALUES (${values})`, [projectId, environmentId, 'old-experiment']);
    await runMigrations(ds, false);
    expect(await ds.query(`SELECT key, analysis FROM experiments WHERE project_id = $1`, [projectId])).toEqual([
      { key: 'old-experiment', analysis: 'fixed-horizon' },
    ]);
    // The default served the rows that existed only: a new experiment must say which analysis it uses.
    await expect(ds.query(`INSERT INTO experiments (${columns}) VALUES (${values})`, [projectId, environmentId, 'new-experiment'])).rejects.toThrow(/analysis/);
    await ds.query(`DELETE FROM projects WHERE key = 'before-analysis'`);
  });

  it('rolls back a failed transaction completely', async () => {
    await expect(
      ds.transaction(async (m) => {
        await m.query('INSERT INTO lease_probe VALUES (2, 0)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await ds.query('SELECT id FROM lease_probe ORDER BY id')).toEqual([{ id: 1 }]);
  });

  it('loses no increment when many transactions run at once', async () => {
    await Promise.all(
      Array.from({ length: 40 }, () =>
        ds.transaction(async (m) => {
          const [row] = await m.query('SELECT n FROM lease_probe WHERE id = 1 FOR UPDATE');
          await new Promise((r) => setTimeout(r, 1));
          await m.query('UPDATE lease_probe SET n = $1 WHERE id = 1', [row.n + 1]);
        }),
      ),
    );
    expect(await ds.query('SELECT n FROM lease_probe WHERE id = 1')).toEqual([{ n: 40 }]);
  });

  it('keeps the audit log append-only', async () => {
    await ds.query(`INSERT INTO audit_log (actor_type, actor_name, action, resource_type, resource_key) VALUES ('system', 'test', 'x', 'flag', 'f')`);
    await expect(ds.query('UPDATE audit_log SET action = $1', ['tampered'])).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('returns int8 as a number on both drivers', async () => {
    expect(await ds.query('SELECT 9007199254740991::int8 AS big, count(*) AS c FROM lease_probe')).toEqual([{ big: 9007199254740991, c: 1 }]);
  });
});
