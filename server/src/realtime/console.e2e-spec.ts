import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject, aToken, aUser } from '../../test/builders.js';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';
import { ADMIN_TOKEN, startTestApp, TEST_SECRET_KEY, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';
import type { ConsoleChange, ConsoleRefusal, ConsoleSubscribeResult } from './console.messages.js';

interface ConsoleSocket {
  socket: Socket;
  changes: ConsoleChange[];
  refusals: ConsoleRefusal[];
  subscribe(body: unknown): Promise<ConsoleSubscribeResult>;
  waitFor(predicate: (c: ConsoleChange) => boolean, timeoutMs?: number): Promise<ConsoleChange>;
}

const sockets: Socket[] = [];

/** Connects to the console namespace; rejects with the refusal's data when the handshake is refused. */
const connectConsole = (url: string, credential: { token?: string; cookie?: string; origin?: string }): Promise<ConsoleSocket> =>
  new Promise((resolve, reject) => {
    const extraHeaders: Record<string, string> = {};
    if (credential.cookie) extraHeaders.cookie = `signalbox_session=${credential.cookie}`;
    if (credential.origin) extraHeaders.origin = credential.origin;
    const socket = io(`${url}/console`, {
      auth: credential.token ? { token: credential.token } : {},
      extraHeaders,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const changes: ConsoleChange[] = [];
    const refusals: ConsoleRefusal[] = [];
    const waiters: Array<{ predicate: (c: ConsoleChange) => boolean; resolve: (c: ConsoleChange) => void }> = [];
    socket.on('changed', (change: ConsoleChange) => {
      changes.push(change);
      for (const w of [...waiters]) {
        if (!w.predicate(change)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(change);
      }
    });
    socket.on('subscription-refused', (refusal: ConsoleRefusal) => refusals.push(refusal));
    socket.on('connect_error', (err: Error & { data?: ConsoleRefusal }) => reject(err.data ?? err));
    socket.on('connect', () =>
      resolve({
        socket,
        changes,
        refusals,
        subscribe: (body) => socket.emitWithAck('subscribe', body) as Promise<ConsoleSubscribeResult>,
        waitFor: (predicate, timeoutMs = 5000) => {
          const found = changes.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no matching change within ${timeoutMs} ms; got ${JSON.stringify(changes)}`)), timeoutMs);
            waiters.push({ predicate, resolve: (c) => (clearTimeout(timer), res(c)) });
          });
        },
      }),
    );
  });

afterEach(() => sockets.splice(0).forEach((s) => s.close()));

describe('the console namespace', () => {
  let t: TestApp;
  let sdkKey: string;
  let viewerSession: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    const created = await aProject(t.http, t.admin, 'live', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    sdkKey = created.sdkKeys.development!;
    await aProject(t.http, t.admin, 'elsewhere', [{ key: 'development', name: 'Development' }]);
    await aBooleanFlag(t.http, t.admin, 'live', 'live.flag');
    viewerSession = (await aUser(t.http, t.admin, 'viewer')).token;
  });
  afterAll(() => t.close());

  it('refuses a connection without a session or token', async () => {
    await expect(connectConsole(t.url, {})).rejects.toMatchObject({ error: 'UNAUTHENTICATED' });
  });

  it('refuses an unknown session and an SDK key', async () => {
    await expect(connectConsole(t.url, { cookie: 'sbs_not-a-session' })).rejects.toMatchObject({ error: 'UNAUTHENTICATED' });
    await expect(connectConsole(t.url, { token: sdkKey })).rejects.toMatchObject({ error: 'FORBIDDEN', message: expect.stringMatching(/SDK/) });
  });

  it('refuses a kill-switch token, which cannot read projects through the API either', async () => {
    const { secret } = await aToken(t.http, t.admin, 'kill-switch', { projects: ['live'] });
    await t.http
      .get('/api/v1/projects/live/flags')
      .set({ Authorization: `Bearer ${secret}` })
      .expect(403);
    await expect(connectConsole(t.url, { token: secret })).rejects.toMatchObject({ error: 'FORBIDDEN' });
  });

  it("refuses the session cookie when another site's page opens the socket", async () => {
    await expect(connectConsole(t.url, { cookie: viewerSession, origin: 'https://evil.example' })).rejects.toMatchObject({ error: 'FORBIDDEN' });
    const own = await connectConsole(t.url, { cookie: viewerSession, origin: t.url });
    expect(own.socket.connected).toBe(true);
  });

  it('refuses a subscription to a project that does not exist, with an event and the ack', async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project: 'nope' })).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    expect(await console.subscribe({ project: 'live', environment: 'nope' })).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    expect(await console.subscribe({ environment: 'development' })).toMatchObject({
      ok: false,
      error: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^project/),
    });
    expect(console.refusals.map((r) => r.error)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'VALIDATION_FAILED']);
  });

  it("tells a viewer's console which flag changed through the REST API, without the config", async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project: 'live' })).toEqual({ ok: true, project: 'live', environments: ['development', 'production'] });
    const res = await t.http.patch('/api/v1/projects/live/flags/live.flag/environments/production').set(t.admin).send({ version: 0, on: true }).expect(200);
    const change = await console.waitFor((c) => c.key === 'live.flag');
    expect(change).toEqual({ project: 'live', environment: 'production', kind: 'flag', key: 'live.flag', sequence: expect.any(Number) });
    expect(res.body.version).toBe(1);
  });

  it('names segment changes in every environment, and keeps other projects out', async () => {
    const console = await connectConsole(t.url, { token: ADMIN_TOKEN });
    await console.subscribe({ project: 'live' });
    await aBooleanFlag(t.http, t.admin, 'elsewhere', 'other.flag');
    await t.http.patch('/api/v1/projects/elsewhere/flags/other.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    await t.http.post('/api/v1/projects/live/segments').set(t.admin).send({ key: 'beta', name: 'Beta', rules: [] }).expect(201);
    await console.waitFor((c) => c.kind === 'segment' && c.environment === 'development');
    await console.waitFor((c) => c.kind === 'segment' && c.environment === 'production');
    expect(console.changes.every((c) => c.project === 'live')).toBe(true);
  });

  it("sends only the subscribed environment's changes when one is named", async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    expect(await console.subscribe({ project: 'live', environment: 'development' })).toMatchObject({ ok: true, environments: ['development'] });
    const current = (await t.http.get('/api/v1/projects/live/flags/live.flag').set(t.admin)).body.environments;
    await t.http
      .patch('/api/v1/projects/live/flags/live.flag/environments/production')
      .set(t.admin)
      .send({ version: current.production.version, on: false })
      .expect(200);
    await t.http
      .patch('/api/v1/projects/live/flags/live.flag/environments/development')
      .set(t.admin)
      .send({ version: current.development.version, on: true })
      .expect(200);
    await console.waitFor((c) => c.environment === 'development');
    expect(console.changes.map((c) => c.environment)).toEqual(['development']);
  });

  it('switches project when subscribing again', async () => {
    const console = await connectConsole(t.url, { cookie: viewerSession });
    await console.subscribe({ project: 'elsewhere' });
    await console.subscribe({ project: 'live' });
    const version = (await t.http.get('/api/v1/projects/elsewhere/flags/other.flag').set(t.admin)).body.environments.development.version;
    await t.http.patch('/api/v1/projects/elsewhere/flags/other.flag/environments/development').set(t.admin).send({ version, on: false }).expect(200);
    const liveVersion = (await t.http.get('/api/v1/projects/live/flags/live.flag').set(t.admin)).body.environments.production.version;
    await t.http.patch('/api/v1/projects/live/flags/live.flag/environments/production').set(t.admin).send({ version: liveVersion, on: true }).expect(200);
    await console.waitFor((c) => c.project === 'live');
    expect(console.changes.filter((c) => c.project === 'elsewhere')).toEqual([]);
  });
});

// Several instances share one PostgreSQL server, so this runs only when TEST_DATABASE_URL names one.
describe.runIf(testDatabaseUrl())('the console namespace across two server processes', () => {
  let t: TestApp;
  let second: ServerProcess;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    await aProject(t.http, t.admin, 'multi', [{ key: 'development', name: 'Development' }]);
    await aBooleanFlag(t.http, t.admin, 'multi', 'multi.flag');
    second = await startServerProcess({ DATABASE_URL: t.databaseUrl!, SIGNALBOX_ADMIN_TOKEN: ADMIN_TOKEN, SIGNALBOX_SECRET_KEY: TEST_SECRET_KEY });
  });
  afterAll(async () => {
    await second?.stop();
    await t?.close();
  });

  it('tells a console on one instance of a change made through the other', async () => {
    const console = await connectConsole(second.url, { token: ADMIN_TOKEN });
    expect(await console.subscribe({ project: 'multi' })).toMatchObject({ ok: true });
    await t.http.patch('/api/v1/projects/multi/flags/multi.flag/environments/development').set(t.admin).send({ version: 0, on: true }).expect(200);
    expect(await console.waitFor((c) => c.key === 'multi.flag')).toMatchObject({ kind: 'flag', environment: 'development' });
  });
});
