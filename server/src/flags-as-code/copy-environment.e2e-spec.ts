import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

// The console's "copy an environment" reviews a dry run, then copies with the target versions it
// showed: a config that moved in between must come back as a 409, and nothing may be written.
describe('copying a whole environment against a reviewed plan', () => {
  let t: TestApp;
  const copy = (body: Record<string, unknown>) => t.http.post('/api/v1/projects/reviewed/environments/production/copy-from/staging').set(t.admin).send(body);
  const production = async (flag: string) =>
    (await t.http.get(`/api/v1/projects/reviewed/flags/${flag}`).set(t.admin).expect(200)).body.environments.production as { version: number; on: boolean };

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'reviewed', [
      { key: 'staging', name: 'Staging' },
      { key: 'production', name: 'Production' },
    ]);
    for (const key of ['step.a', 'step.b']) {
      await aBooleanFlag(t.http, t.admin, 'reviewed', key);
      await t.http.patch(`/api/v1/projects/reviewed/flags/${key}/environments/staging`).set(t.admin).send({ version: 0, on: true }).expect(200);
    }
  });
  afterAll(() => t.close());

  it('refuses the whole copy with 409 when one reviewed target config moved, and writes nothing', async () => {
    const review = await copy({ dryRun: true }).expect(200);
    const baseVersions = (review.body.changes as Array<{ key: string; version: number }>).map((c) => ({ flag: c.key, version: c.version }));
    expect(baseVersions.map((b) => b.flag)).toEqual(['step.a', 'step.b']);
    // Someone edits step.b in production after the review.
    await t.http
      .patch('/api/v1/projects/reviewed/flags/step.b/environments/production')
      .set(t.admin)
      .send({ version: (await production('step.b')).version, offVariant: 'off' })
      .expect(200);
    const before = [await production('step.a'), await production('step.b')];
    const stale = await copy({ reason: 'promote', flags: baseVersions.map((b) => b.flag), baseVersions });
    expect(stale.status, JSON.stringify(stale.body)).toBe(409);
    expect(stale.body.details.conflicts).toEqual([
      expect.objectContaining({ key: 'step.b', environment: 'production', baseVersion: baseVersions[1]!.version }),
    ]);
    expect([await production('step.a'), await production('step.b')]).toEqual(before);

    // Reviewed again, the copy goes through.
    const again = await copy({ dryRun: true }).expect(200);
    const fresh = (again.body.changes as Array<{ key: string; version: number }>).map((c) => ({ flag: c.key, version: c.version }));
    const done = await copy({ reason: 'promote', flags: fresh.map((b) => b.flag), baseVersions: fresh }).expect(200);
    expect(done.body.applied).toBe(true);
    expect((await production('step.a')).on).toBe(true);
    expect((await production('step.b')).on).toBe(true);
  });

  it('names the field of a bad base version', async () => {
    for (const [baseVersions, field] of [
      [[{ flag: 'step.a', version: -1 }], 'baseVersions[0].version'],
      [[{ flag: 'step.a', version: 1.5 }], 'baseVersions[0].version'],
      [[{ flag: '', version: 1 }], 'baseVersions[0].flag'],
      [['step.a'], 'baseVersions[0]'],
      ['all', 'baseVersions'],
    ] as const) {
      const res = await copy({ reason: 'x', baseVersions });
      expect(res.status, JSON.stringify(baseVersions)).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });
});
