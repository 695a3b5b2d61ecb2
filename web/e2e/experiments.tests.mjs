// The experiment page from real SDK telemetry: a ratio metric (delta method), CUPED-adjusted figures and results
// per segment, rates at the edges (Wilson and Newcombe intervals inside [0, 100%]), the fixed-horizon and sequential
// (mSPRT) figures with which decides, each labelled with its method; and the decisions: promote despite a sample-ratio
// mismatch, Settings (MDE, guardrails, maximum duration; audited) and Stop without a decision.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { createFlags } from '@signalbox/sdk';
import { config, newSplitFlag, PROJECT, random, signInAsAdmin, simulateConversions } from './tests.mjs';

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

/** Exactly `perArm` units per variant through the real SDK, the first `converted[variant]` of each converting (tracked 1, the rest 0). */
const exactConversions = async (baseUrl, sdkKey, flag, perArm, converted) => {
  const seen = {};
  await traffic(baseUrl, sdkKey, perArm * 6, (flags, i) => {
    const context = { targetingKey: `edge-${i}` };
    const variant = flags.details(flag, context, 'v1').variant;
    seen[variant] = (seen[variant] ?? 0) + 1;
    if (seen[variant] > perArm) return;
    flags.track('converted', seen[variant] <= converted[variant] ? 1 : 0, context, { flag });
  });
  assert.ok(
    Object.values(seen).every((n) => n >= perArm),
    `too few units per variant: ${JSON.stringify(seen)}`,
  );
};

/** axe's serious and critical findings on the page as it stands. */
const seriousViolations = async (page) => {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    if (result.passes.length === 0) throw new Error('axe checked nothing');
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' '))}`);
  });
};

/** Every "12.34%" in a text, as numbers. */
const percentagesIn = (text) => [...text.matchAll(/(-?\d+(?:\.\d+)?)\s*%/g)].map((m) => Number(m[1]));

/** "92.87% – 100.00%" → [92.87, 100]. */
const percentInterval = (text) => {
  const match = /^(-?[\d.]+)% – (-?[\d.]+)%$/.exec(text.trim());
  assert.ok(match, `not an interval of percentages: ${text}`);
  return [Number(match[1]), Number(match[2])];
};

/** The cells of a table row, by the texts of its table's column headers. */
const rowCells = async (row) => {
  const headers = await row.locator('xpath=ancestor::table[1]//thead//th').allTextContents();
  const cells = await row.locator('td').allTextContents();
  return Object.fromEntries(headers.map((h, i) => [h, cells[i]]));
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

      // One generator per variant throughout: the flag's random salt then changes how many units each arm gets, not their draws.
      const draws = { v1: random(5), v2: random(5 * 7919) };
      await traffic(h.baseUrl, sdkKey, 600, (flags, i) => {
        const context = { targetingKey: `batch-${i}` };
        const variant = flags.details(ratioFlag, context, 'v1').variant;
        const draw = draws[variant];
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
      const noises = { v1: random(17), v2: random(17 * 7919) };
      await traffic(h.baseUrl, sdkKey, 900, (flags, i) => {
        const context = { targetingKey: `unit-${i}`, region: ['eu', 'us', 'apac'][i % 3] };
        const variant = flags.details(cupedFlag, context, 'v1').variant;
        const noise = noises[variant];
        const normal = () => Math.sqrt(-2 * Math.log(1 - noise())) * Math.cos(2 * Math.PI * noise());
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
      assert.deepEqual(await seriousViolations(page), []);
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
      // v2 loses just enough records (a crash before tracking) for a 55/45 split on a 50/50 rollout, however the
      // flag's random salt splits the users: about 1,800 records at 55/45 give χ² ≈ 18, p ≈ 2e-5, far below 0.001.
      const draws = { v1: random(23), v2: random(23 * 7919) };
      const recorded = { v1: 0, v2: 0 };
      await traffic(h.baseUrl, sdkKey, 2000, (flags, i) => {
        const context = { targetingKey: `user-${i}` };
        const variant = flags.details(flag, context, 'v1').variant;
        if (variant === 'v2' && recorded.v2 + 1 > (recorded.v1 * 45) / 55) return;
        recorded[variant]++;
        flags.track('converted', draws[variant]() < (variant === 'v2' ? 0.2 : 0.1) ? 1 : 0, context, { flag });
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
  {
    name: 'experiments: rates at the edges (49/50 vs 50/50) read as Wilson and Newcombe intervals inside [0, 100%], each method named',
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.edge-rates', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-edge-rates',
        name: 'Everyone converts',
        flag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
      });
      await exactConversions(h.baseUrl, sdkKey, flag, 50, { v1: 49, v2: 50 });
      const results = await api('GET', `/projects/${PROJECT}/experiments/e2e-edge-rates/results`);
      assert.deepEqual(
        results.variants.map((v) => [v.variant, v.n, v.value, v.intervalMethod]),
        [
          ['v1', 50, 0.98, 'wilson'],
          ['v2', 50, 1, 'wilson'],
        ],
      );

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments/e2e-edge-rates`);
      await page.getByRole('heading', { name: 'Everyone converts' }).waitFor();
      const estimates = page.getByRole('region', { name: 'Estimates by variant' });
      await estimates.getByText('Estimates with 95% confidence intervals (Wilson score)').waitFor();
      const all = await rowCells(estimates.getByRole('row', { name: /^v2 / }));
      assert.equal(all.Rate, '100.00%');
      const [lower, upper] = percentInterval(all['95% CI']);
      assert.ok(lower >= 0 && lower < 100 && upper === 100, `Wilson interval of 50/50: ${all['95% CI']}`);
      const control = await rowCells(estimates.getByRole('row', { name: /^v1 / }));
      assert.equal(control.Rate, '98.00%');
      const [cLower, cUpper] = percentInterval(control['95% CI']);
      assert.ok(cLower >= 0 && cLower < 98 && cUpper > 98 && cUpper <= 100, `Wilson interval of 49/50: ${control['95% CI']}`);

      // The difference: Newcombe's interval from the two Wilson ones, named in its heading and the footnote.
      const comparison = page.getByRole('region', { name: 'Compared with v1' });
      await comparison.getByRole('columnheader', { name: '95% CI (Newcombe)' }).waitFor();
      await page.getByText(/Intervals of the difference: Newcombe's hybrid score;/).waitFor();
      const difference = await rowCells(comparison.getByRole('row', { name: /^v2 / }));
      assert.equal(difference.Difference, '+2.00 pp');
      const pp = /^([-−+]?[\d.]+) pp to ([-−+]?[\d.]+) pp$/.exec(difference['95% CI (Newcombe)']);
      assert.ok(pp, difference['95% CI (Newcombe)']);
      const [dLower, dUpper] = [pp[1], pp[2]].map((t) => Number(t.replace('−', '-')));
      // A difference of two rates stays within what two rates can differ by, and covers the estimate.
      assert.ok(dLower >= -100 && dLower < 2 && dUpper > 2 && dUpper <= 100, difference['95% CI (Newcombe)']);
      assert.equal(difference.Relative, '+2.0%');

      // Nothing on the page, the chart's description included, reads above 100%.
      const chart = page.getByRole('img', { name: /converted per variant with 95% confidence intervals: / });
      const described = await chart.getAttribute('aria-label');
      assert.match(described, /v2 100\.00% \(\d+\.\d\d% to 100\.00%\)/);
      const text = `${await page.locator('body').innerText()}\n${described}`;
      const over = percentagesIn(text).filter((p) => p > 100);
      assert.deepEqual(over, [], 'percentages above 100% on the page');
      assert.ok(percentagesIn(text).length >= 8, 'the page shows its percentages');
    },
  },
  {
    name: "experiments: the fixed-horizon and sequential (mSPRT) figures are each labelled with their method, and the experiment's setting says which decides",
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.two-methods', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-two-methods',
        name: 'Two kinds of figures',
        flag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
        analysis: 'fixed-horizon',
      });
      await simulateConversions(h.baseUrl, sdkKey, flag, 800, { v1: 0.1, v2: 0.2 });
      const before = await api('GET', `/projects/${PROJECT}/experiments/e2e-two-methods/results`);
      assert.equal(before.decidedBy, 'fixed-horizon');
      assert.ok(before.treatments[0].comparison.sequential, 'the results carry the sequential figures');

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments/e2e-two-methods`);
      const comparison = page.getByRole('region', { name: 'Compared with v1' });
      await comparison.getByRole('columnheader', { name: 'Fixed-horizon p (z-test, decides)', exact: true }).waitFor();
      await comparison.getByRole('columnheader', { name: 'Always-valid p (mSPRT)', exact: true }).waitFor();
      await comparison.getByRole('columnheader', { name: 'Confidence sequence (mSPRT)', exact: true }).waitFor();
      const row = await rowCells(comparison.getByRole('row', { name: /^v2 / }));
      assert.match(row['Fixed-horizon p (z-test, decides)'], /^p (<|=) [\d.]+ /);
      assert.match(row['Always-valid p (mSPRT)'], /^p (<|=) [\d.]+ /);
      assert.match(row['Confidence sequence (mSPRT)'], /^[-−+]?[\d.]+ pp to [-−+]?[\d.]+ pp$/);
      const footnote = page.getByText(/Always-valid p-values and confidence sequences from the mSPRT/);
      assert.match(await footnote.textContent(), /p-values from the pooled two-proportion z-test\..*This experiment decides by its fixed-horizon figures\./);

      // The setting changes in Settings; the page moves "decides" to the other figures.
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Settings of e2e-two-methods' });
      await dialog.getByLabel('Decide by').selectOption('sequential');
      await dialog.getByLabel('Reason (kept in the audit log)').fill('we read it every day');
      await dialog.getByRole('button', { name: 'Save settings' }).click();
      await dialog.waitFor({ state: 'detached' });
      await comparison.getByRole('columnheader', { name: 'Always-valid p (mSPRT, decides)', exact: true }).waitFor();
      await comparison.getByRole('columnheader', { name: 'Fixed-horizon p (z-test)', exact: true }).waitFor();
      await page.getByText(/This experiment decides by its sequential figures\./).waitFor();
      const after = await api('GET', `/projects/${PROJECT}/experiments/e2e-two-methods/results`);
      assert.equal(after.decidedBy, 'sequential');
      assert.equal(after.experiment.analysis, 'sequential');
    },
  },
  {
    name: 'experiments: Settings changes the MDE, adds a guardrail and a maximum duration (audited), and shows a refused MDE in the dialog changing nothing',
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.settings-model', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      const experimentUrl = `/projects/${PROJECT}/experiments/e2e-settings`;
      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-settings',
        name: 'Settings while running',
        flag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
        baselineRate: 0.3,
      });
      const draw = random(31);
      await traffic(h.baseUrl, sdkKey, 200, (flags, i) => {
        const context = { targetingKey: `shopper-${i}` };
        flags.details(flag, context, 'v1');
        flags.track('converted', draw() < 0.3 ? 1 : 0, context, { flag });
        flags.track('checkout.latency_ms', 80 + 40 * draw(), context, { flag });
      });

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments/e2e-settings`);
      const footnote = page.getByText(/Alpha 0\.05 \(per comparison/);
      await footnote.waitFor();
      assert.match(await footnote.textContent(), /minimum detectable effect 5\.00 pp\./);
      assert.doesNotMatch(await footnote.textContent(), /concludes on its own/);
      const comparison = page.getByRole('region', { name: 'Compared with v1' });
      assert.equal(await comparison.getByText('checkout.latency_ms').count(), 0);

      // 0.8 either way from a 30% baseline leaves [0, 1]: the server refuses it, and says so next to the field.
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Settings of e2e-settings' });
      await dialog.getByLabel('Minimum detectable effect').fill('0.8');
      await dialog.getByLabel('Reason (kept in the audit log)').fill('only big wins matter');
      await dialog.getByRole('button', { name: 'Save settings' }).click();
      const refused = dialog.locator('[data-field="minimumDetectableEffect"]');
      await refused.waitFor();
      const message = await refused.textContent();
      assert.match(message, /a difference of 0\.8 from a rate of 0\.3 leaves \[0, 1\] both ways/, message);
      assert.equal(await dialog.getByLabel('Minimum detectable effect').getAttribute('aria-invalid'), 'true');
      assert.equal((await api('GET', experimentUrl)).minimumDetectableEffect, 0.05, 'a refused change changes nothing');
      const refusedAudit = await api('GET', `/audit?project=${PROJECT}&flag=${flag}&limit=20`);
      assert.equal(refusedAudit.items.filter((e) => e.action === 'experiment.updated').length, 0);

      // A sensible MDE, a guardrail and a maximum duration: saved, shown, kept by the API and audited.
      await dialog.getByLabel('Minimum detectable effect').fill('0.1');
      assert.equal(await dialog.locator('[data-field="minimumDetectableEffect"]').count(), 0, 'the message goes once the field changes');
      await dialog.getByRole('button', { name: 'Add a guardrail' }).click();
      await dialog.getByLabel('Guardrail 1 metric').fill('checkout.latency_ms');
      assert.equal(await dialog.getByLabel('Guardrail 1 type').inputValue(), 'mean');
      assert.equal(await dialog.getByLabel('Guardrail 1 is better when it').inputValue(), 'decrease');
      await dialog.getByLabel('Conclude after (hours; empty: never)').fill('72');
      await dialog.getByLabel('Reason (kept in the audit log)').fill('ten points is what matters; latency must not suffer');
      await dialog.getByRole('button', { name: 'Save settings' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByText(/minimum detectable effect 10\.00 pp\./).waitFor();
      await page.getByText(/It concludes on its own 72 h after it started\./).waitFor();
      const guardrail = comparison.getByRole('row', { name: /^v2 / }).getByText('checkout.latency_ms');
      await guardrail.waitFor();

      const saved = await api('GET', experimentUrl);
      assert.equal(saved.minimumDetectableEffect, 0.1);
      assert.equal(saved.maxDurationHours, 72);
      assert.deepEqual(saved.guardrailMetrics, [{ name: 'checkout.latency_ms', type: 'mean', better: 'decrease' }]);
      const audit = await api('GET', `/audit?project=${PROJECT}&flag=${flag}&limit=20`);
      const updates = audit.items.filter((e) => e.action === 'experiment.updated');
      assert.equal(updates.length, 1, JSON.stringify(updates));
      assert.equal(updates[0].reason, 'ten points is what matters; latency must not suffer');
      assert.equal(updates[0].actorName, 'admin@signalbox.local');
      assert.equal(updates[0].before.minimumDetectableEffect, 0.05);
      assert.equal(updates[0].after.minimumDetectableEffect, 0.1);
      assert.deepEqual(updates[0].before.guardrailMetrics, []);
      assert.deepEqual(updates[0].after.guardrailMetrics, saved.guardrailMetrics);

      // The settings reopen with what was saved.
      await page.getByRole('button', { name: 'Settings' }).click();
      assert.equal(await dialog.getByLabel('Minimum detectable effect').inputValue(), '0.1');
      assert.equal(await dialog.getByLabel('Guardrail 1 metric').inputValue(), 'checkout.latency_ms');
      assert.equal(await dialog.getByLabel('Conclude after (hours; empty: never)').inputValue(), '72');
      // The dialog with its guardrail rows is as accessible as the rest of the console.
      assert.deepEqual(await seriousViolations(page), []);
    },
  },
  {
    name: 'experiments: Stop asks for confirmation, then closes the experiment without a winner and leaves the flag serving its split',
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.stop-model', env);
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      const experimentUrl = `/projects/${PROJECT}/experiments/e2e-stop`;
      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-stop',
        name: 'Stopped early',
        flag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.05,
      });
      await simulateConversions(h.baseUrl, sdkKey, flag, 400, { v1: 0.1, v2: 0.12 });
      const served = await config(api, flag, env);

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/${env}/experiments/e2e-stop`);
      await page.getByRole('heading', { name: 'Stopped early' }).waitFor();
      // Stop only asks: cancelling changes nothing.
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Stop e2e-stop without a decision' });
      await dialog.getByText('The flag keeps serving what it serves now: nothing changes for anyone.', { exact: false }).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal((await api('GET', experimentUrl)).status, 'running');

      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await dialog.getByLabel('Reason (optional)').fill('the campaign this tested was cancelled');
      await dialog.getByRole('button', { name: 'Stop experiment' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByText(/^Closed .*: stopped without a decision: no winner, and the flag serves what it served\.$/).waitFor();
      await page
        .getByRole('region', { name: 'Recommendation' })
        .getByText(/nothing acts on this recommendation any more/)
        .waitFor();
      await page
        .locator('.badge', { hasText: /^closed$/ })
        .first()
        .waitFor();
      for (const action of ['Promote', 'Settings', 'Stop', 'Rollback']) {
        assert.equal(await page.getByRole('button', { name: action, exact: true }).count(), 0, `${action} is gone from a closed experiment`);
      }
      assert.equal(await page.getByText(/promoted|rolled back/).count(), 0);

      const stopped = await api('GET', experimentUrl);
      assert.equal(stopped.status, 'closed');
      assert.equal(stopped.decision, 'stopped');
      assert.equal(stopped.winner, null);
      const after = await config(api, flag, env);
      assert.deepEqual(after.defaultRule, served.defaultRule, 'the flag serves what it served');
      assert.equal(after.version, served.version, 'the flag itself did not change');
      const audit = await api('GET', `/audit?project=${PROJECT}&flag=${flag}&limit=20`);
      const entry = audit.items.find((e) => e.action === 'experiment.stopped');
      assert.equal(entry?.reason, 'the campaign this tested was cancelled');

      // The flag's page agrees: still the 50/50 split the experiment ran on.
      await page.getByRole('link', { name: flag }).first().click();
      await page.getByRole('region', { name: 'Default rule' }).getByRole('img', { name: 'Rollout: v1 50%, v2 50%' }).waitFor();
    },
  },
];
