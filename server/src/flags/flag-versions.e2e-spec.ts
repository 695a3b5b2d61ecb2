import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProject, aStringFlag, aUser } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

describe('flag config versions and revert', () => {
  let t: TestApp;
  let sdkKey: string;
  const project = '/api/v1/projects/vers';
  const configUrl = (flag: string, env = 'development') => `${project}/flags/${flag}/environments/${env}`;
  const rule = { clauses: [{ attribute: 'team', op: 'in', values: ['search'] }], serve: { variant: 'v3' } };

  /** A string flag with three edits in development: v1 serves v2, v2 adds a target, v3 adds a rule. */
  const threeEdits = async (flag: string) => {
    await aStringFlag(t.http, t.admin, 'vers', flag);
    const url = configUrl(flag);
    for (const [version, body] of [
      [0, { on: true, defaultRule: { variant: 'v2' }, reason: 'serve v2' }],
      [1, { targets: [{ variant: 'v1', values: ['run-1'] }], reason: 'pin run-1' }],
      [2, { rules: [rule], reason: 'search team gets v3' }],
    ] as const) {
      const res = await t.http
        .patch(url)
        .set(t.admin)
        .send({ version, ...body });
      expect(res.status).toBe(200);
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const created = await aProject(t.http, t.admin, 'vers', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production', requireChangeReason: true },
    ]);
    sdkKey = created.sdkKeys.development!;
  });
  afterAll(() => t.close());

  it('lists the versions newest first with who, when, why and the config after each, paged', async () => {
    await threeEdits('list.flag');
    const res = await t.http.get(`${configUrl('list.flag')}/versions`).set(t.admin);
    expect(res.status).toBe(200);
    expect(res.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(res.body.items[2]).toMatchObject({
      version: 1,
      action: 'flag.config.updated',
      reason: 'serve v2',
      revertedTo: null,
      actor: { type: 'admin-token' },
      config: { on: true, defaultRule: { variant: 'v2' }, targets: [], rules: [], version: 1 },
    });
    expect(Date.parse(res.body.items[0].at)).not.toBeNaN();
    expect(res.body.items[0].config).toMatchObject({ rules: [rule], targets: [{ variant: 'v1', values: ['run-1'] }] });
    expect(res.body).toMatchObject({ nextCursor: null, earlierVersionsMissing: false });

    const first = await t.http.get(`${configUrl('list.flag')}/versions?limit=2`).set(t.admin);
    expect(first.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http.get(`${configUrl('list.flag')}/versions?limit=2&cursor=${first.body.nextCursor}`).set(t.admin);
    expect(second.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();

    // Another environment has its own history: none yet.
    const production = await t.http.get(`${configUrl('list.flag', 'production')}/versions`).set(t.admin);
    expect(production.body).toEqual({ items: [], nextCursor: null, earlierVersionsMissing: false });
  });

  it('reverting to v1 writes v4 with v1’s config, audited, and SDKs get it', async () => {
    await threeEdits('revert.flag');
    const socket = await connectSdk(t.url, sdkKey);
    await socket.waitFor((m) => m.type === 'snapshot');
    const res = await t.http
      .post(`${configUrl('revert.flag')}/revert`)
      .set(t.admin)
      .send({ toVersion: 1, version: 3, reason: 'back to plain v2' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 4, on: true, defaultRule: { variant: 'v2' }, targets: [], rules: [] });

    const versions = (await t.http.get(`${configUrl('revert.flag')}/versions`).set(t.admin)).body;
    expect(versions.items[0]).toMatchObject({ version: 4, action: 'flag.config.reverted', revertedTo: 1, reason: 'back to plain v2' });
    const strip = ({ version: _v, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;
    expect(strip(versions.items[0].config)).toEqual(strip(versions.items[3].config));

    const audit = await t.http.get('/api/v1/audit?project=vers&flag=revert.flag&limit=1').set(t.admin);
    expect(audit.body.items[0]).toMatchObject({ action: 'flag.config.reverted', environmentKey: 'development', after: { version: 4, revertedTo: 1 } });

    // Connected SDKs get the new version pushed; polling ones read it from the snapshot.
    const pushed = await socket.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'revert.flag' && m.flag?.version === 4);
    expect(pushed).toMatchObject({ flag: { defaultRule: { variant: 'v2' }, rules: [], targets: [] } });
    socket.close();
    const sdk = await t.http.get('/api/v1/sdk/config').set(bearer(sdkKey));
    expect(sdk.status).toBe(200);
    const served = sdk.body.flags.find((f: { key: string }) => f.key === 'revert.flag');
    expect(served).toMatchObject({ version: 4, on: true, defaultRule: { variant: 'v2' }, targets: [], rules: [] });
  });

  it('refuses a stale version with 409 and writes nothing', async () => {
    await threeEdits('stale.flag');
    const res = await t.http
      .post(`${configUrl('stale.flag')}/revert`)
      .set(t.admin)
      .send({ toVersion: 1, version: 2 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'VERSION_CONFLICT', details: { currentVersion: 3 } });
    expect((await t.http.get(configUrl('stale.flag')).set(t.admin)).body).toMatchObject({ version: 3, rules: [rule] });
    expect((await t.http.get(`${configUrl('stale.flag')}/versions`).set(t.admin)).body.items).toHaveLength(3);
  });

  it('answers 404 naming an unknown version, and for an unknown flag or environment', async () => {
    await threeEdits('unknown.flag');
    const res = await t.http
      .post(`${configUrl('unknown.flag')}/revert`)
      .set(t.admin)
      .send({ toVersion: 9, version: 3 });
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('Version 9');
    expect((await t.http.get(`${configUrl('no.such.flag')}/versions`).set(t.admin)).status).toBe(404);
    expect((await t.http.get(`${configUrl('unknown.flag', 'staging')}/versions`).set(t.admin)).status).toBe(404);
  });

  it('says earlier versions are missing when the audit log does not hold one, and answers 404 for it', async () => {
    await threeEdits('legacy.flag');
    // As if v1 had been written before the audit log recorded configs. The log is append-only (a
    // trigger), so the test lifts that for its one delete, inside a transaction.
    await t.app.get(DataSource).transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_log DISABLE TRIGGER trg_audit_log_append_only');
      await manager.query(
        `DELETE FROM audit_log WHERE project_key = 'vers' AND resource_key = 'legacy.flag' AND environment_key = 'development' AND ("after"->>'version')::int = 1`,
      );
      await manager.query('ALTER TABLE audit_log ENABLE TRIGGER trg_audit_log_append_only');
    });
    const listed = (
      await t.http
        .get(`${configUrl('legacy.flag')}/versions`)
        .set(t.admin)
        .expect(200)
    ).body;
    expect(listed.items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(listed).toMatchObject({ nextCursor: null, earlierVersionsMissing: true });
    const res = await t.http
      .post(`${configUrl('legacy.flag')}/revert`)
      .set(t.admin)
      .send({ toVersion: 1, version: 3 });
    expect(res.status).toBe(404);
    expect((await t.http.get(configUrl('legacy.flag')).set(t.admin)).body.version).toBe(3);
    // Reverting to one it holds still works.
    await t.http
      .post(`${configUrl('legacy.flag')}/revert`)
      .set(t.admin)
      .send({ toVersion: 2, version: 3 })
      .expect(200);
  });

  it('lets viewers list but not revert, and refuses SDK keys both', async () => {
    await threeEdits('access.flag');
    const viewer = await aUser(t.http, t.admin, 'viewer');
    expect((await t.http.get(`${configUrl('access.flag')}/versions`).set(bearer(viewer.token))).status).toBe(200);
    const refused = await t.http
      .post(`${configUrl('access.flag')}/revert`)
      .set(bearer(viewer.token))
      .send({ toVersion: 1, version: 3 });
    expect(refused.status).toBe(403);
    for (const res of [
      await t.http.get(`${configUrl('access.flag')}/versions`).set(bearer(sdkKey)),
      await t.http
        .post(`${configUrl('access.flag')}/revert`)
        .set(bearer(sdkKey))
        .send({ toVersion: 1, version: 3 }),
    ]) {
      expect([401, 403]).toContain(res.status);
    }
    expect((await t.http.get(configUrl('access.flag')).set(t.admin)).body.version).toBe(3);
  });

  it('answers 400 naming the field for a bad body or a missing required reason', async () => {
    await aStringFlag(t.http, t.admin, 'vers', 'body.flag');
    const fieldsOf = async (body: object, env = 'development') => {
      const res = await t.http
        .post(`${configUrl('body.flag', env)}/revert`)
        .set(t.admin)
        .send(body);
      expect(res.status).toBe(400);
      return [...new Set(res.body.details.map((d: { field: string }) => d.field))];
    };
    expect(await fieldsOf({ toVersion: -1, version: 0 })).toEqual(['toVersion']);
    expect(await fieldsOf({ toVersion: '1', version: 0 })).toEqual(['toVersion']);
    expect(await fieldsOf({ toVersion: 1 })).toEqual(['version']);
    expect(await fieldsOf({ toVersion: 1, version: 0, reason: 7 })).toEqual(['reason']);
    expect((await t.http.get(`${configUrl('body.flag')}/versions?limit=0`).set(t.admin)).body.details[0].field).toBe('limit');
    expect((await t.http.get(`${configUrl('body.flag')}/versions?cursor=abc`).set(t.admin)).body.details[0].field).toBe('cursor');

    const url = configUrl('body.flag', 'production');
    expect((await t.http.patch(url).set(t.admin).send({ version: 0, on: true, reason: 'go' })).status).toBe(200);
    expect((await t.http.patch(url).set(t.admin).send({ version: 1, on: false, reason: 'stop' })).status).toBe(200);
    expect(await fieldsOf({ toVersion: 1, version: 2 }, 'production')).toEqual(['reason']);
    expect((await t.http.get(url).set(t.admin)).body.version).toBe(2);
  });

  it('answers 400 with the problems when the version serves variants the flag no longer has', async () => {
    await aStringFlag(t.http, t.admin, 'vers', 'gone.flag');
    const url = configUrl('gone.flag');
    await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v3' } })
      .expect(200);
    await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 1, defaultRule: { variant: 'v1' } })
      .expect(200);
    const flag = (await t.http.get(`${project}/flags/gone.flag`).set(t.admin)).body;
    const variants = flag.variants.filter((v: { key: string }) => v.key !== 'v3');
    await t.http.patch(`${project}/flags/gone.flag`).set(t.admin).send({ version: flag.version, variants }).expect(200);
    const res = await t.http.post(`${url}/revert`).set(t.admin).send({ toVersion: 1, version: 2 });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'defaultRule.variant' })]);
    expect((await t.http.get(url).set(t.admin)).body).toMatchObject({ version: 2, defaultRule: { variant: 'v1' } });
  });

  it('leaves the kill switch as it is: a killed flag stays killed, a live one stays live', async () => {
    await threeEdits('kill.flag');
    const url = configUrl('kill.flag');
    await t.http.post(`${url}/kill`).set(t.admin).send({ reason: 'bad model' }).expect(200);
    const killed = (await t.http.get(url).set(t.admin)).body;
    expect(killed).toMatchObject({ version: 4, killed: true });
    const reverted = await t.http.post(`${url}/revert`).set(t.admin).send({ toVersion: 1, version: 4 });
    expect(reverted.status).toBe(200);
    expect(reverted.body).toMatchObject({ version: 5, killed: true, kill: killed.kill, rules: [], targets: [] });
    const sdk = (await t.http.get('/api/v1/sdk/config').set(bearer(sdkKey))).body;
    expect(sdk.flags.find((f: { key: string }) => f.key === 'kill.flag')).toMatchObject({ version: 5, killed: true });

    // Back to v4, the kill's own version, once restored: the flag stays live.
    await t.http.post(`${url}/restore`).set(t.admin).send({}).expect(200);
    const live = await t.http.post(`${url}/revert`).set(t.admin).send({ toVersion: 4, version: 6 });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ version: 7, killed: false, kill: null, rules: [rule] });
  });
});
