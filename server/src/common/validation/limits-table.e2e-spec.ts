import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../../test/builders.js';
import { evaluationsPayload, postEvents } from '../../../test/telemetry-records.js';
import { startTestApp, type TestApp } from '../../../test/test-app.js';

/**
 * The README's Limits table, one row at a time: one past each limit is refused with 400 naming
 * the field, and the limit itself is taken. Generic tests elsewhere check that every DTO bounds its
 * arrays and strings; these pin the numbers the README gives, and the checks written by hand.
 */
describe('the limits the README lists', () => {
  let t: TestApp;
  let sdkKey: string;
  const P = '/api/v1/projects/limits';
  const config = (flag: string) => `${P}/flags/${flag}/environments/development`;
  const fields = (res: { body: { details?: Array<{ field: string }> } }) => (res.body.details ?? []).map((d) => d.field);
  const createFlag = (body: Record<string, unknown>) =>
    t.http
      .post(`${P}/flags`)
      .set(t.admin)
      .send({ name: 'x', kind: 'boolean', ...body });
  /** A JSON value of exactly `bytes` bytes as JSON. */
  const jsonOfBytes = (bytes: number) => ({ pad: 'p'.repeat(bytes - '{"pad":""}'.length) });

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'limits')).sdkKeys.development!;
    await aBooleanFlag(t.http, t.admin, 'limits', 'limits.flag');
  });
  afterAll(() => t.close());

  it('flag: variant values up to 32 KB as JSON, 100 variants, 20 tags, name 200 and description 2,000 characters', async () => {
    const jsonFlag = (key: string, value: unknown) =>
      createFlag({
        key,
        kind: 'json',
        variants: [
          { key: 'a', value },
          { key: 'b', value: {} },
        ],
      });
    expect((await jsonFlag('value.at', jsonOfBytes(32 * 1024))).status).toBe(201);
    const over = await jsonFlag('value.over', jsonOfBytes(32 * 1024 + 1));
    expect(over.status).toBe(400);
    expect(over.body.details).toEqual([{ field: 'variants[0].value', reason: 'may be at most 32768 bytes as JSON' }]);

    const variants = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `v${i}`, value: `value-${i}` }));
    expect((await createFlag({ key: 'variants.at', kind: 'string', variants: variants(100) })).status).toBe(201);
    expect(fields(await createFlag({ key: 'variants.over', kind: 'string', variants: variants(101) }))).toEqual(['variants']);
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `tag-${i}`);
    expect((await createFlag({ key: 'tags.at', tags: tags(20) })).status).toBe(201);
    expect(fields(await createFlag({ key: 'tags.over', tags: tags(21) }))).toEqual(['tags']);
    expect((await createFlag({ key: 'name.at', name: 'n'.repeat(200), description: 'd'.repeat(2000) })).status).toBe(201);
    expect(fields(await createFlag({ key: 'name.over', name: 'n'.repeat(201) }))).toEqual(['name']);
    expect(fields(await createFlag({ key: 'description.over', description: 'd'.repeat(2001) }))).toEqual(['description']);
  });

  it('flag config: 20 prerequisites, 100 variants per rollout, reasons of 1,000 characters', async () => {
    const prerequisites = Array.from({ length: 21 }, (_, i) => ({ flag: `pre.${i}`, variant: 'on' }));
    expect(fields(await t.http.patch(config('limits.flag')).set(t.admin).send({ version: 0, prerequisites }))).toEqual(['prerequisites']);
    // A flag of 100 variants, rolled out over all of them (1 % each).
    const variants = Array.from({ length: 100 }, (_, i) => ({ key: `v${i}`, value: `value-${i}` }));
    await createFlag({ key: 'rollout.flag', kind: 'string', variants }).expect(201);
    const rollout = (n: number) => ({
      rollout: { bucketBy: 'targetingKey', variants: Array.from({ length: n }, (_, i) => ({ variant: `v${i % 100}`, weight: 1_000 })) },
    });
    expect(
      fields(
        await t.http
          .patch(config('rollout.flag'))
          .set(t.admin)
          .send({ version: 0, defaultRule: rollout(101) }),
      ),
    ).toEqual(['defaultRule.rollout.variants']);
    const at = await t.http
      .patch(config('rollout.flag'))
      .set(t.admin)
      .send({ version: 0, defaultRule: rollout(100), reason: 'r'.repeat(1000) });
    expect(at.status, JSON.stringify(at.body).slice(0, 300)).toBe(200);
    expect(
      fields(
        await t.http
          .patch(config('rollout.flag'))
          .set(t.admin)
          .send({ version: 1, on: true, reason: 'r'.repeat(1001) }),
      ),
    ).toEqual(['reason']);
  });

  it('telemetry: samples of at most 16 KB, 100 per batch, 100 batches per request, names of 128 characters', async () => {
    const withSamples = (samples: unknown[]) => {
      const payload = evaluationsPayload('limits.flag', 1);
      payload.batches[0] = { ...payload.batches[0]!, samples } as (typeof payload.batches)[0];
      return payload;
    };
    const sample = (input: unknown) => ({
      kind: 'shadow.disagreement',
      flag: 'limits.flag',
      variant: 'on',
      at: new Date().toISOString(),
      input,
      primary: 1,
      candidate: 2,
    });
    // {"input":…,"primary":1,"candidate":2} is what is measured.
    const inputOfTotal = (bytes: number) => jsonOfBytes(bytes - '{"input":,"primary":1,"candidate":2}'.length);
    expect((await postEvents(t.url, sdkKey, withSamples([sample(inputOfTotal(16 * 1024))]))).status).toBe(202);
    const big = await postEvents(t.url, sdkKey, withSamples([sample(inputOfTotal(16 * 1024 + 1))]));
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ details: [{ field: 'batches[0].samples[0]', reason: 'is larger than 16 KB' }] });
    const many = await postEvents(t.url, sdkKey, withSamples(Array.from({ length: 101 }, () => sample(null))));
    expect(many.status).toBe(400);
    expect(((await many.json()) as { details: Array<{ field: string }> }).details.map((d) => d.field)).toEqual(['batches[0].samples']);
    const batches = evaluationsPayload('limits.flag', 1);
    batches.batches = Array.from({ length: 101 }, () => batches.batches[0]!);
    const tooMany = await postEvents(t.url, sdkKey, batches);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { details: Array<{ field: string }> }).details.map((d) => d.field)).toEqual(['batches']);
    const longName = await postEvents(t.url, sdkKey, evaluationsPayload('f'.repeat(129), 1));
    expect(longName.status).toBe(400);
    expect((await postEvents(t.url, sdkKey, evaluationsPayload('f'.repeat(128), 1))).status).toBe(202);
  });
});
