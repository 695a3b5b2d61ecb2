import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';
import { TriggerCallLimit } from './trigger-call-limit.js';

const SECOND = 1_000;

describe('the trigger call limit, counted in the database on an injected clock', () => {
  let t: TestApp;
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const triggers = (flag: string) => `/api/v1/projects/limits/flags/${flag}/environments/production/triggers`;

  const aTrigger = async (flag: string) => {
    await aBooleanFlag(t.http, t.admin, 'limits', flag);
    const res = await t.http
      .post(triggers(flag))
      .set(t.admin)
      .send({ name: `${flag}-alerts` });
    if (res.status !== 201) throw new Error(`trigger: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { trigger: { id: string }; secret: string };
  };
  const call = (secret: string) => t.http.post(`/api/v1/triggers/${secret}`).send({});
  /** `n` calls at the current clock, `spacing` ms apart; their statuses and Retry-After headers. */
  const calls = async (secret: string, n: number, spacing = 0) => {
    const results: Array<{ status: number; retryAfter: number | undefined }> = [];
    for (let i = 0; i < n; i++) {
      const res = await call(secret);
      results.push({ status: res.status, retryAfter: res.headers['retry-after'] === undefined ? undefined : Number(res.headers['retry-after']) });
      clock += spacing;
    }
    return results;
  };

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(TriggerCallLimit).useClock(() => clock);
    await aProject(t.http, t.admin, 'limits', [{ key: 'production', name: 'Production' }]);
  });
  afterAll(() => t.close());

  it('lets no more than 10 calls through in any minute: 1 at 0 s, 9 at 50 s, then at 105 s only 1 of 10', async () => {
    const { secret } = await aTrigger('etl.sliding');
    const start = clock;
    const accepted: number[] = [];
    const record = async (n: number, spacing: number) => {
      for (let i = 0; i < n; i++) {
        const at = clock;
        const res = await call(secret);
        expect([200, 429]).toContain(res.status);
        if (res.status === 200) accepted.push(at);
        clock += spacing;
      }
    };
    await record(1, 0);
    clock = start + 50 * SECOND;
    await record(9, 100);
    clock = start + 105 * SECOND;
    await record(10, 100);
    expect(accepted.map((at) => at - start)).toEqual([0, 50_000, 50_100, 50_200, 50_300, 50_400, 50_500, 50_600, 50_700, 50_800, 105_000]);
    for (const from of accepted) expect(accepted.filter((at) => at >= from && at < from + 60 * SECOND).length).toBeLessThanOrEqual(10);
  });

  it('does not let refused calls extend the wait, and says exactly how long it is', async () => {
    const { secret } = await aTrigger('etl.hammered');
    const start = clock;
    expect((await calls(secret, 10, 10)).map((r) => r.status)).toEqual(Array(10).fill(200));
    clock = start + 20 * SECOND;
    // Hammered for 35 s: every call refused, each naming the moment the first accepted call leaves the minute.
    const refused = [];
    for (let i = 0; i < 35; i++) {
      refused.push(...(await calls(secret, 1)));
      clock += SECOND;
    }
    expect(refused.every((r) => r.status === 429)).toBe(true);
    expect(refused.map((r) => r.retryAfter)).toEqual(Array.from({ length: 35 }, (_, i) => 40 - i));
    clock = start + 60 * SECOND;
    expect((await calls(secret, 1))[0]!.status).toBe(200);
  });

  it('keys the limit on the trigger: rotating does not reset it, and another trigger is not affected', async () => {
    const first = await aTrigger('etl.rotating');
    const other = await aTrigger('etl.bystander');
    const start = clock;
    expect((await calls(first.secret, 10)).map((r) => r.status)).toEqual(Array(10).fill(200));
    const rotated = await t.http
      .post(`${triggers('etl.rotating')}/${first.trigger.id}/rotate`)
      .set(t.admin)
      .expect(200);
    expect((await call(first.secret)).status).toBe(404);
    const renewed = await call(rotated.body.secret as string);
    expect(renewed.status).toBe(429);
    expect(renewed.headers['retry-after']).toBe('60');
    expect((await call(other.secret)).status).toBe(200);
    clock = start + 60 * SECOND;
    expect((await call(rotated.body.secret as string)).status).toBe(200);
  });
});
