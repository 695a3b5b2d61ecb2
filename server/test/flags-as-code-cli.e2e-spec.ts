import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './cli-process.js';
import { aBooleanFlag, aProject, aStringFlag } from './builders.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from './test-app.js';

describe('signalbox export / plan / apply / copy-env against the real server', () => {
  let t: TestApp;
  let home: string;
  const file = () => path.join(home, 'signalbox.yaml');
  const cli = (args: string[]) => runCli(home, args, cliEnv(t.url, ADMIN_TOKEN, 'gitops'));

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-gitops-'));
    await aProject(t.http, t.admin, 'gitops', [
      { key: 'staging', name: 'Staging' },
      { key: 'production', name: 'Production' },
    ]);
    await aBooleanFlag(t.http, t.admin, 'gitops', 'etl.dedupe');
    await aStringFlag(t.http, t.admin, 'gitops', 'model.ranker');
  });
  afterAll(() => t.close());

  it('export > file, edit, plan prints the diff, apply, plan again says no changes', async () => {
    const exported = await cli(['export']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('key: etl.dedupe');
    fs.writeFileSync(file(), exported.stdout);

    const clean = await cli(['plan', '-f', file()]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No changes: project gitops matches the file.');

    // Turn etl.dedupe on in staging: the first `on: false` under its staging entry.
    const text = fs.readFileSync(file(), 'utf8');
    const at = text.indexOf('staging:', text.indexOf('key: etl.dedupe'));
    fs.writeFileSync(file(), text.slice(0, at) + text.slice(at).replace('on: false', 'on: true'));
    const planned = await cli(['plan', '-f', file()]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('~ config etl.dedupe in staging (version 0)');
    expect(planned.stdout).toContain('    - on: false\n    + on: true');
    expect(planned.stdout).toContain('Plan: 0 to create, 1 to update, 0 to archive, 0 to delete.');

    const noReason = await cli(['apply', '-f', file()]);
    expect(noReason.code).not.toBe(0);
    const applied = await cli(['apply', '-f', file(), '--reason', 'PR #7']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Applied: 0 created, 1 updated, 0 archived, 0 deleted.');
    const config = await t.http.get('/api/v1/projects/gitops/flags/etl.dedupe/environments/staging').set(t.admin);
    expect(config.body).toMatchObject({ on: true, version: 1 });

    const again = await cli(['plan', '-f', file()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it('plan and apply exit 5 on a conflict and write nothing', async () => {
    fs.writeFileSync(file(), (await cli(['export'])).stdout);
    await t.http.patch('/api/v1/projects/gitops/flags/model.ranker/environments/production').set(t.admin).send({ version: 0, on: true }).expect(200);
    const text = fs.readFileSync(file(), 'utf8');
    const at = text.indexOf('production:', text.indexOf('key: model.ranker'));
    fs.writeFileSync(file(), text.slice(0, at) + text.slice(at).replace('offVariant: v1', 'offVariant: v2'));
    const planned = await cli(['plan', '-f', file()]);
    expect(planned.code).toBe(5);
    expect(planned.stdout).toContain('! conflict at flags[1].environments.production');
    expect(planned.stderr).toContain('1 conflict(s)');
    const applied = await cli(['apply', '-f', file(), '--reason', 'stale']);
    expect(applied.code).toBe(5);
    expect(applied.stderr).toContain('409');
    const config = await t.http.get('/api/v1/projects/gitops/flags/model.ranker/environments/production').set(t.admin);
    expect(config.body).toMatchObject({ offVariant: 'v1', version: 1 });
  });

  it('copy-env: dry run prints the plan, then copies', async () => {
    const dry = await cli(['copy-env', '--from', 'staging', '--to', 'production', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('~ config etl.dedupe in production (version 0)');
    expect(dry.stdout).toContain('~ config model.ranker in production (version 1)');
    const before = await t.http.get('/api/v1/projects/gitops/flags/etl.dedupe/environments/production').set(t.admin);
    expect(before.body.on).toBe(false);
    const copied = await cli(['copy-env', '--from', 'staging', '--to', 'production', '--reason', 'promote']);
    expect(copied.code).toBe(0);
    expect(copied.stdout).toContain('Applied: 0 created, 2 updated');
    const after = await t.http.get('/api/v1/projects/gitops/flags/etl.dedupe/environments/production').set(t.admin);
    expect(after.body.on).toBe(true);
    expect((await cli(['copy-env', '--from', 'staging', '--to', 'production', '--dry-run'])).stdout).toContain('No changes');
  });
});
