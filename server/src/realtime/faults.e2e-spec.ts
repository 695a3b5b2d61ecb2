import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerMessage } from '@signalbox/sdk/protocol';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../common/events/domain-events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { connectSdk } from '../../test/sdk-socket.js';
import { startServerProcess } from '../../test/server-process.js';
import { openStream } from '../../test/sse-stream.js';
import { ADMIN_TOKEN, bearer, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { cloneTemplate } from '../../test/test-database.js';

const configPath = (project: string, flag: string) => `/api/v1/projects/${project}/flags/${flag}/environments/development`;

/** Appends a change-log entry the way another instance would, but with no NOTIFY: as if it were lost. */
const appendSilently = async (t: TestApp, project: string, key: string): Promise<number> => {
  const rows: Array<{ sequence: string | number }> = await t.app.get(DataSource).query(
    `WITH env AS (SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.key = $1 AND e.key = 'development'),
          head AS (UPDATE change_log_heads h SET sequence = h.sequence + 1 FROM env WHERE h.environment_id = env.id RETURNING h.environment_id, h.sequence)
     INSERT INTO change_log (environment_id, sequence, kind, key, payload) SELECT environment_id, sequence, 'flag', $2, NULL FROM head RETURNING sequence`,
    [project, key],
  );
  return Number(rows[0]!.sequence);
};

describe('delivery under faults (one instance)', () => {
  let t: TestApp;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'faults', [{ key: 'development', name: 'Development' }])).sdkKeys.development!;
    await aBooleanFlag(t.http, t.admin, 'faults', 'faults.flag');
  });
  afterAll(() => t.close());

  it('relays a committed change whose notification never arrived, from the change log', async () => {
    const sdk = await connectSdk(t.url, sdkKey);
    await sdk.waitFor((m) => m.type === 'snapshot');
    const etag = async () => (await t.http.get('/api/v1/sdk/config').set(bearer(sdkKey)).expect(200)).headers.etag;
    const before = await etag();
    const sequence = await appendSilently(t, 'faults', 'faults.ghost');
    const change = await sdk.waitFor((m) => m.type === 'change' && m.sequence === sequence, 5000);
    expect(change).toMatchObject({ kind: 'flag', key: 'faults.ghost', flag: null });
    // Polling clients are served from the snapshot cache: it must not stay at the old sequence.
    expect(before).not.toBe(`"${sequence}"`);
    await expect.poll(etag, { timeout: 3000 }).toBe(`"${sequence}"`);
    sdk.close();
  });

  it('resumes an SSE stream with exactly the changes it missed while others are being written', async () => {
    for (let i = 0; i < 30; i++)
      await t.http
        .patch(configPath('faults', 'faults.flag'))
        .set(t.admin)
        .send({ version: i, on: i % 2 === 0 })
        .expect(200);
    const head = (await t.http.get('/api/v1/projects/faults/environments/development/delivery').set(t.admin).expect(200)).body.sequence as number;
    // A writer keeps committing while every resume reads the log, as on a busy environment.
    let writing = true;
    let version = 30;
    const writer = (async () => {
      while (writing) {
        const res = await t.http
          .patch(configPath('faults', 'faults.flag'))
          .set(t.admin)
          .send({ version, on: version % 2 === 0 });
        if (res.status === 200) version++;
      }
    })();
    try {
      for (let i = 0; i < 8; i++) {
        const from = head - 20 + i;
        const stream = await openStream(t.url, sdkKey, { 'last-event-id': String(from) });
        await stream.waitFor((e) => e.event === 'change' && Number(e.id) >= head);
        stream.close();
        const data = stream.events.filter((e) => e.event !== 'hello');
        expect(
          data.some((e) => e.event === 'snapshot'),
          `resume from ${from} got a snapshot`,
        ).toBe(false);
        const ids = data.map((e) => Number(e.id));
        expect(ids.length).toBeGreaterThanOrEqual(head - from);
        expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => from + 1 + k));
      }
    } finally {
      writing = false;
      await writer;
    }
  });

  it('closes an SSE stream once when the key is rotated, however often the revocation is heard', async () => {
    const project = await aProject(t.http, t.admin, 'rotate', [{ key: 'development', name: 'Development' }]);
    const stream = await openStream(t.url, project.sdkKeys.development!);
    await stream.waitFor((e) => e.event === 'snapshot');
    await t.http.post('/api/v1/projects/rotate/environments/development/sdk-key').set(t.admin).expect(201);
    expect(await stream.ended).toBe('ended');
    expect(stream.events.filter((e) => e.event === 'refused')).toEqual([{ event: 'refused', data: { error: 'UNAUTHENTICATED', message: expect.any(String) } }]);
    await t.http.get('/healthz').expect(200);
  });

  it('counts the SDKs that have not confirmed the head in /metrics, and none once they have', async () => {
    const project = await aProject(t.http, t.admin, 'behind', [{ key: 'development', name: 'Development' }]);
    const acking = await connectSdk(t.url, project.sdkKeys.development!);
    const silent = await connectSdk(t.url, project.sdkKeys.development!, 0, { autoAck: false });
    await acking.waitFor((m) => m.type === 'snapshot');
    await silent.waitFor((m) => m.type === 'snapshot');
    const behind = async () => Number(/^signalbox_delivery_sdks_behind_head (\d+)$/m.exec((await t.http.get('/metrics')).text)?.[1]);
    await aBooleanFlag(t.http, t.admin, 'behind', 'behind.flag');
    await silent.waitFor((m) => m.type === 'change' && m.key === 'behind.flag');
    await expect.poll(behind, { timeout: 3000 }).toBe(1);
    const last = silent.messages[silent.messages.length - 1]!.sequence;
    silent.socket.emit('ack', { type: 'ack', sequence: last });
    await expect.poll(behind, { timeout: 3000 }).toBe(0);
    const metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/^signalbox_listen_up 1$/m);
    expect(metrics).toMatch(/^signalbox_delivery_relay_behind_changes 0$/m);
    acking.close();
    silent.close();
  });

  it('drops the connections of a key revoked while it could not listen, once it listens again', async () => {
    const project = await aProject(t.http, t.admin, 'missed', [{ key: 'development', name: 'Development' }]);
    const sdk = await connectSdk(t.url, project.sdkKeys.development!);
    await sdk.waitFor((m) => m.type === 'snapshot');
    const gone = new Promise<string>((resolve) => sdk.socket.on('disconnect', resolve));
    // Revoked by "another instance" whose notification this one never heard.
    await t.app
      .get(DataSource)
      .query(
        `UPDATE sdk_keys SET revoked_at = now() WHERE environment_id = (SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id ` +
          `WHERE p.key = 'missed')`,
      );
    await sleep(200);
    expect(sdk.socket.connected).toBe(true);
    // What the LISTEN loop announces after it reconnects.
    t.app.get(DomainEvents).emit('changes.lost', {});
    expect(await gone).toBe('io server disconnect');
    expect(sdk.refused).toEqual([{ error: 'UNAUTHENTICATED', message: expect.any(String) }]);
  });
});

describe('a server process under faults', () => {
  it('survives rotating an SDK key while an SSE client is connected (embedded database)', async () => {
    const database = await cloneTemplate();
    const env = database.databaseUrl
      ? { DATABASE_URL: database.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY }
      : { SIGNALBOX_DATA_DIR: database.dataDir! };
    const server = await startServerProcess({ ...env, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN });
    try {
      const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
      const created = await fetch(`${server.url}/api/v1/projects`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ key: 'rot', name: 'Rot', environments: [{ key: 'development', name: 'Development' }] }),
      });
      const { sdkKeys } = (await created.json()) as { sdkKeys: Record<string, string> };
      const streams = await Promise.all([1, 2, 3].map(() => openStream(server.url, sdkKeys.development!)));
      await Promise.all(streams.map((s) => s.waitFor((e) => e.event === 'snapshot')));
      for (let i = 0; i < 3; i++)
        expect((await fetch(`${server.url}/api/v1/projects/rot/environments/development/sdk-key`, { method: 'POST', headers: admin })).status).toBe(201);
      for (const s of streams) expect(await s.ended).toBe('ended');
      await sleep(300);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.output()).not.toMatch(/ERR_STREAM_WRITE_AFTER_END|Unhandled 'error' event/);
    } finally {
      await server.stop();
      await database.drop();
    }
  });

  it('on SIGTERM ends streams and sockets, closes keep-alive connections and exits within the grace period', async () => {
    const database = await cloneTemplate();
    const env = database.databaseUrl
      ? { DATABASE_URL: database.databaseUrl, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY }
      : { SIGNALBOX_DATA_DIR: database.dataDir! };
    const server = await startServerProcess({ ...env, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SHUTDOWN_GRACE_MS: '3000' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let polling = true;
    try {
      const admin = { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' };
      const created = await fetch(`${server.url}/api/v1/projects`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ key: 'term', name: 'Term', environments: [{ key: 'development', name: 'Development' }] }),
      });
      const sdkKey = ((await created.json()) as { sdkKeys: Record<string, string> }).sdkKeys.development!;
      const stream = await openStream(server.url, sdkKey);
      await stream.waitFor((e) => e.event === 'snapshot');
      const socket = await connectSdk(server.url, sdkKey);
      await socket.waitFor((m: ServerMessage) => m.type === 'snapshot');
      const socketGone = new Promise<string>((resolve) => socket.socket.on('disconnect', resolve));
      // A keep-alive client that never pauses long enough for its connection to count as idle.
      const poller = (async () => {
        while (polling) {
          await new Promise<void>((resolve) => {
            const req = http.get(`${server.url}/api/v1/sdk/config`, { agent, headers: { authorization: `Bearer ${sdkKey}` } }, (res) =>
              res.resume().on('end', resolve).on('error', resolve),
            );
            req.on('error', () => resolve());
          });
          await sleep(20);
        }
      })();
      await sleep(200);
      // Exit code 0: everything closed before the grace period ran out (1 means connections were cut).
      const code = await server.stop('SIGTERM');
      polling = false;
      await poller;
      expect(code).toBe(0);
      expect(await stream.ended).toBe('ended');
      expect(stream.events.some((e) => e.event === 'refused')).toBe(false);
      expect(['io server disconnect', 'transport close']).toContain(await socketGone);
    } finally {
      polling = false;
      agent.destroy();
      await server.stop('SIGKILL');
      await database.drop();
    }
  }, 90_000); // a server process start on the embedded database takes 5–25 s on a busy 2-core machine
});
