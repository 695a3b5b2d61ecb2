import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './cli-process.js';
import { aBooleanFlag, aProject, aUser } from './builders.js';
import { bearer, startTestApp, type TestApp } from './test-app.js';

describe('signalbox requests against the real server', () => {
  let t: TestApp;
  let home: string;
  let author: { token: string; email: string };
  let approver: { token: string; email: string };
  const url = '/api/v1/projects/gate/flags/gpu.step/environments/production';
  const cli = (token: string, args: string[]) => runCli(home, args, cliEnv(t.url, token, 'gate'));

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-requests-cli-'));
    await aProject(t.http, t.admin, 'gate', [{ key: 'production', name: 'Production' }]);
    await aBooleanFlag(t.http, t.admin, 'gate', 'gpu.step');
    await t.http.patch('/api/v1/projects/gate/environments/production').set(t.admin).send({ requireApproval: true }).expect(200);
    author = await aUser(t.http, t.admin, 'editor');
    approver = await aUser(t.http, t.admin, 'editor');
    const res = await t.http.patch(url).set(bearer(author.token)).send({ version: 0, on: true, reason: 'GPU step on' }).expect(202);
    expect(res.body.changeRequest.number).toBe(1);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists and shows requests with their diff', async () => {
    const list = await cli(approver.token, ['requests', 'list', '--status', 'pending']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^#1\s+pending\s+0\/1\s+config\s+gpu\.step in production/);
    expect(list.stdout).toContain('GPU step on');
    const none = await cli(approver.token, ['requests', 'list', '--status', 'applied']);
    expect(none.stdout.trim()).toBe('No change requests.');

    const show = await cli(approver.token, ['requests', 'show', '1']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('on: false → true');
    const json = JSON.parse((await cli(approver.token, ['--json', 'requests', 'show', '1'])).stdout);
    expect(json).toMatchObject({ number: 1, status: 'pending', author: { email: author.email } });
  });

  it('refuses self-approval and an early apply with usable exit codes, then approves and applies', async () => {
    const self = await cli(author.token, ['requests', 'approve', '1']);
    expect(self.code).toBe(3);
    expect(self.stderr).toContain('403');
    const early = await cli(author.token, ['requests', 'apply', '1']);
    expect(early.code).toBe(5);
    expect(early.stderr).toContain('pending');

    const approved = await cli(approver.token, ['requests', 'approve', '1', '--comment', 'ok for Saturday']);
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toContain('#1 approved: now approved (1/1 approvals)');
    const applied = await cli(author.token, ['requests', 'apply', '1']);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('#1 applied: gpu.step in production is at version 1');
    expect((await t.http.get(url).set(t.admin)).body).toMatchObject({ on: true, version: 1 });
  });

  it('turns `signalbox restore` in a gated environment into a change request; a kill-switch token is refused', async () => {
    await t.http.post(`${url}/kill`).set(t.admin).send({ reason: 'incident' }).expect(200);
    const restore = await cli(author.token, ['restore', 'gpu.step', '--env', 'production', '--reason', 'incident over']);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/gpu\.step in production: requires approval — change request #\d+ created \(needs 1;/);
    expect((await t.http.get(url).set(t.admin)).body.killed).toBe(true);

    const killSwitch = (await t.http.post('/api/v1/tokens').set(t.admin).send({ name: 'pager', access: 'kill-switch' }).expect(201)).body.secret;
    const refused = await cli(killSwitch, ['restore', 'gpu.step', '--env', 'production']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('requires approval');
  });

  it('rejects, and answers bad numbers and unknown requests with the server’s words', async () => {
    const version = (await t.http.get(url).set(t.admin)).body.version;
    const made = await t.http.patch(url).set(bearer(author.token)).send({ version, on: false, reason: 'off again' }).expect(202);
    const n = made.body.changeRequest.number;
    const rejected = await cli(approver.token, ['requests', 'reject', String(n), '--comment', 'not yet']);
    expect(rejected.stdout).toContain(`#${n} rejected: now rejected`);
    expect((await cli(approver.token, ['requests', 'show', 'two'])).code).toBe(2);
    const unknown = await cli(approver.token, ['requests', 'show', '42']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('#42');
  });

  it('prints a scheduled request with its time and a segment request with its segment', async () => {
    const version = (await t.http.get(url).set(t.admin)).body.version;
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await t.http
      .post(`${url}/scheduled-changes`)
      .set(bearer(author.token))
      .send({ runAt, version, patch: { on: true }, reason: 'later on' })
      .expect(202);
    const n = scheduled.body.changeRequest.number;
    const list = await cli(approver.token, ['requests', 'list', '--status', 'pending']);
    expect(list.stdout).toMatch(new RegExp(`#${n}\\s+pending\\s+0/1\\s+config\\s+gpu\\.step in production at ${runAt.replace(/\./g, '\\.')}`));
    expect((await cli(approver.token, ['requests', 'show', String(n)])).stdout).toContain(`runs at ${runAt}`);
    await cli(approver.token, ['requests', 'approve', String(n)]);
    const applied = await cli(author.token, ['requests', 'apply', String(n)]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toMatch(
      new RegExp(`#${n} applied: gpu\\.step in production is scheduled for ${runAt.replace(/\./g, '\\.')} \\(scheduled change [0-9a-f-]{36}\\)`),
    );

    const viaCli = await cli(author.token, ['schedule', 'create', 'gpu.step', '--env', 'production', '--at', runAt, '--patch', '{"on":false}']);
    expect(viaCli.stderr).toBe('');
    expect(viaCli.stdout).toMatch(/^production requires approval: change request #\d+ was created \(needs 1; applying it schedules the change;/);

    // A segment that production's config uses: its update is a request.
    await t.http.patch('/api/v1/projects/gate/environments/production').set(t.admin).send({ requireApproval: false }).expect(200);
    await t.http
      .post('/api/v1/projects/gate/segments')
      .set(t.admin)
      .send({ key: 'beta', name: 'beta', included: ['run-1'] })
      .expect(201);
    const current = (await t.http.get(url).set(t.admin)).body.version;
    const rule = { clauses: [{ op: 'segment', segments: ['beta'] }], serve: { variant: 'on' } };
    await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: current, rules: [rule] })
      .expect(200);
    await t.http.patch('/api/v1/projects/gate/environments/production').set(t.admin).send({ requireApproval: true }).expect(200);
    const segment = await t.http
      .patch('/api/v1/projects/gate/segments/beta')
      .set(bearer(author.token))
      .send({ version: 1, included: ['run-1', 'run-2'] })
      .expect(202);
    const s = segment.body.changeRequest.number;
    const bySegment = await cli(approver.token, ['requests', 'list', '--segment', 'beta']);
    expect(bySegment.stdout.trim()).toMatch(new RegExp(`^#${s}\\s+pending\\s+0/1\\s+segment\\s+segment beta in production`));
    expect((await cli(approver.token, ['requests', 'show', String(s)])).stdout).toContain('included: ["run-1"] → ["run-1","run-2"]');
  });

  it("lists past the server's page of 500 by following its cursor, up to --limit", async () => {
    const existing = (await t.http.get('/api/v1/projects/gate/change-requests?limit=500').set(t.admin).expect(200)).body.items.length;
    const body = { kind: 'config', flag: 'gpu.step', environment: 'production', baseVersion: 1, reason: 'bulk' };
    const config = (await t.http.get(url).set(t.admin).expect(200)).body;
    const change = { on: !config.on, offVariant: config.offVariant, targets: [], rules: [], defaultRule: config.defaultRule, prerequisites: [] };
    for (let i = existing; i < 502; i++)
      await t.http
        .post('/api/v1/projects/gate/change-requests')
        .set(bearer(author.token))
        .send({ ...body, baseVersion: config.version, change })
        .expect(201);
    // The API's own page is 100 unless limit says otherwise.
    const firstPage = (await t.http.get('/api/v1/projects/gate/change-requests').set(t.admin).expect(200)).body;
    expect(firstPage.items).toHaveLength(100);
    expect(firstPage.nextCursor).toBe(String(firstPage.items[99].number));
    const all = await cli(approver.token, ['--json', 'requests', 'list', '--limit', '1000']);
    expect(all.code).toBe(0);
    const numbers = (JSON.parse(all.stdout) as Array<{ number: number }>).map((r) => r.number);
    expect(numbers).toHaveLength(502);
    expect(numbers).toEqual([...new Set(numbers)].sort((a, b) => b - a));
    const newest = await cli(approver.token, ['--json', 'requests', 'list', '--limit', '3']);
    expect((JSON.parse(newest.stdout) as Array<{ number: number }>).map((r) => r.number)).toEqual(numbers.slice(0, 3));
    const bad = await cli(approver.token, ['requests', 'list', '--limit', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--limit must be a whole number of at least 1; got '0'");
  }, 120_000);
});
