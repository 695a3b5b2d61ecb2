import { createFlags } from '@signalbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const P = '/api/v1/projects/shadows';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Candidate {
  agrees: (i: number) => boolean;
  fails?: (i: number) => boolean;
  primaryMs: number;
  candidateMs: number;
}

describe('shadow report', () => {
  let t: TestApp;
  let sdkKey: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true });
    sdkKey = (await aProject(t.http, t.admin, 'shadows', [{ key: 'production', name: 'Production' }])).sdkKeys.production!;
  });
  afterAll(() => t.close());

  /** Real shadowed calls through the SDK: the primary labels `i`, the candidate agrees or not. */
  const simulate = async (flag: string, calls: number, c: Candidate) => {
    await aBooleanFlag(t.http, t.admin, 'shadows', flag);
    await t.http.patch(`${P}/flags/${flag}/environments/production`).set(t.admin).send({ version: 0, on: true }).expect(200);
    const flags = createFlags({ url: t.url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
    try {
      expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
      for (let start = 0; start < calls; start += 100) {
        await Promise.all(
          Array.from({ length: Math.min(100, calls - start) }, (_, k) => {
            const i = start + k;
            return flags.shadow(
              flag,
              { targetingKey: `doc-${i}` },
              {
                primary: async (doc: number) => (await sleep(c.primaryMs), `label-${doc}`),
                candidate: async (doc: number) => {
                  await sleep(c.candidateMs);
                  if (c.fails?.(doc)) throw new Error('CUDA out of memory');
                  return c.agrees(doc) ? `label-${doc}` : `other-${doc}`;
                },
              },
              i,
            );
          }),
        );
      }
    } finally {
      await flags.close();
    }
  };
  const report = (flag: string) => t.http.get(`${P}/flags/${flag}/environments/production/shadow-report`).set(t.admin).expect(200);

  it('recommends a canary for an agreeing candidate no slower than the primary, with disagreement examples', async () => {
    // A candidate clearly faster than the primary: scheduling delays on a loaded machine cannot make it 1.5× slower.
    await simulate('sentiment.v2-shadow', 1_100, { agrees: (i) => i % 20 !== 0, primaryMs: 20, candidateMs: 2 });
    const { body } = await report('sentiment.v2-shadow');
    expect(body).toMatchObject({ samples: 1_100, comparisons: 1_100, recommendation: 'promote-to-canary' });
    expect(body.agreementRate).toBeCloseTo(0.95, 10);
    expect(body.primary).toMatchObject({ count: 1_100, errors: 0, errorRate: 0 });
    expect(body.candidate.p95).toBeGreaterThan(1);
    expect(body.candidate.p50).toBeLessThanOrEqual(body.candidate.p95);
    expect(body.checks.every((c: { passed: boolean }) => c.passed)).toBe(true);
    expect(body.examples.length).toBe(10);
    expect(body.examples[0]).toMatchObject({ kind: 'shadow.disagreement', variant: 'on' });
    expect(body.examples[0].primary).toBe(`label-${body.examples[0].input}`);
    expect(body.examples[0].candidate).toBe(`other-${body.examples[0].input}`);
  });

  it('asks for more samples below 1,000', async () => {
    await simulate('sentiment.few', 200, { agrees: () => true, primaryMs: 1, candidateMs: 1 });
    const { body } = await report('sentiment.few');
    expect(body).toMatchObject({ samples: 200, recommendation: 'collect-more-samples' });
  });

  it('asks to investigate when agreement is below 85%', async () => {
    await simulate('sentiment.disagrees', 1_000, { agrees: (i) => i % 4 !== 0, primaryMs: 1, candidateMs: 1 });
    const { body } = await report('sentiment.disagrees');
    expect(body.agreementRate).toBeCloseTo(0.75, 10);
    expect(body.recommendation).toBe('investigate-disagreements');
  });

  it('asks to optimise a candidate whose p95 is over 1.5× the primary', async () => {
    // 200 ms against 1 ms: with 100 calls in flight, a loaded 2-core machine stretched the primary's
    // p95 to 40 ms, and a 50 ms candidate then read only 1.27× slower.
    await simulate('sentiment.slow', 1_000, { agrees: () => true, primaryMs: 1, candidateMs: 200 });
    const { body } = await report('sentiment.slow');
    expect(body.candidate.p95 / body.primary.p95).toBeGreaterThan(1.5);
    expect(body.recommendation).toBe('optimise-latency');
  });

  it('asks to fix a failing candidate, with the failures as examples', async () => {
    await simulate('sentiment.fails', 1_000, { agrees: () => true, fails: (i) => i % 10 === 0, primaryMs: 1, candidateMs: 1 });
    const { body } = await report('sentiment.fails');
    expect(body.candidate).toMatchObject({ count: 1_000, errors: 100 });
    expect(body.candidate.errorRate).toBeCloseTo(0.1, 10);
    expect(body.comparisons).toBe(900);
    expect(body.recommendation).toBe('fix-errors');
    expect(body.examples[0]).toMatchObject({ kind: 'shadow.candidate_error', error: expect.stringContaining('CUDA out of memory') });
  });

  it('answers 404 for an unknown flag and 400 naming an unknown variant', async () => {
    expect((await t.http.get(`${P}/flags/nope/environments/production/shadow-report`).set(t.admin)).status).toBe(404);
    const bad = await t.http.get(`${P}/flags/sentiment.few/environments/production/shadow-report`).query({ variant: 'v9', sampleLimit: 500 }).set(t.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['sampleLimit']);
    const unknownVariant = await t.http.get(`${P}/flags/sentiment.few/environments/production/shadow-report`).query({ variant: 'v9' }).set(t.admin);
    expect(unknownVariant.body.details).toEqual([{ field: 'variant', reason: "variant 'v9' does not exist in flag 'sentiment.few'" }]);
  });
});
