// axe-core on every console page, in the light and the dark theme, at desktop width and at 800 px.
// A "serious" or "critical" violation fails the test; every one found is printed with its targets.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { newFlag, newSplitFlag, PROJECT, signInAsAdmin } from './tests.mjs';

// The console's CSP (script-src 'self') refuses an injected <script> tag, so axe's source is evaluated
// through the DevTools protocol instead, which a page's CSP does not govern.
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const FLAG = 'e2e.a11y-scan';
const FLAG_TABS = ['targeting', 'test', 'details', 'environments', 'evaluations', 'rollout', 'shadow', 'triggers', 'history'];
const EXPERIMENT_FLAG = 'e2e.a11y-experiment';
const EXPERIMENT = 'e2e-a11y-experiment';

// Two groups per theme and width, so each test stays well inside the harness's 60 s on a busy machine.
const flagPages = (env) => FLAG_TABS.map((tab) => [`flag page, ${tab} tab`, `/${PROJECT}/${env}/flags/${FLAG}${tab === 'targeting' ? '' : `?tab=${tab}`}`]);
const otherPages = (env) => [
  ['flags list', `/${PROJECT}/${env}/flags`],
  ['segments', `/${PROJECT}/${env}/segments`],
  // The segment editor opens in place on the segments page.
  [
    'segment editor',
    `/${PROJECT}/${env}/segments`,
    async (page) => {
      await page.getByRole('button', { name: '+ New segment' }).click();
      await page.getByRole('form', { name: 'New segment' }).waitFor();
    },
  ],
  ['experiments', `/${PROJECT}/${env}/experiments`],
  ['experiment page', `/${PROJECT}/${env}/experiments/${EXPERIMENT}`],
  ['evaluate a context', `/${PROJECT}/${env}/evaluate`],
  ['audit log', `/${PROJECT}/${env}/audit`],
  ['change requests', `/${PROJECT}/${env}/change-requests?status=all`],
  ['API tokens and SDK keys', `/${PROJECT}/${env}/access`],
  ['users', `/${PROJECT}/${env}/users`],
  ['webhooks', `/${PROJECT}/${env}/webhooks`],
  ['account', `/${PROJECT}/${env}/account`],
  ['unknown environment', `/${PROJECT}/no-such-env/flags`],
  ['unknown project', `/no-such-project/${env}/flags`],
];

/** The experiment page's experiment, made through the API by the first scan that needs it. */
const ensureExperiment = async (api, env) => {
  const found = await api('GET', `/projects/${PROJECT}/experiments/${EXPERIMENT}`).catch(() => null);
  if (found) return;
  await api('GET', `/projects/${PROJECT}/flags/${EXPERIMENT_FLAG}`).catch(() => newSplitFlag(api, EXPERIMENT_FLAG, env));
  await api('POST', `/projects/${PROJECT}/experiments`, {
    key: EXPERIMENT,
    name: 'A11y scan experiment',
    flag: EXPERIMENT_FLAG,
    environment: env,
    controlVariant: 'v1',
    treatmentVariants: ['v2'],
    primaryMetric: { name: 'converted', type: 'rate' },
    minimumDetectableEffect: 0.06,
    baselineRate: 0.1,
  });
};

/** Loaded: the page's own main landmark is there and no spinner is left. */
const settle = async (page) => {
  await page.locator('main').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.spinner'), null, { timeout: 10_000 });
  // Two frames: late layout (charts measuring themselves) has happened before axe reads colours.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
};

const scan = async (page) => {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    // A scan that checked nothing (axe missing, an empty page) must not read as clean.
    if (result.passes.length === 0) throw new Error(`axe checked nothing on ${location.pathname}`);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) }));
  });
};

const report = (found) =>
  found
    .map(
      ({ name, violations }) =>
        `${name}:\n${violations
          .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target}\n      ${n.summary?.replace(/\n/g, '\n      ')}`).join('\n')}`)
          .join('\n')}`,
    )
    .join('\n');

const scanAll = (scheme, width, group) => async (h) => {
  const { page, api, context } = h;
  await page.emulateMedia({ colorScheme: scheme });
  await page.setViewportSize({ width, height: 900 });
  const found = [];

  if (group === 'pages') {
    // Signed out first: the sign-in page.
    await page.goto('/');
    await settle(page);
    const signIn = await scan(page);
    if (signIn.length > 0) found.push({ name: 'sign-in', violations: signIn });
  }

  // The four scans share one flag: the first creates it.
  await api('GET', `/projects/${PROJECT}/flags/${FLAG}`).catch(() => newFlag(api, FLAG));
  if (group === 'pages') await ensureExperiment(api, 'production');
  await signInAsAdmin(h);
  for (const [name, url, open] of group === 'pages' ? otherPages('production') : flagPages('production')) {
    await page.goto(url);
    await settle(page);
    if (open) {
      await open(page);
      await settle(page);
    }
    const violations = await scan(page);
    if (violations.length > 0) found.push({ name, violations });
    // The README shows the dark theme with these two.
    if (scheme === 'dark' && width === 1280 && (name === 'flags list' || name === 'flag page, targeting tab')) {
      await h.screenshot(name === 'flags list' ? 'dark-flags-list' : 'dark-flag-page');
    }
  }
  await context.clearCookies();
  if (found.length > 0) throw new Error(`axe found serious or critical violations (${scheme}, ${width} px):\n${report(found)}`);
};

const runs = [
  ['light theme', 'light', 1280],
  ['dark theme', 'dark', 1280],
  ['light theme at 800 px', 'light', 800],
  ['dark theme at 800 px', 'dark', 800],
];

export const tests = runs.flatMap(([label, scheme, width]) => [
  { name: `a11y: no serious axe violations on the console's pages, ${label}`, run: scanAll(scheme, width, 'pages') },
  { name: `a11y: no serious axe violations on the flag page's tabs, ${label}`, run: scanAll(scheme, width, 'flag') },
]);
