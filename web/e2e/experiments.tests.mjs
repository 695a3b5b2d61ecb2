// Experiments beyond one rate: a ratio metric (delta method), CUPED-adjusted figures and results per segment,
// each from real SDK telemetry and each labelled with its method on the experiment page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { createFlags } from '@signalbox/sdk';
import { newSplitFlag, PROJECT, random, signInAsAdmin } from './tests.mjs';

// Evaluated through the DevTools protocol: the console's CSP refuses an injected script (as in a11y.tests.mjs).
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };

/** A real SDK: `record(flags, unit)` for each unit, then one flush. */
const traffic = async (baseUrl, sdkKey, units, record) => {
  const flags = createFlags({ url: baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  try {
    assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
    for (let i = 0; i < units; i++) record(flags, i);
    await flags.flush();
  } finally {
    await flags.close();
  }
};

export const tests = [
  {
    name: 'experiments: a ratio metric created in the form, CUPED-adjusted figures and results per segment, each labelled with its method',
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const ratioFlag = await newSplitFlag(api, 'e2e.dedupe-ratio', env);
      const cupedFlag = await newSplitFlag(api, 'e2e.scorer-cuped', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments`);
      await page.getByRole('button', { name: '+ New experiment' }).click();
      const form = page.getByRole('form', { name: 'New experiment' });
      await form.getByLabel('Key').fill('e2e-errors-per-row');
      await form.getByLabel('Name (optional)').fill('Dedupe errors per row');
      await form.getByLabel('Flag').selectOption(ratioFlag);
      await form.getByLabel('Primary metric').fill('errors per row');
      await form.getByLabel('Metric type').selectOption('ratio');
      await form.getByLabel('Better when it').selectOption('decrease');
      await form.getByLabel('Numerator metric (trackRatio)').fill('pipeline.errors');
      await form.getByLabel('Denominator metric (trackRatio)').fill('pipeline.rows');
      await form.getByLabel(/Minimum detectable effect/).fill('0.005');
      await form.getByRole('button', { name: 'Start experiment' }).click();
      await page.getByRole('heading', { name: 'Dedupe errors per row' }).waitFor();

      const draw = random(5);
      await traffic(h.baseUrl, sdkKey, 600, (flags, i) => {
        const context = { targetingKey: `batch-${i}` };
        const variant = flags.details(ratioFlag, context, 'v1').variant;
        const rows = 100 + Math.floor(draw() * 900);
        const errors = Math.round(rows * (variant === 'v2' ? 0.04 : 0.01) * (0.5 + draw()));
        flags.trackRatio('pipeline.errors', errors, 'pipeline.rows', rows, context, { flag: ratioFlag });
      });
      await page.reload();
      await page.getByText('Σpipeline.errors').waitFor();
      await page.getByText(/Estimates with 95% confidence intervals \(delta method\)/).waitFor();
      await page.getByText(/p-values from the z-test with the delta-method variance/).waitFor();
      await page.getByRole('columnheader', { name: 'Ratio' }).waitFor();
      await page.getByRole('region', { name: 'Recommendation' }).getByText('Keep control').waitFor();

      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-scorer-cuped',
        name: 'Scorer v2 with CUPED by region',
        flag: cupedFlag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'score', type: 'mean' },
        minimumDetectableEffect: 0.5,
        cuped: true,
        segmentBy: 'region',
        analysis: 'fixed-horizon',
      });
      const noise = random(17);
      const normal = () => Math.sqrt(-2 * Math.log(1 - noise())) * Math.cos(2 * Math.PI * noise());
      await traffic(h.baseUrl, sdkKey, 900, (flags, i) => {
        const context = { targetingKey: `unit-${i}`, region: ['eu', 'us', 'apac'][i % 3] };
        const variant = flags.details(cupedFlag, context, 'v1').variant;
        const before = 50 + 10 * normal();
        flags.track('score', before + (variant === 'v2' && context.region === 'eu' ? 6 : 0) + 2 * normal(), context, {
          flag: cupedFlag,
          covariate: before,
          segmentBy: 'region',
        });
      });
      const results = await api('GET', `/projects/${PROJECT}/experiments/e2e-scorer-cuped/results`);
      assert.equal(results.treatments[0].decidedOn, 'cuped', JSON.stringify(results.treatments[0]));
      assert.ok(results.treatments[0].adjusted.varianceReduction > 0.8);

      await page.goto(`/${PROJECT}/${env}/experiments/e2e-scorer-cuped`);
      const cuped = page.getByRole('region', { name: 'CUPED-adjusted comparison' });
      await cuped.getByText(/Method: CUPED/).waitFor();
      await cuped.getByText('CUPED decides').waitFor();
      const removed = await cuped.getByTestId('cuped-variance-reduction').textContent();
      assert.ok(Number(removed.replace('%', '')) > 80, removed);
      // The unadjusted figures stay beside the adjusted ones.
      await page.getByTestId('p-value').waitFor();

      const segments = page.getByRole('region', { name: 'By region' });
      await segments.getByText(/Multiple comparisons: Holm's method over 3 comparisons/).waitFor();
      await segments.getByRole('columnheader', { name: 'Holm-adjusted p' }).waitFor();
      const rows = segments.getByTestId('segment-row');
      assert.equal(await rows.count(), 3);
      const eu = segments.getByRole('row', { name: /^eu / });
      await eu.getByText('significant', { exact: true }).waitFor();
      await h.screenshot('experiment-cuped-segments', { fullPage: true });

      // The page with its new sections is as accessible as the rest of the console: no serious or critical axe finding.
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        if (result.passes.length === 0) throw new Error('axe checked nothing');
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' '))}`);
      });
      assert.deepEqual(violations, []);
    },
  },
  {
    name: 'experiments: a sample-ratio mismatch refuses Promote, and the dialog promotes only with the explicit override and a reason',
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.skewed-split', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-skewed',
        name: 'Skewed split',
        flag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
      });
      // v2 loses about a fifth of its records (a crash before tracking): a 55/45 split on a 50/50 rollout.
      const draw = random(23);
      await traffic(h.baseUrl, sdkKey, 2000, (flags, i) => {
        const context = { targetingKey: `user-${i}` };
        const variant = flags.details(flag, context, 'v1').variant;
        if (variant === 'v2' && draw() < 0.2) return;
        flags.track('converted', draw() < (variant === 'v2' ? 0.2 : 0.1) ? 1 : 0, context, { flag });
      });
      const results = await api('GET', `/projects/${PROJECT}/experiments/e2e-skewed/results`);
      assert.equal(results.sampleRatio.mismatch, true, JSON.stringify(results.sampleRatio));

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments/e2e-skewed`);
      await page.getByRole('button', { name: 'Promote', exact: true }).click();
      const dialog = page.getByRole('dialog');
      const mismatch = dialog.getByRole('alert', { name: 'Sample ratio mismatch' });
      await mismatch.getByText(/where the rollout promises 50\.0% \/ 50\.0%/).waitFor();
      const promote = dialog.getByRole('button', { name: 'Promote v2' });
      assert.equal(await promote.isDisabled(), true);
      await h.screenshot('experiment-srm-override');
      await dialog.getByLabel('Promote v2 despite the sample ratio mismatch').check();
      assert.equal(await promote.isDisabled(), true, 'a reason is required too');
      await dialog.getByLabel('Reason (required to override the mismatch)').fill('the skew is a known bot filter on v1');
      await promote.click();
      await page.getByText(/promoted v2/).waitFor();

      const audit = await api('GET', `/audit?project=${PROJECT}&limit=10`);
      const entry = audit.items.find((e) => e.action === 'experiment.promoted' && e.resourceKey === flag);
      assert.match(entry.reason, /^the skew is a known bot filter on v1 \[sample ratio mismatch overridden: the traffic split is/);
    },
  },
  {
    name: "experiments: the new-experiment form offers the flag's reported metric names and warns, without refusing, of one never reported",
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.picker-model', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await traffic(h.baseUrl, sdkKey, 40, (flags, i) => {
        const context = { targetingKey: `unit-${i}`, region: ['eu', 'us'][i % 2] };
        flags.track('checkout.converted', i % 3 === 0 ? 1 : 0, context, { flag, segmentBy: 'region' });
        flags.track('checkout.latency_ms', 20 + i, context, { flag });
      });

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments`);
      await page.getByRole('button', { name: '+ New experiment' }).click();
      const form = page.getByRole('form', { name: 'New experiment' });
      await form.getByLabel('Key').fill('e2e-picker');
      await form.getByLabel('Flag').selectOption(flag);
      const offered = async (listId) =>
        form
          .getByTestId(listId)
          .locator('option')
          .evaluateAll((options) => options.map((o) => o.value));
      await page.waitForFunction(() => document.querySelectorAll('#reported-metrics-primary option').length > 0);
      assert.deepEqual(await offered('reported-metrics-primary'), ['checkout.converted', 'checkout.latency_ms']);
      await form.getByLabel('Primary metric').fill('checkout.convertd');
      await form.getByText(/No SDK has reported checkout\.convertd for e2e\.picker-model in the last 7 days/).waitFor();
      await form.getByLabel('Primary metric').fill('checkout.converted');
      assert.equal(await form.getByText(/No SDK has reported/).count(), 0);
      await form.getByLabel('Metric type').selectOption('mean');
      assert.deepEqual(await offered('reported-segment-attributes'), ['region']);
      await form.getByRole('button', { name: 'Add a guardrail' }).click();
      await form.getByLabel('Guardrail 1 metric').fill('checkout.latency_ms');
      assert.equal(await form.getByLabel('Guardrail 1 type').inputValue(), 'mean');
      await h.screenshot('experiment-metric-picker');
      // A warning, not a refusal: a name no SDK sends yet is accepted.
      await form.getByLabel('Metric type').selectOption('rate');
      await form.getByLabel('Primary metric').fill('checkout.refunded');
      await form.getByLabel(/Minimum detectable effect/).fill('0.05');
      await form.getByRole('button', { name: 'Start experiment' }).click();
      await page.getByRole('heading', { name: 'e2e-picker' }).waitFor();
      const created = await api('GET', `/projects/${PROJECT}/experiments/e2e-picker`);
      assert.equal(created.primaryMetric.name, 'checkout.refunded');
      assert.deepEqual(created.guardrailMetrics, [{ name: 'checkout.latency_ms', type: 'mean', better: 'decrease' }]);
    },
  },
];
