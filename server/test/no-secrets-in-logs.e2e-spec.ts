import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { ADMIN_TOKEN, TEST_SECRET_KEY } from './test-app.js';
import { cloneTemplate } from './test-database.js';

const ADMIN_PASSWORD = 'admin-password-for-log-test';
const METRICS_TOKEN = 'metrics-token-0123456789';

/**
 * Every kind of secret the server issues or accepts goes through a real server process logging at
 * its most verbose level; none may appear in what it printed. (The demo's one-time SDK keys are the
 * documented exception, so the demo is off here.)
 */
describe('secrets never reach the logs', () => {
  let server: ServerProcess;
  let receiver: Server;
  const secrets = new Map<string, string>();
  const remember = (what: string, secret: unknown) => {
    if (typeof secret !== 'string' || secret.length < 16) throw new Error(`${what}: no secret in the response (${String(secret)})`);
    secrets.set(what, secret);
    return secret;
  };
  const call = async <Body = Record<string, unknown>>(path: string, init: { method?: string; body?: unknown; bearer?: string } = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.bearer ?? ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body };
  };

  beforeAll(async () => {
    receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const db = await cloneTemplate();
    server = await startServerProcess({
      SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGNALBOX_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SIGNALBOX_METRICS_TOKEN: METRICS_TOKEN,
      SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'trace',
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY } : { SIGNALBOX_DATA_DIR: db.dataDir! }),
    });
    secrets.set('admin token', ADMIN_TOKEN);
    secrets.set('admin password', ADMIN_PASSWORD);
    secrets.set('metrics token', METRICS_TOKEN);
    if (db.databaseUrl) secrets.set('secret key', TEST_SECRET_KEY);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('issues, uses and rejects every kind of secret without printing one', async () => {
    // Sessions and passwords.
    const login = await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD } });
    const session = remember('session', login.body.token);
    expect((await call('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@signalbox.local', password: 'a-wrong-password-42' } })).status).toBe(401);
    secrets.set('wrong password', 'a-wrong-password-42');
    const userPassword = remember('user password', 'user-password-for-log-test');
    expect(
      (
        await call('/api/v1/users', {
          method: 'POST',
          bearer: session,
          body: { email: 'ops@example.com', name: 'Ops', role: 'editor', password: userPassword },
        })
      ).status,
    ).toBe(201);

    // API tokens, a forged one included.
    const token = remember('api token', (await call('/api/v1/tokens', { method: 'POST', body: { name: 'ci', access: 'editor' } })).body.secret);
    expect((await call('/api/v1/projects', { bearer: token })).status).toBe(200);
    const forged = remember('forged token', `${token.slice(0, 8)}not-the-real-one-0123456789`);
    expect((await call('/api/v1/projects', { bearer: forged })).status).toBe(401);

    // SDK keys: issued, used over HTTP and the socket, rotated.
    const project = await call<{ sdkKeys: Record<string, string> }>('/api/v1/projects', {
      method: 'POST',
      body: { key: 'logs', name: 'Logs', environments: [{ key: 'production', name: 'Production' }] },
    });
    const sdkKey = remember('sdk key', project.body.sdkKeys.production);
    await call('/api/v1/projects/logs/flags', { method: 'POST', body: { key: 'etl.step', name: 'Step', kind: 'boolean' } });
    expect((await call('/api/v1/sdk/config', { bearer: sdkKey })).status).toBe(200);
    const client = createClient({ url: server.url, sdkKey, logger: { warn: () => undefined, error: () => undefined, debug: () => undefined } });
    try {
      expect(await client.waitForReady({ timeoutMs: 5000 })).toBe('ready');
    } finally {
      await client.close();
    }
    remember('rotated sdk key', (await call('/api/v1/projects/logs/environments/production/sdk-key', { method: 'POST' })).body.sdkKey);
    expect((await call('/api/v1/sdk/config', { bearer: sdkKey })).status).toBe(401);

    // Trigger URLs: the secret is in the path.
    const trigger = await call('/api/v1/projects/logs/flags/etl.step/environments/production/triggers', { method: 'POST', body: { name: 'pager' } });
    const triggerPath = new URL(trigger.body.url as string).pathname;
    remember('trigger secret', trigger.body.secret);
    expect((await call(triggerPath, { method: 'POST', bearer: '' })).status).toBe(200);
    expect((await call(`${triggerPath}x`, { method: 'POST', bearer: '' })).status).toBe(404);

    // Webhook signing secrets, used to sign a delivery.
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const webhook = await call<{ secret: string; webhook: { id: string } }>('/api/v1/webhooks', {
      method: 'POST',
      body: { name: 'bus', url, events: ['flag.changed'] },
    });
    remember('webhook secret', webhook.body.secret);
    expect((await call(`/api/v1/webhooks/${webhook.body.webhook.id}/test`, { method: 'POST' })).body.status).toBe('delivered');

    // Metrics token.
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);

    await call('/api/v1/auth/logout', { method: 'POST', bearer: session });
    const output = server.output();
    // The server did log at trace level: an empty log would pass for the wrong reason.
    expect(output.split('\n').filter((line) => line.startsWith('{')).length).toBeGreaterThan(5);
    const leaked = [...secrets].filter(([, secret]) => output.includes(secret) || output.includes(secret.slice(8)));
    expect(leaked.map(([what]) => what)).toEqual([]);
  });
});
