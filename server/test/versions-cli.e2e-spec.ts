import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from './cli-process.js';
import { aProject, aStringFlag } from './builders.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from './test-app.js';

describe('signalbox versions and revert against the real server', () => {
  let t: TestApp;
  let home: string;
  const url = '/api/v1/projects/hist/flags/model.pick/environments/production';
  const cli = (args: string[]) => runCli(home, args, cliEnv(t.url, ADMIN_TOKEN, 'hist'));

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-versions-cli-'));
    await aProject(t.http, t.admin, 'hist', [{ key: 'production', name: 'Production', requireChangeReason: true }]);
    await aStringFlag(t.http, t.admin, 'hist', 'model.pick');
    await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 0, on: true, defaultRule: { variant: 'v1' }, reason: 'ship v1' })
      .expect(200);
    await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 1, defaultRule: { variant: 'v2' }, reason: 'try v2' })
      .expect(200);
    await t.http
      .patch(url)
      .set(t.admin)
      .send({ version: 2, defaultRule: { variant: 'v3' }, reason: 'try v3' })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists the versions newest first, with who and why', async () => {
    const res = await cli(['versions', 'model.pick', '--env', 'production']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['v3', 'v2', 'v1']);
    expect(lines[2]).toContain('flag.config.updated');
    expect(lines[2]).toContain('ship v1');
    expect(lines[0]).toContain('admin-token');

    const paged = await cli(['versions', 'model.pick', '--env', 'production', '--limit', '2', '--json']);
    const page = JSON.parse(paged.stdout) as { items: Array<{ version: number }>; nextCursor: string };
    expect(page.items.map((v) => v.version)).toEqual([3, 2]);
    const rest = await cli(['versions', 'model.pick', '--env', 'production', '--cursor', page.nextCursor]);
    expect(
      rest.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['v1']);
  });

  it('reverts to an earlier version as a new one, and the server serves it', async () => {
    const res = await cli(['revert', 'model.pick', '--env', 'production', '--to', '1', '--reason', 'v2 and v3 regressed']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('reverted to v1 as version 4');
    const config = (await t.http.get(url).set(t.admin)).body;
    expect(config).toMatchObject({ version: 4, defaultRule: { variant: 'v1' } });
    const latest = (await t.http.get(`${url}/versions?limit=1`).set(t.admin)).body.items[0];
    expect(latest).toMatchObject({ version: 4, action: 'flag.config.reverted', revertedTo: 1, reason: 'v2 and v3 regressed' });
  });

  it('exits with a usable code and the server’s words when a revert is refused', async () => {
    const stale = await cli(['revert', 'model.pick', '--env', 'production', '--to', '2', '--reason', 'x', '--expect-version', '1']);
    expect(stale.code).toBe(5);
    expect(stale.stderr).toContain('409');
    const unknown = await cli(['revert', 'model.pick', '--env', 'production', '--to', '42', '--reason', 'x']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('Version 42');
    const noReason = await cli(['revert', 'model.pick', '--env', 'production', '--to', '2']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('reason');
    const badTo = await cli(['revert', 'model.pick', '--env', 'production', '--to', 'two', '--reason', 'x']);
    expect(badTo.code).toBe(2);
    expect(badTo.stderr).toContain('--to');
    expect((await t.http.get(url).set(t.admin)).body.version).toBe(4);
  });
});
