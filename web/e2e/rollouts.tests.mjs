// The rollout plan page: each guard's fixed-horizon and sequential (mSPRT) figures, the stage
// window and what the scheduler will do, a pause caused by a hand edit, the exclusion with experiments,
// and a rollback by a failing guard with its reason and the figures that decided.
import assert from 'node:assert/strict';
import { createFlags } from '@signalbox/sdk';
import { config, flagUrl, newFlag, PROJECT, signInAsAdmin } from './tests.mjs';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };

/** Pipeline runs through the real SDK, each gated by the flag: step.duration_ms per variant. */
const stepRuns = async (baseUrl, sdkKey, flag, runs) => {
  const flags = createFlags({ url: baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  try {
    assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
    for (let i = 0; i < runs; i++) await flags.step(flag, { targetingKey: `${flag}-${Date.now()}-${i}` }, () => 'new', { fallback: () => 'old' });
    await flags.flush();
  } finally {
    await flags.close();
  }
};

/** Pipeline runs whose candidate step always throws (the fallback never does): every candidate run is an error. */
const crashingRuns = async (baseUrl, sdkKey, flag, runs) => {
  const flags = createFlags({ url: baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  try {
    assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
    for (let i = 0; i < runs; i++) {
      const crash = () => {
        throw new Error('candidate crashes');
      };
      await flags.step(flag, { targetingKey: `${flag}-crash-${i}` }, crash, { fallback: () => 'old' }).catch(() => undefined);
    }
    await flags.flush();
  } finally {
    await flags.close();
  }
};

export const tests = [
  {
    name: 'rollouts: the plan page shows each guard with its fixed-horizon and sequential figures, the stage window, and a pause for a hand edit',
    run: async (h) => {
      const { page, api } = h;
      const env = 'staging';
      const key = await newFlag(api, 'e2e.guarded-step');
      const flagEnv = `/projects/${PROJECT}/flags/${key}/environments/${env}`;
      const current = await config(api, key, env);
      await api('PATCH', flagEnv, { version: current.version, on: true, defaultRule: { variant: 'off' }, reason: 'serve off before the rollout' });
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await stepRuns(h.baseUrl, sdkKey, key, 80);
      const plan = await api('POST', `${flagEnv}/rollout-plans`, {
        candidateVariant: 'on',
        controlVariant: 'off',
        stages: [
          { percent: 50, minDurationMinutes: 60, minSamples: 100 },
          { percent: 100, minDurationMinutes: 0, minSamples: 0 },
        ],
      });
      assert.equal(plan.status, 'running');
      await stepRuns(h.baseUrl, sdkKey, key, 300);

      await signInAsAdmin(h);
      await page.goto(flagUrl(env, key, 'rollout'));
      const card = page.getByRole('region', { name: /Rollout of on/ });
      const table = card.getByRole('table', { name: 'Guard metrics' });
      await table.waitFor();
      const errorRow = table.getByRole('row', { name: /^Error rate step\.duration_ms/ });
      // Both kinds of figures, each named: fixed-horizon verdict and the mSPRT confidence sequence.
      await errorRow.getByText('within', { exact: true }).waitFor();
      await errorRow.getByText(/mSPRT confidence sequence [-+]\d/).waitFor();
      await errorRow.getByText(/^excess [-+][\d.]+ pp over the limit, always-valid p [=<] /).waitFor();
      await errorRow.getByText(/^not yet clear \(the confidence sequence straddles 0\)/).waitFor();
      await card.getByRole('columnheader', { name: 'Sequential (mSPRT)' }).waitFor();
      const window = card.getByLabel('Stage window');
      await window.getByText(/of 60 min minimum, \d+ of 100 candidate samples/).waitFor();
      // An hour-long stage a minute in: the scheduler waits, and says for what.
      await window.getByText('waits').waitFor();
      await window.getByText(/of 60 minutes of the stage's minimum duration/).waitFor();
      await card.getByText(/Split check: \d+ candidate and \d+ control observations, as the split expects/).waitFor();
      await card.getByText(/experiments on e2e\.guarded-step in staging are refused/).waitFor();
      await h.screenshot('rollout-sequential-guards', { fullPage: true });

      // A hand edit to the default rule pauses the plan, and the page says why.
      const edited = await config(api, key, env);
      await api('PATCH', flagEnv, { version: edited.version, defaultRule: { variant: 'off' }, reason: 'INC-7: back to off by hand' });
      for (let i = 0; i < 50 && (await api('GET', `${flagEnv}/rollout-plans`))[0].status !== 'paused'; i++) await new Promise((r) => setTimeout(r, 100));
      await page.reload();
      const paused = card.getByRole('status', { name: 'Why the plan is paused' });
      await paused.waitFor();
      assert.match(await paused.textContent(), /Paused because of a hand edit\..*INC-7: back to off by hand/);
      await card.locator('.badge', { hasText: 'paused' }).first().waitFor();
      const [listed] = await api('GET', `${flagEnv}/rollout-plans`);
      assert.equal(listed.pause.handEdit, true);
      // Still judged while paused: a failing guard would roll it back.
      await table.waitFor();
    },
  },
  {
    name: "rollouts: a guard the sequential (mSPRT) figures fail rolls the plan back, and the plan page shows the failed guard's reason with its method",
    run: async (h) => {
      const { page, api } = h;
      const env = 'staging';
      const key = await newFlag(api, 'e2e.crashing-step');
      const flagEnv = `/projects/${PROJECT}/flags/${key}/environments/${env}`;
      const current = await config(api, key, env);
      await api('PATCH', flagEnv, { version: current.version, on: true, defaultRule: { variant: 'off' }, reason: 'serve off before the rollout' });
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await stepRuns(h.baseUrl, sdkKey, key, 80);
      const plan = await api('POST', `${flagEnv}/rollout-plans`, {
        candidateVariant: 'on',
        controlVariant: 'off',
        stages: [
          { percent: 50, minDurationMinutes: 60, minSamples: 100 },
          { percent: 100, minDurationMinutes: 0, minSamples: 0 },
        ],
      });
      assert.equal(plan.status, 'running');
      // Every candidate run fails: an hour-long stage, yet the always-valid figures may roll it back at once.
      await crashingRuns(h.baseUrl, sdkKey, key, 200);
      let listed;
      for (let i = 0; i < 150; i++) {
        [listed] = await api('GET', `${flagEnv}/rollout-plans`);
        if (listed.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(listed.status, 'rolled-back', JSON.stringify(listed.guardStatus?.verdict));
      assert.deepEqual((await config(api, key, env)).defaultRule, { variant: 'off' });

      await signInAsAdmin(h);
      await page.goto(flagUrl(env, key, 'rollout'));
      const card = page.getByRole('region', { name: /Rollout of on/ });
      await card.locator('.badge', { hasText: 'rolled-back' }).first().waitFor();
      await card.getByText(/^Serving 0% of traffic on/).waitFor();
      const failed = card.getByRole('status').filter({ hasText: 'Guards that failed:' });
      await failed.waitFor();
      // The reason names the guard's figures and their method: the mSPRT confidence sequence, entirely above 0.
      assert.match(
        await failed.textContent(),
        /^Guards that failed: .*confidence sequence for .*: .*, always-valid p (= [\d.e-]+|< 1e-300) \(mSPRT, α = [\d.e-]+\), entirely above 0/,
      );
      // Which guard failed, by which figures: the table as the scheduler judged it when it rolled back.
      const table = card.getByRole('table', { name: 'Guards at the rollback' });
      await table.getByRole('columnheader', { name: 'Sequential (mSPRT)' }).waitFor();
      const errorRow = table.getByRole('row', { name: /^Error rate step\.duration_ms/ });
      await errorRow.getByText('over the limit', { exact: true }).waitFor();
      await errorRow.getByText(/^fail · mSPRT confidence sequence \+[\d.]+ pp to \+[\d.]+ pp$/).waitFor();
      const decision = errorRow.getByRole('cell').nth(6);
      await decision.getByText('by sequential').waitFor();
      assert.match(await decision.textContent(), /^fail by sequential.*\(mSPRT, α = [\d.e-]+\), entirely above 0$/);
      assert.equal(await card.getByRole('table', { name: 'Guard metrics' }).count(), 0, 'a finished plan has no live guards');
      const rolledBack = card.getByRole('list', { name: 'Decision timeline' }).getByRole('listitem').filter({ hasText: 'rolled-back' });
      await rolledBack.getByText(/guard failed at 50%: .*\(mSPRT, α = /).waitFor();
      await h.screenshot('rollout-guard-failed', { fullPage: true });
    },
  },
];
