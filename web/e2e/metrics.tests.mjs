// Rollout guards pick from what the SDKs reported: the new-plan form offers the flag's metric names.
import assert from 'node:assert/strict';
import { createFlags } from '@signalbox/sdk';
import { config, flagUrl, newFlag, PROJECT, signInAsAdmin } from './tests.mjs';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };

/** Pipeline runs through the real SDK: each gates a step with the flag, so only step.duration_ms is reported. */
const stepRuns = async (baseUrl, sdkKey, flag, runs) => {
  const flags = createFlags({ url: baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  try {
    assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
    for (let i = 0; i < runs; i++) await flags.step(flag, { targetingKey: `${flag}-run-${i}` }, () => 'new', { fallback: () => 'old' });
    await flags.flush();
  } finally {
    await flags.close();
  }
};

export const tests = [
  {
    name: "metrics: the new-plan form offers the flag's reported metric names and pre-selects the server's choice",
    run: async (h) => {
      const { page, api } = h;
      const env = 'staging';
      const key = await newFlag(api, 'e2e.metrics-step');
      const current = await config(api, key, env);
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/${env}`, {
        version: current.version,
        on: true,
        defaultRule: { variant: 'off' },
        reason: 'serve off before the rollout',
      });
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await stepRuns(h.baseUrl, sdkKey, key, 40);
      const catalogue = await api('GET', `/projects/${PROJECT}/environments/${env}/metrics?flag=${key}`);
      assert.deepEqual(
        catalogue.metrics.map((m) => m.metric),
        ['step.duration_ms'],
      );

      await signInAsAdmin(h);
      await page.goto(flagUrl(env, key, 'rollout'));
      const form = page.getByRole('form', { name: 'New rollout plan' });
      await form.getByText('Guards count samples and errors of step.duration_ms').waitFor();
      await form.getByRole('checkbox', { name: 'Customize stages and guards' }).check();
      const errorMetric = form.getByRole('combobox', { name: 'Error metric (its counts are the samples)' });
      await errorMetric.waitFor();
      assert.equal(await errorMetric.inputValue(), 'step.duration_ms');
      // The combobox's list holds the reported name; a name nothing reported is allowed, with a warning.
      await form.locator('#reported-metrics-errorMetric option[value="step.duration_ms"]').waitFor({ state: 'attached' });
      const latency = form.getByRole('combobox', { name: 'Latency metric' });
      await latency.fill('model.latency_ms');
      await form.getByText('no data reported for this metric yet').waitFor();
      await latency.fill('step.duration_ms');
      await form.getByText('no data reported for this metric yet').waitFor({ state: 'detached' });
      // From the top: a full-page screenshot of a scrolled page draws the sticky header over the middle of it.
      await page.evaluate(() => window.scrollTo(0, 0));
      await h.screenshot('rollout-metric-picker', { fullPage: true });

      await form.getByRole('button', { name: 'Start rollout plan' }).click();
      await page.getByRole('region', { name: /Rollout of on/ }).waitFor();
      const [plan] = await api('GET', `/projects/${PROJECT}/flags/${key}/environments/${env}/rollout-plans`);
      assert.equal(plan.guards.errorMetric, 'step.duration_ms');
      assert.equal(plan.guards.metricSource.errorMetric, 'reported');
    },
  },
];
