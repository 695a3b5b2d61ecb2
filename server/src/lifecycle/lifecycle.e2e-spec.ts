import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aStringFlag, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

describe('stale-flag report', () => {
  let t: TestApp;
  const flags = '/api/v1/projects/life/flags';
  const config = (flag: string, env: string) => `${flags}/${flag}/environments/${env}`;

  /** Moves a flag and its configs into the past, as if nobody had touched them for `hours`. */
  const age = async (flag: string, hours: number) => {
    const db = t.app.get(DataSource);
    const [row] = await db.query(`SELECT f.id FROM flags f JOIN projects p ON p.id = f.project_id WHERE p.key = 'life' AND f.key = $1`, [flag]);
    await db.query(`UPDATE flags SET created_at = now() - make_interval(hours => $2::int) WHERE id = $1`, [row.id, hours]);
    await db.query(`UPDATE flag_configs SET updated_at = now() - make_interval(hours => $2::int) WHERE flag_id = $1`, [row.id, hours]);
  };

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'life', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    // Launched: on everywhere with one variant for 3 days.
    await aBooleanFlag(t.http, t.admin, 'life', 'etl.launched');
    for (const env of ['development', 'production']) await t.http.patch(config('etl.launched', env)).set(t.admin).send({ version: 0, on: true }).expect(200);
    await age('etl.launched', 72);
    // Rolling out: a split in production.
    await aStringFlag(t.http, t.admin, 'life', 'model.rolling');
    await t.http
      .patch(config('model.rolling', 'production'))
      .set(t.admin)
      .send({
        version: 0,
        on: true,
        defaultRule: {
          rollout: {
            variants: [
              { variant: 'v1', weight: 50000 },
              { variant: 'v2', weight: 50000 },
            ],
          },
        },
      })
      .expect(200);
    await age('model.rolling', 72);
    // Recently changed: one variant, but only for 10 hours.
    await aBooleanFlag(t.http, t.admin, 'life', 'etl.recent');
    await age('etl.recent', 10);
    // Expired, and a permanent flag that serves one variant (never stale for that).
    await aBooleanFlag(t.http, t.admin, 'life', 'etl.expired', { expiresAt: '2026-01-01T00:00:00Z' });
    await aBooleanFlag(t.http, t.admin, 'life', 'ops.circuit-breaker', { lifecycle: 'permanent' });
    await age('ops.circuit-breaker', 24 * 30);
    await aBooleanFlag(t.http, t.admin, 'life', 'ops.retired', { lifecycle: 'permanent', expiresAt: '2026-01-01T00:00:00Z' });
  });
  afterAll(() => t.close());

  it('names flags past expiry or serving one variant to everyone for 48 hours, each with its reasons', async () => {
    const res = await t.http.get(`${flags}/stale`).set(t.admin).expect(200);
    expect(res.body).toMatchObject({ singleVariantHours: 48, unusedDays: 7, notEvaluated: [] });
    const byKey = Object.fromEntries(
      (res.body.flags as Array<{ key: string; reasons: Array<{ code: string }> }>).map((f) => [f.key, f.reasons.map((r) => r.code)]),
    );
    expect(byKey).toEqual({
      'etl.expired': ['EXPIRED'],
      'etl.launched': ['SINGLE_VARIANT'],
      'ops.retired': ['EXPIRED'],
    });
    const launched = res.body.flags.find((f: { key: string }) => f.key === 'etl.launched');
    expect(launched.reasons[0]).toMatchObject({
      servedByEnvironment: { development: 'on', production: 'on' },
      message: expect.stringMatching(/^Has served one variant to everyone for 7[12] hours/),
    });
  });

  it('names temporary flags no SDK has evaluated for 7 days, counting from creation when never evaluated', async () => {
    const db = t.app.get(DataSource);
    await aStringFlag(t.http, t.admin, 'life', 'model.forgotten');
    await aStringFlag(t.http, t.admin, 'life', 'model.busy');
    // Split configs, so the single-variant criterion does not apply to either.
    for (const key of ['model.forgotten', 'model.busy']) {
      await t.http
        .patch(config(key, 'production'))
        .set(t.admin)
        .send({
          version: 0,
          on: true,
          defaultRule: {
            rollout: {
              variants: [
                { variant: 'v1', weight: 50000 },
                { variant: 'v2', weight: 50000 },
              ],
            },
          },
        })
        .expect(200);
      await age(key, 24 * 10);
    }
    const [production] = await db.query(`SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.key = 'life' AND e.key = 'production'`);
    await db.query(`INSERT INTO flag_last_evaluated (environment_id, flag_key, last_evaluated_at) VALUES ($1, 'model.busy', now() - interval '1 hour')`, [
      production.id,
    ]);
    const res = await t.http.get(`${flags}/stale`).set(t.admin).expect(200);
    const forgotten = res.body.flags.find((f: { key: string }) => f.key === 'model.forgotten');
    expect(forgotten.reasons).toEqual([expect.objectContaining({ code: 'UNUSED', message: 'No SDK has evaluated it since it was created 10 days ago' })]);
    expect(res.body.flags.map((f: { key: string }) => f.key)).not.toContain('model.busy');
    // The flag list's stale filter applies the same rule.
    const listed = (await t.http.get(flags).query({ stale: 'true' }).set(t.admin).expect(200)).body.map((f: { key: string }) => f.key);
    expect(listed).toContain('model.forgotten');
    expect(listed).not.toContain('model.busy');
    const lenient = await t.http.get(`${flags}/stale`).query({ unusedDays: 30 }).set(t.admin).expect(200);
    expect(lenient.body.flags.map((f: { key: string }) => f.key)).not.toContain('model.forgotten');
    await db.query(`INSERT INTO flag_last_evaluated (environment_id, flag_key, last_evaluated_at) VALUES ($1, 'model.forgotten', now() - interval '8 days')`, [
      production.id,
    ]);
    const later = await t.http.get(`${flags}/stale`).set(t.admin).expect(200);
    expect(later.body.flags.find((f: { key: string }) => f.key === 'model.forgotten').reasons).toEqual([
      expect.objectContaining({ code: 'UNUSED', message: 'No SDK has evaluated it for 8 days' }),
    ]);
    for (const key of ['model.forgotten', 'model.busy']) await t.http.post(`${flags}/${key}/archive`).set(t.admin).send({}).expect(200);
  });

  it('takes the single-variant threshold from the query', async () => {
    const res = await t.http.get(`${flags}/stale`).query({ singleVariantHours: 6 }).set(t.admin).expect(200);
    expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(['etl.expired', 'etl.launched', 'etl.recent', 'ops.retired']);
    expect((await t.http.get(`${flags}/stale`).query({ singleVariantHours: 0 }).set(t.admin)).status).toBe(400);
    expect((await t.http.get(`${flags}/stale`).query({ singleVariantHours: 'soon' }).set(t.admin)).status).toBe(400);
  });

  it('filters the flag list with stale=true / stale=false', async () => {
    const stale = await t.http.get(flags).query({ stale: 'true' }).set(t.admin).expect(200);
    expect(stale.body.map((f: { key: string }) => f.key)).toEqual(['etl.expired', 'etl.launched', 'ops.retired']);
    const fresh = await t.http.get(flags).query({ stale: 'false' }).set(t.admin).expect(200);
    expect(fresh.body.map((f: { key: string }) => f.key)).toEqual(['etl.recent', 'model.rolling', 'ops.circuit-breaker']);
    expect((await t.http.get(flags).query({ stale: 'maybe' }).set(t.admin)).status).toBe(400);
  });

  it('drops a flag from the report once someone changes it, and is readable by viewers', async () => {
    const [dev] = [(await t.http.get(config('etl.launched', 'development')).set(t.admin)).body];
    await t.http
      .patch(config('etl.launched', 'development'))
      .set(t.admin)
      .send({ version: dev.version, targets: [{ variant: 'off', values: ['batch-1'] }] })
      .expect(200);
    const viewer = await aUser(t.http, t.admin, 'viewer');
    const res = await t.http.get(`${flags}/stale`).set(bearer(viewer.token)).expect(200);
    expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(['etl.expired', 'ops.retired']);
    expect((await t.http.get('/api/v1/projects/nope/flags/stale').set(t.admin)).status).toBe(404);
  });
});
