import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { testDatabaseUrl } from '../../test/test-database.js';
import { LoginThrottle } from './login-throttle.js';

interface Answer {
  status: number;
  retryAfter: number | undefined;
  body: Record<string, unknown>;
}

describe('sign-in backoff, counted in the database on an injected clock', () => {
  let t: TestApp;
  let clock = Date.parse('2026-11-23T10:00:00Z');
  let nextAddress = 10;
  /** A loopback address of its own (127.0.0.0/8 all reach the server), so tests do not share address counters. */
  const anAddress = () => `127.0.0.${nextAddress++}`;

  /** POST /auth/login from `from`, a local address the connection is bound to. */
  const login = (from: string, email: string, password: string, app: TestApp = t, headers: Record<string, string> = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const data = JSON.stringify({ email, password });
      const req = http.request(
        `${app.url}/api/v1/auth/login`,
        {
          method: 'POST',
          localAddress: from,
          agent: false,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode!,
              retryAfter: retryAfter === undefined ? undefined : Number(retryAfter),
              body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    t.app.get(LoginThrottle).useClock(() => clock);
  });
  afterAll(() => t.close());

  it('makes an account wait after 5 failures, 1 s, 2 s, 4 s … up to 15 minutes, from whichever address, and then lets the right password in', async () => {
    const user = await aUser(t.http, t.admin, 'viewer');
    for (let i = 0; i < 5; i++) expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const refused = await login(anAddress(), user.email, 'password-123');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: 'RATE_LIMITED', details: { retryAfterSeconds: refused.retryAfter } });
      expect(refused.body.token).toBeUndefined();
      waits.push(refused.retryAfter!);
      clock += refused.retryAfter! * 1000 - 1;
      // A moment too early: still refused, and that refusal does not make the wait longer.
      if (i < 4) expect(await login(anAddress(), user.email, 'wrong-password')).toMatchObject({ status: 429, retryAfter: 1 });
      clock += 1;
      expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    const last = await login(anAddress(), user.email, 'password-123');
    expect(last).toMatchObject({ status: 429, retryAfter: 900 });
    clock += 900_000;
    const signedIn = await login(anAddress(), user.email, 'password-123');
    expect(signedIn.status).toBe(200);
    // Signing in reset the account: five failures again before any wait.
    for (let i = 0; i < 5; i++) expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(401);
    expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(429);
  }, 90_000);

  it('answers for an account that does not exist exactly as for one that does', async () => {
    const user = await aUser(t.http, t.admin, 'viewer');
    const run = async (email: string) => {
      const answers: Array<[number, number | undefined, unknown]> = [];
      for (let i = 0; i < 9; i++) {
        const res = await login(anAddress(), email, 'wrong-password');
        answers.push([res.status, res.retryAfter, res.body.message]);
        if (res.retryAfter) clock += res.retryAfter * 1000;
      }
      return answers;
    };
    const real = await run(user.email);
    const unknown = await run(`nobody-${Math.random().toString(36).slice(2)}@example.com`);
    expect(unknown).toEqual(real);
    expect(real.map(([status]) => status)).toEqual([401, 401, 401, 401, 401, 429, 401, 429, 401]);
  }, 60_000);

  it('makes one address wait after 20 failures across accounts, without slowing sign-ins from elsewhere', async () => {
    const user = await aUser(t.http, t.admin, 'editor');
    const spraying = anAddress();
    for (let i = 0; i < 20; i++) expect((await login(spraying, `victim-${i}@example.com`, 'Summer2026!')).status).toBe(401);
    expect(await login(spraying, user.email, 'password-123')).toMatchObject({ status: 429, retryAfter: 1 });
    expect((await login(anAddress(), user.email, 'password-123')).status).toBe(200);
    clock += 1000;
    // A success from the address does not reset it (or signing in to one's own account would) ...
    expect((await login(spraying, user.email, 'password-123')).status).toBe(200);
    // ... but is not counted against it either: the next failure waits 1 s, as the 21st would have.
    expect((await login(spraying, 'victim-x@example.com', 'Summer2026!')).status).toBe(401);
    expect(await login(spraying, user.email, 'password-123')).toMatchObject({ status: 429, retryAfter: 2 });
  }, 60_000);

  it('ignores X-Forwarded-For unless told to trust a proxy: a client cannot name its own address', async () => {
    const user = await aUser(t.http, t.admin, 'editor');
    const spraying = anAddress();
    for (let i = 0; i < 20; i++)
      expect((await login(spraying, `victim-${i}@example.com`, 'Summer2026!', t, { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    expect((await login(spraying, user.email, 'password-123', t, { 'x-forwarded-for': '198.51.100.99' })).status).toBe(429);
  }, 60_000);

  it("counts by the client address a trusted proxy reports (SIGNALBOX_TRUST_PROXY), not by the proxy's", async () => {
    const behind = await startTestApp({ listen: true, env: { SIGNALBOX_TRUST_PROXY: 'loopback' } });
    try {
      behind.app.get(LoginThrottle).useClock(() => clock);
      const user = await aUser(behind.http, behind.admin, 'editor');
      // One proxy address for every client, as behind a load balancer.
      const proxy = anAddress();
      for (let i = 0; i < 20; i++)
        expect((await login(proxy, `victim-${i}@example.com`, 'Summer2026!', behind, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
      expect((await login(proxy, user.email, 'password-123', behind, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
      // Another client behind the same proxy is not slowed down by the first one's guessing.
      expect((await login(proxy, user.email, 'password-123', behind, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
    } finally {
      await behind.close();
    }
  }, 60_000);

  it('checks no more passwords when guesses arrive all at once than when they come one by one', async () => {
    const user = await aUser(t.http, t.admin, 'viewer');
    const answers = await Promise.all(Array.from({ length: 30 }, () => login(anAddress(), user.email, 'wrong-password')));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(25);
  });

  it('forgets failures after an hour without one', async () => {
    const user = await aUser(t.http, t.admin, 'viewer');
    for (let i = 0; i < 5; i++) await login(anAddress(), user.email, 'wrong-password');
    expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(429);
    clock += 60 * 60_000;
    for (let i = 0; i < 5; i++) expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(401);
  });

  it.runIf(testDatabaseUrl())('holds across instances sharing the database', async () => {
    const other = await startTestApp({ database: t.database, listen: true });
    try {
      other.app.get(LoginThrottle).useClock(() => clock);
      const user = await aUser(t.http, t.admin, 'viewer');
      for (let i = 0; i < 5; i++) expect((await login(anAddress(), user.email, 'wrong-password')).status).toBe(401);
      expect((await login(anAddress(), user.email, 'password-123', other)).status).toBe(429);
      clock += 1000;
      expect((await login(anAddress(), user.email, 'password-123', other)).status).toBe(200);
    } finally {
      await other.stop();
    }
  });
});
