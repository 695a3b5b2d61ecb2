import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';
import { aBooleanFlag, aProject, aToken } from './builders.js';
import { connectSdk } from './sdk-socket.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from './test-app.js';

describe('the signalbox CLI against the real server', () => {
  let t: TestApp;
  let home: string;
  let sdkKey: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(home, args, env);

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-cli-'));
    sdkKey = (
      await aProject(t.http, t.admin, 'shell', [
        { key: 'development', name: 'Development' },
        { key: 'production', name: 'Production' },
      ])
    ).sdkKeys.production!;
    await aBooleanFlag(t.http, t.admin, 'shell', 'gpu.embed', { tags: ['gpu'] });
    for (const env of ['development', 'production']) {
      await t.http.patch(`/api/v1/projects/shell/flags/gpu.embed/environments/${env}`).set(t.admin).send({ version: 0, on: true }).expect(200);
    }
  });
  afterAll(() => t.close());

  it('saves its settings with login, in a file only the user can read', async () => {
    const login = await cli(['login', '--url', t.url, '--token', ADMIN_TOKEN, '--project', 'shell']);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('admin-token (admin)');
    const stat = fs.statSync(path.join(home, 'cli.json'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(path.join(home, 'cli.json'), 'utf8'))).toMatchObject({ url: t.url, project: 'shell' });
  });

  it('takes SIGNALBOX_URL, SIGNALBOX_TOKEN and SIGNALBOX_PROJECT over the saved settings', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-cli-env-'));
    // Saved: a server that is not there, a token that is not valid, a project that does not exist.
    fs.writeFileSync(path.join(elsewhere, 'cli.json'), JSON.stringify({ url: 'http://127.0.0.1:9', token: 'sbt_not-a-token', project: 'nowhere' }), {
      mode: 0o600,
    });
    const saved = await runCli(elsewhere, ['flags', 'list']);
    expect(saved.code).toBe(6);
    const overridden = await runCli(elsewhere, ['flags', 'list'], { SIGNALBOX_URL: t.url, SIGNALBOX_TOKEN: ADMIN_TOKEN, SIGNALBOX_PROJECT: 'shell' });
    expect(overridden.stderr).toBe('');
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toContain('gpu.embed');
  });

  it('kills with a kill-switch token: connected SDKs see KILLED, and the audit names the token', async () => {
    const token = await aToken(t.http, t.admin, 'kill-switch', { projects: ['shell'] });
    const sdk = await connectSdk(t.url, sdkKey);
    await sdk.waitFor((m) => m.type === 'snapshot');
    const scoped = await cli(['kill', 'gpu.embed', '--env', 'production', '--reason', 'GPU pool down', '--token', token.secret], {
      SIGNALBOX_URL: t.url,
      SIGNALBOX_PROJECT: 'shell',
    });
    expect(scoped.stderr).toBe('');
    expect(scoped.code).toBe(0);
    expect(scoped.stdout).toContain('gpu.embed in production: KILLED (version 2); confirmed by 1 of 1 connected SDKs');
    await sdk.waitFor((m) => m.type === 'change' && m.kind === 'flag' && m.key === 'gpu.embed' && m.flag?.killed === true);
    sdk.close();
    const audit = await t.http.get('/api/v1/audit?flag=gpu.embed&environment=production').set(t.admin);
    expect(audit.body.items[0]).toMatchObject({ action: 'flag.killed', actorName: 'token:kill-switch-token', reason: 'GPU pool down' });
  });

  it('shows status, lists flags, evaluates, and restores', async () => {
    const status = await cli(['status', 'gpu.embed']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/production\s+KILLED \(GPU pool down/);
    expect(status.stdout).toMatch(/development\s+on/);
    const list = await cli(['flags', 'list', '--tag', 'gpu']);
    expect(list.stdout).toContain('gpu.embed');
    expect(list.stdout).toContain('production=KILLED');
    const evaluated = await cli(['eval', 'gpu.embed', '--env', 'production', '--context', '{"runId":"r1"}']);
    expect(evaluated.stdout).toContain('false  variant=off reason=KILLED');
    const gated = await cli(['eval', 'gpu.embed', '--sdk-key', sdkKey, '--exit-code']);
    expect(gated.code).toBe(1);
    const restored = await cli(['restore', 'gpu.embed', '--env', 'production', '--reason', 'pool back', '--json']);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual([expect.objectContaining({ environment: 'production', killed: false })]);
    const open = await cli(['eval', 'gpu.embed', '--sdk-key', sdkKey, '--exit-code']);
    expect(open.code).toBe(0);
    expect(open.stdout).toContain('true  variant=on reason=STATIC');
  });

  it('fails with clear messages and distinct exit codes', async () => {
    const missing = await cli(['status', 'no.such.flag']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("signalbox: 404: Flag 'no.such.flag' does not exist");
    const noReason = await cli(['kill', 'gpu.embed', '--env', 'production']);
    expect(noReason.code).toBe(2);
    const nowhere = await cli(['kill', 'gpu.embed', '--reason', 'x']);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('--env <key> (repeatable) or --all-envs');
    const badToken = await cli(['status', 'gpu.embed', '--token', 'sbt_wrong']);
    expect(badToken.code).toBe(3);
    const down = await cli(['status', 'gpu.embed', '--url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(6);
    expect(down.stderr).toContain('Cannot reach http://127.0.0.1:1');
    const badContext = await cli(['eval', 'gpu.embed', '--env', 'production', '--context', '{oops']);
    expect(badContext.code).toBe(2);
  });
});
