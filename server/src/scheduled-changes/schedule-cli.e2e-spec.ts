import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../../test/cli-process.js';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../../test/test-app.js';
import { ScheduledChangeScheduler } from './scheduled-change-scheduler.service.js';

describe('signalbox schedule list|create|cancel against the real server', () => {
  let t: TestApp;
  let home: string;
  const cli = (args: string[]) => runCli(home, args, cliEnv(t.url, ADMIN_TOKEN, 'cal'));

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    t.app.get(ScheduledChangeScheduler).stop();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-schedule-cli-'));
    await aProject(t.http, t.admin, 'cal', [{ key: 'production', name: 'Production' }]);
    await aBooleanFlag(t.http, t.admin, 'cal', 'gpu.step');
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates a change against the current version, lists it and cancels it', async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const created = await cli(['schedule', 'create', 'gpu.step', '--env', 'production', '--at', at, '--patch', '{"on":true}', '--reason', 'saturday run']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const id = /^Scheduled ([0-9a-f-]{36}):/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(created.stdout).toContain('if the config is still at version 0 then');

    const listed = await cli(['schedule', 'list', 'gpu.step', '--env', 'production']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toMatch(/scheduled\s+patch on on v0/);
    expect(listed.stdout).toContain('"saturday run"');

    const cancelled = await cli(['schedule', 'cancel', 'gpu.step', id!, '--env', 'production', '--reason', 'not this week']);
    expect(cancelled.code).toBe(0);
    const [change] = (await t.http.get('/api/v1/projects/cal/flags/gpu.step/environments/production/scheduled-changes').set(t.admin).expect(200)).body;
    expect(change).toMatchObject({ id, status: 'cancelled' });
    // Cancelling again is a conflict (exit 5).
    expect((await cli(['schedule', 'cancel', 'gpu.step', id!, '--env', 'production'])).code).toBe(5);
  });

  it('exits 2 with the field named for a time in the past, and for a bad --patch', async () => {
    const past = await cli(['schedule', 'create', 'gpu.step', '--env', 'production', '--at', '2020-01-01T00:00:00Z', '--patch', '{"on":true}']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/runAt: must be in the future/);
    const bad = await cli(['schedule', 'create', 'gpu.step', '--env', 'production', '--at', new Date(Date.now() + 60_000).toISOString(), '--patch', 'on']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--patch must be a JSON object/);
  });
});
