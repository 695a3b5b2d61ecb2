// The scenarios. Each gets a fresh browser context (no cookies) and the harness from run.mjs.
import assert from 'node:assert/strict';
import { createFlags } from '@signalbox/sdk';

export const PROJECT = 'demo';
export const ADMIN_EMAIL = 'admin@signalbox.local';

export const flagUrl = (env, key, tab) => `/${PROJECT}/${env}/flags/${key}${tab ? `?tab=${tab}` : ''}`;

/** A fresh boolean flag per test keeps the tests independent of each other and of their order. */
export const newFlag = async (api, key, tags = ['e2e']) => {
  await api('POST', `/projects/${PROJECT}/flags`, { key, name: `E2E ${key}`, kind: 'boolean', owner: 'e2e', tags });
  return key;
};

export const config = (api, key, env) => api('GET', `/projects/${PROJECT}/flags/${key}/environments/${env}`);

export const signInAsAdmin = async (h) => h.loginAs(ADMIN_EMAIL, h.adminPassword);

/** The whole page in one viewport, so sticky bars sit where they belong. */
export const wholePage = async (h, name) => {
  if (process.env.SCREENSHOTS !== '1') return;
  const { page } = h;
  await page.evaluate(() => window.scrollTo(0, 0));
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, 900), 2600) });
  // Two frames: the page has laid itself out at the new size.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await h.screenshot(name);
  await page.setViewportSize(viewport);
};

export const flagOf = (api, key) => api('GET', `/projects/${PROJECT}/flags/${key}`);

/** mulberry32: deterministic outcomes, so the simulated experiment reads the same every run. */
export const random = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** A string flag serving v1 and v2 half and half in one environment, as an experiment needs. */
export const newSplitFlag = async (api, key, env) => {
  await api('POST', `/projects/${PROJECT}/flags`, {
    key,
    name: `E2E ${key}`,
    kind: 'string',
    owner: 'e2e',
    tags: ['e2e'],
    variants: [
      { key: 'v1', value: 'model-v1' },
      { key: 'v2', value: 'model-v2' },
    ],
  });
  const current = await config(api, key, env);
  await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/${env}`, {
    version: current.version,
    on: true,
    defaultRule: {
      rollout: {
        variants: [
          { variant: 'v1', weight: 50_000 },
          { variant: 'v2', weight: 50_000 },
        ],
      },
    },
    reason: 'split for an experiment',
  });
  return key;
};

/** Real SDK traffic: users routed by the flag, each converting with its variant's probability. */
/** Routed runs of a boolean flag through the SDK, so model.latency_ms has observations per variant. */
export const routeRuns = async (baseUrl, sdkKey, flag, runs) => {
  const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };
  const flags = createFlags({ url: baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  try {
    assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
    for (let i = 0; i < runs; i++) {
      const model = flags.route(flag, { targetingKey: `${flag}-run-${i}` }, { on: () => 'new', off: () => 'old' });
      await model.run();
    }
    await flags.flush();
  } finally {
    await flags.close();
  }
};

export const simulateConversions = async (baseUrl, sdkKey, flag, users, rates) => {
  const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };
  const flags = createFlags({ url: baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  const draws = { v1: random(11), v2: random(7919) };
  try {
    assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
    for (let i = 0; i < users; i++) {
      const model = flags.route(flag, { targetingKey: `${flag}-user-${i}` }, { v1: () => 'a', v2: () => 'b' });
      await model.run();
      model.track('converted', draws[model.variant]() < rates[model.variant] ? 1 : 0);
    }
    await flags.flush();
  } finally {
    await flags.close();
  }
};

export const tests = [
  {
    name: 'screenshots of the main pages with the demo data',
    screenshotsOnly: true,
    run: async (h) => {
      const { page } = h;
      const whole = (name) => wholePage(h, name);
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/production/flags`);
      await page.getByRole('link', { name: 'Validate data before load' }).waitFor();
      await h.screenshot('flags-list');
      await page.goto(flagUrl('production', 'model.sentiment'));
      await page.getByLabel('Rule 1 description').waitFor();
      await whole('flag-page');
      await page.goto(flagUrl('production', 'ops.gpu-processing'));
      await page.getByRole('heading', { name: 'Killed in Production' }).waitFor();
      await h.screenshot('flag-killed');
      await page.goto(flagUrl('production', 'etl.use-new-transformer'));
      await page.getByRole('button', { name: 'Kill switch' }).click();
      await page.getByRole('dialog').getByLabel('Reason').fill('INC-5120: transformer v2 writes null user ids');
      await h.screenshot('kill-dialog');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.goto(flagUrl('production', 'model.sentiment', 'test'));
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await page.getByRole('region', { name: 'Explanation' }).waitFor();
      await whole('test-a-context');
      await page.goto(flagUrl('production', 'model.sentiment', 'history'));
      await page.locator('.audit-entry summary', { hasText: 'flag.config.updated' }).first().click();
      await whole('flag-history');
      await page.goto(`/${PROJECT}/production/segments`);
      await page.getByRole('cell', { name: /Beta testers/ }).waitFor();
      await page.getByRole('button', { name: 'Edit' }).first().click();
      await whole('segments');
      await page.goto(`/${PROJECT}/production/audit`);
      await page.locator('.audit-entry summary', { hasText: 'flag.killed' }).first().click();
      await whole('audit-log');
      await page.goto(`/${PROJECT}/production/access`);
      await page.getByLabel('Name').fill('pagerduty');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.locator('[data-secret]').waitFor();
      await whole('tokens');
      await page.goto(`/${PROJECT}/production/users`);
      await page.getByRole('heading', { name: 'Users & roles' }).waitFor();
      await h.screenshot('users');
    },
  },
  {
    name: 'signs in with email and password and lands on the flags list',
    run: async ({ page }) => {
      await page.goto('/');
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      await page.getByLabel('Password').fill('e2e-admin-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Flags', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Validate data before load' }).waitFor();
      assert.match(page.url(), /\/demo\/production\/flags$/);
      // The environment switcher is always there and changes the page's environment.
      await page.getByLabel('Environment', { exact: true }).selectOption('staging');
      await page.waitForURL(/\/demo\/staging\/flags/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    },
  },
  {
    name: 'creates a flag, with the API validation message next to the key field',
    run: async (h) => {
      const { page, api } = h;
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/development/flags`);
      await page.getByRole('button', { name: '+ New flag' }).click();
      const dialog = page.getByRole('dialog', { name: 'New flag' });
      await dialog.getByLabel('Key').fill('Bad Key');
      await dialog.getByLabel('Name').fill('Bad');
      await dialog.getByRole('button', { name: 'Create flag' }).click();
      await dialog.locator('[data-field="key"]').waitFor();
      assert.equal(await dialog.getByLabel('Key').getAttribute('aria-invalid'), 'true');
      await dialog.getByLabel('Key').fill('etl.e2e-created');
      await dialog.getByLabel('Name').fill('Created in the browser');
      await dialog.getByLabel('Tags (comma-separated)').fill('etl, e2e');
      await dialog.getByRole('button', { name: 'Create flag' }).click();
      await page.getByRole('heading', { name: 'Created in the browser' }).waitFor();
      assert.match(page.url(), /\/flags\/etl\.e2e-created$/);
      const flag = await api('GET', `/projects/${PROJECT}/flags/etl.e2e-created`);
      assert.deepEqual(flag.tags, ['etl', 'e2e']);
    },
  },
  {
    name: 'adds a rule that serves on to a segment',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.rule-with-segment');
      await signInAsAdmin(h);
      await page.goto(flagUrl('development', key));
      await page.getByRole('button', { name: '+ Add rule' }).click();
      await page.getByLabel('Rule 1 description').fill('beta testers first');
      await page.getByLabel('Rule 1 condition 1 kind').selectOption('segment');
      await page.getByRole('checkbox', { name: /Beta testers/ }).check();
      await page.getByLabel('Rule 1: variant').selectOption('on');
      await page.getByRole('button', { name: 'Save to Development' }).click();
      await page.getByText(/Saved as version \d+/).waitFor();
      const saved = await config(api, key, 'development');
      assert.deepEqual(saved.rules[0].clauses, [{ op: 'segment', segments: ['beta-testers'] }]);
      assert.deepEqual(saved.rules[0].serve, { variant: 'on' });
      assert.equal(saved.rules[0].description, 'beta testers first');
    },
  },
  {
    name: 'sets a 20% rollout on the default rule and shows it as a bar',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.twenty-percent');
      await signInAsAdmin(h);
      await page.goto(flagUrl('staging', key));
      const defaultRule = page.getByRole('region', { name: 'Default rule' });
      await defaultRule.getByLabel('A percentage rollout').check();
      await defaultRule.getByLabel('Default rule: on %').fill('20');
      assert.equal(await defaultRule.getByLabel('Default rule: off %').inputValue(), '80');
      await defaultRule.getByRole('img', { name: 'Rollout: on 20%, off 80%' }).waitFor();
      await defaultRule.getByLabel('Default rule: bucket by attribute').fill('runId');
      await page.getByRole('button', { name: 'Save to Staging' }).click();
      await page.getByText(/Saved as version \d+/).waitFor();
      const saved = await config(api, key, 'staging');
      assert.deepEqual(saved.defaultRule, {
        rollout: {
          bucketBy: 'runId',
          variants: [
            { variant: 'on', weight: 20000 },
            { variant: 'off', weight: 80000 },
          ],
        },
      });
    },
  },
  {
    name: 'kills a flag with a reason, then restores it',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.kill-and-restore');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      await page.getByRole('button', { name: 'Kill switch' }).click();
      const dialog = page.getByRole('dialog', { name: `Kill ${key}` });
      await dialog.getByRole('button', { name: 'Kill now' }).click();
      await dialog.getByText('Give a reason').waitFor();
      assert.equal((await config(api, key, 'production')).killed, false, 'no reason, no kill');
      await dialog.getByLabel('Reason').fill('INC-9001: writes duplicate rows');
      await dialog.getByRole('button', { name: 'Kill now' }).click();
      await page.getByRole('heading', { name: 'Killed in Production' }).waitFor();
      await page.getByText('“INC-9001: writes duplicate rows”').waitFor();
      const killed = await config(api, key, 'production');
      assert.equal(killed.killed, true);
      assert.equal(killed.kill.reason, 'INC-9001: writes duplicate rows');
      await page.getByRole('button', { name: 'Restore' }).click();
      const restore = page.getByRole('dialog', { name: `Restore ${key}` });
      // Production asks for a reason for every change.
      await restore.getByLabel('Reason').fill('fix deployed');
      await restore.getByRole('button', { name: 'Restore now' }).click();
      await page.getByRole('heading', { name: 'Kill switch' }).waitFor();
      assert.equal((await config(api, key, 'production')).killed, false);
    },
  },
  {
    name: 'shows a change made through the API without reloading',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.live-update');
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/production/flags?q=live-update`);
      const row = page.getByRole('row', { name: /E2E e2e\.live-update/ });
      await row.locator('.badge', { hasText: /^off$/ }).waitFor();
      const navigations = [];
      page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
      const current = await config(api, key, 'production');
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/production`, { version: current.version, on: true, reason: 'turned on by the API' });
      await row.locator('.badge', { hasText: /^on$/ }).waitFor({ timeout: 8000 });
      await api('POST', `/projects/${PROJECT}/flags/${key}/environments/production/kill`, { reason: 'killed by the API' });
      await row.locator('.badge', { hasText: /^killed$/ }).waitFor({ timeout: 8000 });
      // And on the flag page.
      await row.getByRole('link').click();
      await page.getByRole('heading', { name: 'Killed in Production' }).waitFor();
      await api('POST', `/projects/${PROJECT}/flags/${key}/environments/production/restore`, { reason: 'restored by the API' });
      await page.getByRole('heading', { name: 'Kill switch' }).waitFor({ timeout: 8000 });
      assert.equal(navigations.filter((url) => !url.includes('/flags/')).length, 0, `no reload: ${navigations.join(', ')}`);
    },
  },
  {
    name: 'a version conflict shows both changes and reapplies mine on top',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.conflict');
      await signInAsAdmin(h);
      await page.goto(flagUrl('development', key));
      await page.getByRole('button', { name: '+ Add rule' }).click();
      await page.getByLabel('Rule 1 condition 1 attribute').fill('pipeline');
      await page.getByLabel('Rule 1 condition 1 values').fill('nightly');
      // Meanwhile someone else changes the off variant.
      const current = await config(api, key, 'development');
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/development`, { version: current.version, offVariant: 'on', reason: 'someone else' });
      await page.getByRole('button', { name: 'Save to Development' }).click();
      const conflict = page.getByRole('alert', { name: 'Version conflict' });
      await conflict
        .getByRole('table', { name: /Their changes/ })
        .getByText('offVariant')
        .waitFor();
      await conflict.getByRole('table', { name: 'Your changes' }).getByText('rules[0]', { exact: true }).waitFor();
      await conflict.getByRole('button', { name: 'Reapply my changes on top' }).click();
      await page.getByRole('button', { name: 'Save to Development' }).click();
      await page.getByText(/Saved as version \d+/).waitFor();
      const saved = await config(api, key, 'development');
      assert.equal(saved.offVariant, 'on', 'their change is kept');
      assert.deepEqual(saved.rules[0].clauses[0], { attribute: 'pipeline', op: 'in', values: ['nightly'] });
    },
  },
  {
    name: 'shows the server validation message next to the clause it names',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.server-validation');
      await signInAsAdmin(h);
      await page.goto(flagUrl('development', key));
      await page.getByRole('button', { name: '+ Add rule' }).click();
      await page.getByLabel('Rule 1 condition 1 attribute').fill('version');
      await page.getByLabel('Rule 1 condition 1 operator').selectOption('semverGt');
      await page.getByLabel('Rule 1 condition 1 values').fill('not-a-version');
      await page.getByRole('button', { name: 'Save to Development' }).click();
      const message = page.locator('[data-field^="rules[0].clauses[0]"]');
      await message.first().waitFor();
      assert.equal(await page.getByLabel('Rule 1 condition 1 values').getAttribute('aria-invalid'), 'true');
    },
  },
  {
    name: 'explains which step decided for a tested context',
    run: async (h) => {
      const { page } = h;
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', 'model.sentiment', 'test'));
      await page.getByLabel(/Context \(JSON\)/).fill('{"targetingKey": "run-7", "email": "kim@example.com"}');
      await page.getByRole('button', { name: 'Evaluate' }).click();
      const explanation = page.getByRole('region', { name: 'Explanation' });
      await explanation.getByText(/condition 1 failed: in segment beta-testers/).waitFor();
      await explanation.getByText('Default rule').waitFor();
      await page.getByLabel(/Context \(JSON\)/).fill('{"targetingKey": "run-7", "email": "kim@beta.example.com"}');
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await explanation.getByText(/every condition matched: serves v3/).waitFor();
    },
  },
  {
    name: 'a viewer sees no edit controls and cannot change anything',
    run: async (h) => {
      const { page, api } = h;
      const { password } = await api('POST', '/users', { email: 'viewer@e2e.test', name: 'Vic Viewer', role: 'viewer' });
      await h.loginAs('viewer@e2e.test', password);
      await page.goto(`/${PROJECT}/production/flags`);
      await page.getByRole('link', { name: 'Validate data before load' }).waitFor();
      assert.equal(await page.getByRole('button', { name: '+ New flag' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: /API tokens/ }).count(), 0);
      await page.goto(flagUrl('production', 'model.sentiment'));
      await page.getByRole('heading', { name: 'Kill switch' }).waitFor();
      await page.getByText('beta testers try v3').waitFor();
      for (const name of [/Kill switch/, 'Restore', '+ Add rule', /^Save/]) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
      }
      assert.equal(await page.locator('main input, main select, main textarea').count(), 0, 'no inputs on the targeting tab');
      assert.equal(await page.getByRole('button', { name: 'Archive', exact: true }).count(), 0, 'no Archive button');
      assert.equal(await page.getByRole('button', { name: /^New (project|environment)$/ }).count(), 0, 'no way to create projects or environments');
      await page.getByRole('tab', { name: 'Details & variants' }).click();
      await page.getByRole('table', { name: 'Variants of model.sentiment' }).waitFor();
      assert.equal(await page.locator('main input, main select, main textarea').count(), 0, 'no inputs on the details tab');
      await page.getByRole('tab', { name: 'Evaluations' }).waitFor();
      assert.equal(await page.getByRole('tab', { name: 'Triggers' }).count(), 0, 'no Triggers tab');
      assert.equal(await page.getByRole('link', { name: 'Webhooks' }).count(), 0, 'no Webhooks page');
      await page.goto(`/${PROJECT}/production/segments`);
      await page.getByRole('cell', { name: /Beta testers/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
      // And the server refuses the viewer's session too.
      const status = await page.evaluate(async () => {
        const res = await fetch('/api/v1/projects/demo/flags/model.sentiment/environments/production/kill', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'viewer tries' }),
        });
        return res.status;
      });
      assert.equal(status, 403);
      assert.equal((await config(api, 'model.sentiment', 'production')).killed, false);
    },
  },
  {
    name: 'creates a trigger URL, shows it once, and a POST to it kills the flag',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.trigger');
      await signInAsAdmin(h);
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(flagUrl('staging', key, 'triggers'));
      await page.getByRole('heading', { name: 'Trigger URLs in Staging' }).waitFor();
      await page.getByText(`No trigger URLs for ${key} in Staging.`).waitFor();
      await page.getByRole('button', { name: 'Create trigger URL' }).click();
      await page.getByText('name the trigger after what calls it').waitFor();
      await page.getByLabel('Name').fill('pagerduty');
      await page.getByRole('button', { name: 'Create trigger URL' }).click();
      const shown = page.getByLabel('Trigger URL for pagerduty');
      const url = await shown.textContent();
      assert.match(url, /\/api\/v1\/triggers\/\S+$/);
      const row = page.getByRole('row', { name: /pagerduty/ });
      await row.getByText('enabled').waitFor();
      assert.ok(!(await row.textContent()).includes(url.split('/').pop()), 'the list shows only a prefix');
      // Fire it as an alerting tool would: the flag is killed in Staging.
      const fired = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'alert fired' }) });
      assert.equal(fired.status, 200);
      assert.equal((await config(api, key, 'staging')).killed, true);
      // Shown once: gone after a reload.
      await page.reload();
      await row.getByText(/killed/).waitFor();
      assert.equal(await page.getByLabel('Trigger URL for pagerduty').count(), 0);
      // Rotating shows a new URL once; the old one stops working.
      await page.getByRole('button', { name: 'Rotate URL of pagerduty' }).click();
      const rotated = await page.getByLabel('New trigger URL for pagerduty').textContent();
      assert.notEqual(rotated, url);
      assert.equal((await fetch(url, { method: 'POST' })).status, 404);
      await page.getByRole('button', { name: 'Disable pagerduty' }).click();
      await row.getByText('disabled').waitFor();
      await page.getByRole('button', { name: 'Delete pagerduty' }).click();
      await page.getByText(`No trigger URLs for ${key} in Staging.`).waitFor();
    },
  },
  {
    name: 'charts evaluations per variant from SDK telemetry',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.telemetry');
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/development/sdk-key`);
      // Reported after the flag was created: its charts leave out every minute before that.
      const minute = new Date();
      const res = await fetch(`${h.baseUrl}/api/v1/sdk/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          sdk: 'e2e',
          dropped: 0,
          batches: [
            {
              windowStart: minute.toISOString(),
              windowEnd: new Date(minute.getTime() + 1).toISOString(),
              series: [],
              evaluations: [
                { flag: key, variant: 'on', reason: 'FALLTHROUGH', count: 7 },
                { flag: key, variant: 'off', reason: 'OFF', count: 3 },
              ],
            },
          ],
        }),
      });
      assert.equal(res.status, 202);
      await signInAsAdmin(h);
      await page.goto(flagUrl('development', key, 'evaluations'));
      await page.getByText('10 evaluations: on 7, off 3').waitFor();
      await page.getByRole('img', { name: 'Stacked chart of evaluations per variant, 10 in total' }).waitFor();
      await page.getByRole('button', { name: 'Last 24 h' }).click();
      await page.getByText('10 evaluations: on 7, off 3').waitFor();
      // Another environment has none.
      await page.goto(flagUrl('staging', key, 'evaluations'));
      await page.getByText('No evaluations in Staging in the last hour.').waitFor();
      // The flags list draws a sparkline for it.
      await page.goto(`/${PROJECT}/development/flags?q=e2e.telemetry`);
      await page.getByRole('img', { name: `${key} in the last 24 h: 10 evaluations` }).waitFor();
    },
  },
  {
    name: 'an admin creates a webhook, sees its secret once, sends a test and disables it',
    run: async (h) => {
      const { page } = h;
      await signInAsAdmin(h);
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`/${PROJECT}/production/flags`);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
      await page.getByLabel('Name').fill('e2e-receiver');
      await page.getByLabel('URL').fill('not a url');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await page.getByText('an http(s) URL').waitFor();
      // The server allows only loopback (SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST=127.0.0.1): a private address is refused, next to the field.
      await page.getByLabel('URL').fill('http://10.1.2.3/hook');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await page.getByText(/10\.1\.2\.3 is a private address; webhooks go to public addresses unless SIGNALBOX_WEBHOOK_PRIVATE_ALLOWLIST allows it/).waitFor();
      await page.getByLabel('URL').fill('http://127.0.0.1:9/hook');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      assert.match(await page.getByLabel('Signing secret of e2e-receiver').textContent(), /\S{16,}/);
      const row = page.getByRole('row', { name: /e2e-receiver/ });
      await row.getByText('enabled').waitFor();
      await page.getByRole('button', { name: 'Send a test to e2e-receiver' }).click();
      await page.getByText(/Test delivery to e2e-receiver/).waitFor();
      await page.getByRole('button', { name: 'Deliveries of e2e-receiver' }).click();
      await page.getByRole('table', { name: 'Recent deliveries to e2e-receiver' }).getByText('webhook.test').waitFor();
      await page.getByRole('button', { name: 'Disable e2e-receiver' }).click();
      await row.getByText('disabled').waitFor();
      await page.getByRole('button', { name: 'Delete e2e-receiver' }).click();
      await page.getByText('No webhooks yet.').waitFor();
    },
  },
  {
    name: 'shows why a flag is stale on its page and in the stale list',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.stale');
      const flag = await api('GET', `/projects/${PROJECT}/flags/${key}`);
      await api('PATCH', `/projects/${PROJECT}/flags/${key}`, { version: flag.version, expiresAt: '2025-01-01T00:00:00.000Z' });
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      const panel = page.getByRole('region', { name: /ready to clean up/ });
      await panel.getByText('Expired', { exact: true }).waitFor();
      await page.goto(`/${PROJECT}/production/flags?status=stale&q=e2e.stale`);
      await page
        .getByRole('list', { name: `Why ${key} is stale` })
        .getByText('expired')
        .waitFor();
    },
  },
  {
    name: "read an experiment's results",
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const flag = await newSplitFlag(api, 'e2e.checkout-model', env);
      await api('POST', `/projects/${PROJECT}/experiments`, {
        key: 'e2e-checkout-v2',
        name: 'Checkout model v2 vs v1',
        flag,
        environment: env,
        controlVariant: 'v1',
        treatmentVariants: ['v2'],
        primaryMetric: { name: 'converted', type: 'rate' },
        minimumDetectableEffect: 0.06,
        baselineRate: 0.1,
      });
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await simulateConversions(h.baseUrl, sdkKey, flag, 2400, { v1: 0.1, v2: 0.2 });
      const results = await api('GET', `/projects/${PROJECT}/experiments/e2e-checkout-v2/results`);
      assert.equal(results.recommendation, 'promote', JSON.stringify(results.treatments));

      await signInAsAdmin(h);
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`/${PROJECT}/${env}/flags`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
      const row = page.getByRole('row', { name: /Checkout model v2 vs v1/ });
      await row.getByText('Promote: v2').waitFor();
      // The form shows the API's validation message next to the field it names.
      await page.getByRole('button', { name: '+ New experiment' }).click();
      const form = page.getByRole('form', { name: 'New experiment' });
      await form.getByLabel('Key').fill('e2e-bad-alpha');
      await form.getByLabel('Flag').selectOption(flag);
      await form.getByLabel('Primary metric').fill('converted');
      await form.getByLabel('Alpha').fill('2');
      await form.getByLabel(/Minimum detectable effect/).fill('0.05');
      await form.getByRole('button', { name: 'Start experiment' }).click();
      await form.locator('[data-field="alpha"]').waitFor();
      assert.equal(await form.getByLabel('Alpha').getAttribute('aria-invalid'), 'true');
      await h.screenshot('experiments', { fullPage: true });
      await form.getByRole('button', { name: 'Cancel' }).click();
      await row.getByRole('link', { name: 'Checkout model v2 vs v1' }).click();
      await page.getByRole('heading', { name: 'Checkout model v2 vs v1' }).waitFor();
      const recommendation = page.getByRole('region', { name: 'Recommendation' });
      await recommendation.getByText('Promote: v2').waitFor();
      assert.equal(await page.getByTestId('p-value').textContent(), 'p < 0.001');
      await page.getByRole('img', { name: /converted per variant with 95% confidence intervals: v1 / }).waitFor();
      assert.equal(await page.getByRole('alert', { name: 'Sample ratio mismatch' }).count(), 0);
      await h.screenshot('experiment', { fullPage: true });

      await page.getByRole('button', { name: 'Promote', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: /Promote a variant/ });
      await dialog.getByLabel('Reason (optional)').fill('v2 converts better');
      await dialog.getByRole('button', { name: 'Promote v2' }).click();
      await page.getByText(/Closed .*: promoted v2/).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Rollback' }).count(), 0);
      const served = await config(api, flag, env);
      assert.deepEqual(served.defaultRule, { variant: 'v2' });
    },
  },
  {
    name: 'runs a rollout plan: stages, guards, pause, resume and abort',
    run: async (h) => {
      const { page, api } = h;
      const env = 'staging';
      const key = await newFlag(api, 'e2e.rollout');
      const current = await config(api, key, env);
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/${env}`, {
        version: current.version,
        on: true,
        defaultRule: { variant: 'off' },
        reason: 'serve off before the rollout',
      });
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      await routeRuns(h.baseUrl, sdkKey, key, 80);
      await signInAsAdmin(h);
      await page.goto(flagUrl(env, key, 'rollout'));
      await page.getByText(`No rollout plans for ${key} in Staging.`).waitFor();
      // Its own stages: the server's defaults, keeping only 1% and 100%.
      await page.getByRole('checkbox', { name: 'Customize stages and guards' }).check();
      await page.getByRole('table', { name: 'Stages' }).waitFor();
      for (const stage of [5, 4, 3, 2]) await page.getByRole('button', { name: `Remove stage ${stage}` }).click();
      await page.getByLabel('Stage 1 minutes').fill('45');
      await page.getByRole('button', { name: 'Start rollout plan' }).click();
      const plan = page.getByRole('region', { name: /Rollout of on/ });
      await plan.locator('.badge', { hasText: 'running' }).waitFor();
      await plan.getByText(/Serving 1% of traffic on, stage 1 of 2/).waitFor();
      const [created] = await api('GET', `/projects/${PROJECT}/flags/${key}/environments/${env}/rollout-plans`);
      assert.deepEqual(
        created.stages.map((s) => [s.percent, s.minDurationMinutes]),
        [
          [1, 45],
          [100, 0],
        ],
      );
      await plan.getByRole('table', { name: 'Guard metrics' }).getByText('Error rate').waitFor();
      await plan.getByRole('list', { name: 'Decision timeline' }).getByText('started').waitFor();
      await h.screenshot('rollout-plan', { fullPage: true });

      await plan.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('dialog').getByLabel('Reason (optional)').fill('weekend freeze');
      await page.getByRole('button', { name: 'Pause now' }).click();
      await plan.locator('.badge', { hasText: 'paused' }).waitFor();
      await plan
        .getByRole('list', { name: 'Decision timeline' })
        .getByText(/weekend freeze/)
        .waitFor();
      await plan.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('button', { name: 'Resume now' }).click();
      await plan.locator('.badge', { hasText: 'running' }).waitFor();
      await plan.getByRole('button', { name: 'Abort' }).click();
      await page.getByRole('button', { name: 'Abort now' }).click();
      await plan.locator('.badge', { hasText: 'aborted' }).waitFor();
      assert.equal(await plan.getByRole('button', { name: 'Pause' }).count(), 0);
      assert.deepEqual((await config(api, key, env)).defaultRule, { variant: 'off' });
    },
  },
  {
    name: 'shows the shadow report of a boolean flag with disagreement examples',
    run: async (h) => {
      const { page, api } = h;
      const env = 'development';
      const key = await newFlag(api, 'e2e.shadow');
      const current = await config(api, key, env);
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/${env}`, { version: current.version, on: true, reason: 'shadow the candidate' });
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/${env}/sdk-key`);
      const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };
      const flags = createFlags({ url: h.baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
      try {
        assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
        await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            flags.shadow(
              key,
              { targetingKey: `doc-${i}` },
              { primary: async (doc) => `label-${doc}`, candidate: async (doc) => (doc % 10 === 0 ? `other-${doc}` : `label-${doc}`) },
              i,
            ),
          ),
        );
        await flags.flush();
      } finally {
        await flags.close();
      }
      await signInAsAdmin(h);
      // The flag has shadow samples here, so its page offers the tab.
      await page.goto(flagUrl(env, key));
      await page.getByRole('tab', { name: 'Shadow report' }).click();
      await page.getByRole('heading', { name: 'Shadow report in Development' }).waitFor();
      await page.getByText('Collect more samples').waitFor();
      await page.getByLabel('Agreement').getByText('90.00%').waitFor();
      await page.getByRole('table', { name: 'Disagreement examples' }).getByText('"other-190"').waitFor();
      await h.screenshot('shadow-report', { fullPage: true });
      // A string flag has no shadow tab.
      await page.goto(flagUrl(env, 'model.sentiment'));
      await page.getByRole('tab', { name: 'Targeting' }).waitFor();
      assert.equal(await page.getByRole('tab', { name: 'Shadow report' }).count(), 0);
      // Nor has a boolean flag no SDK shadowed, unless a link names the tab: then it explains how to send comparisons.
      const unshadowed = await newFlag(api, 'e2e.not-shadowed');
      const answered = page.waitForResponse((res) => res.url().includes(`/flags/${unshadowed}/environments/${env}/shadow-report`));
      await page.goto(flagUrl(env, unshadowed));
      assert.equal((await (await answered).json()).samples, 0);
      await page.getByRole('tab', { name: 'Targeting' }).waitFor();
      assert.equal(await page.getByRole('tab', { name: 'Shadow report' }).count(), 0);
      await page.goto(flagUrl(env, unshadowed, 'shadow'));
      await page.getByText(`No shadowed calls of ${unshadowed} in Development in this range.`).waitFor();
      assert.equal(await page.getByRole('tab', { name: 'Shadow report' }).getAttribute('aria-selected'), 'true');
    },
  },
  {
    name: 'archives a flag, unarchives it, archives it again and deletes it for good',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.archive-and-delete');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      const banner = page.getByRole('status', { name: 'Archived' });
      const archive = async (reason) => {
        await page.getByRole('button', { name: 'Archive', exact: true }).click();
        const dialog = page.getByRole('dialog', { name: `Archive ${key}` });
        await dialog.getByLabel('Reason (optional)').fill(reason);
        await dialog.getByRole('button', { name: 'Archive flag' }).click();
        await banner.waitFor();
        assert.equal((await flagOf(api, key)).archived, true);
      };
      await archive('replaced by the v2 loader');
      assert.equal(await page.getByRole('region', { name: 'Kill switch' }).count(), 0, 'an archived flag has nothing to kill');
      await wholePage(h, 'flag-archived');

      await banner.getByRole('button', { name: 'Unarchive' }).click();
      await page
        .getByRole('dialog', { name: `Unarchive ${key}` })
        .getByRole('button', { name: 'Unarchive flag' })
        .click();
      await page.getByRole('heading', { name: 'Kill switch' }).waitFor();
      assert.equal((await flagOf(api, key)).archived, false);

      await archive('for good this time');
      // The list leaves archived flags out unless asked for them.
      await page.goto(`/${PROJECT}/production/flags?q=archive-and-delete`);
      await page.getByText('No flags match these filters.').waitFor();
      // A click, not check(): the box follows the URL, which the router updates in a transition.
      await page.getByRole('checkbox', { name: 'Show archived' }).click();
      const row = page.getByRole('row', { name: new RegExp(`E2E ${key}`) });
      await row.getByText('archived', { exact: true }).waitFor();
      await row.getByRole('link').click();

      await banner.getByRole('button', { name: 'Delete for good' }).click();
      const dialog = page.getByRole('dialog', { name: `Delete ${key}` });
      assert.equal(await dialog.getByRole('button', { name: 'Delete for good' }).isDisabled(), true, 'not before the key is typed');
      await dialog.getByLabel(`Type ${key} to confirm`).fill(key);
      await dialog.getByLabel('Reason (optional)').fill('code path removed');
      await dialog.getByRole('button', { name: 'Delete for good' }).click();
      await page.waitForURL((url) => url.pathname === `/${PROJECT}/production/flags`);
      await page.getByRole('heading', { name: 'Flags', exact: true }).waitFor();
      await assert.rejects(flagOf(api, key), /→ 404/);
      const audit = await api('GET', `/audit?project=${PROJECT}&flag=${key}`);
      const actions = audit.items.map((entry) => `${entry.action}${entry.reason ? `: ${entry.reason}` : ''}`);
      for (const expected of [
        'flag.archived: replaced by the v2 loader',
        'flag.unarchived',
        'flag.archived: for good this time',
        'flag.deleted: code path removed',
      ]) {
        assert.ok(actions.includes(expected), `audit has "${expected}": ${actions.join(' | ')}`);
      }
    },
  },
  {
    name: "edits a flag's details and variants, with the API's messages next to the fields",
    run: async (h) => {
      const { page, api } = h;
      const key = 'e2e.edit-variants';
      await api('POST', `/projects/${PROJECT}/flags`, {
        key,
        name: `E2E ${key}`,
        kind: 'json',
        owner: 'e2e',
        tags: ['e2e'],
        variants: [
          { key: 'small', value: { model: 's' } },
          { key: 'large', value: { model: 'l' } },
        ],
      });
      await signInAsAdmin(h);
      await page.goto(flagUrl('development', key, 'details'));
      const form = page.getByRole('form', { name: 'Flag details' });
      await form.getByLabel('Name', { exact: true }).fill('Summariser model');
      await form.getByLabel('Owner').fill('ml-platform');
      await form.getByLabel('Tags (comma-separated)').fill('e2e, models');
      // The console checks JSON before sending it.
      await form.getByLabel('Variant 2 value').fill('{"model": "l", "temperature": 0.2');
      await form.getByRole('button', { name: 'Save details' }).click();
      await form
        .locator('[data-field="variants[1].value"]')
        .getByText(/not valid JSON/)
        .waitFor();
      assert.equal((await flagOf(api, key)).version, 1, 'nothing sent');
      await form.getByLabel('Variant 2 value').fill('{"model": "l", "temperature": 0.2}');
      await form.getByRole('button', { name: '+ Variant' }).click();
      await form.getByLabel('Variant 3 key').fill('xl');
      await form.getByLabel('Variant 3 value').fill('{"model": "xl"}');
      await form.getByLabel('Variant 3 name').fill('Extra large');
      await form.getByRole('button', { name: 'Save details' }).click();
      await form.getByText(/Saved as version \d+/).waitFor();
      await page.getByRole('heading', { name: 'Summariser model' }).waitFor();
      const saved = await flagOf(api, key);
      assert.equal(saved.owner, 'ml-platform');
      assert.deepEqual(saved.tags, ['e2e', 'models']);
      assert.deepEqual(saved.variants, [
        { key: 'small', value: { model: 's' } },
        { key: 'large', value: { model: 'l', temperature: 0.2 } },
        { key: 'xl', value: { model: 'xl' }, name: 'Extra large' },
      ]);
      await wholePage(h, 'flag-details');

      // The server refuses to remove a variant the flag still serves, and says so next to the variants.
      await form.getByRole('button', { name: 'Remove variant 1' }).click();
      await form.getByRole('button', { name: 'Save details' }).click();
      await form
        .locator('[data-field="variants"]')
        .getByText(/variant 'small'/)
        .first()
        .waitFor();
      assert.equal((await flagOf(api, key)).variants.length, 3);
      await form.getByRole('button', { name: 'Discard' }).click();
      assert.equal(await form.getByLabel('Variant 1 key').inputValue(), 'small');
    },
  },
  {
    name: 'an admin creates a project and an environment from the switchers, and lands in each',
    run: async (h) => {
      const { page, api } = h;
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/production/flags`);
      await page.getByRole('button', { name: 'New project' }).click();
      const projectDialog = page.getByRole('dialog', { name: 'New project' });
      await projectDialog.getByLabel('Key').fill('e2e-models');
      await projectDialog.getByLabel('Name').fill('E2E models');
      await projectDialog.getByRole('button', { name: 'Create project' }).click();
      await page.waitForURL((url) => url.pathname === '/e2e-models/production/flags');
      await page.getByRole('dialog', { name: 'Created E2E models' }).getByLabel('SDK key of Production').waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByText('No flags yet.').waitFor();
      assert.equal(await page.getByLabel('Project', { exact: true }).inputValue(), 'e2e-models');

      await page.getByRole('button', { name: 'New environment' }).click();
      const dialog = page.getByRole('dialog', { name: 'New environment in E2E models' });
      await dialog.getByLabel('Key').fill('Staging EU');
      await dialog.getByRole('button', { name: 'Create environment' }).click();
      await dialog.locator('[data-field="key"]').waitFor();
      await dialog.getByLabel('Key').fill('staging-eu');
      await dialog.getByLabel('Name').fill('Staging EU');
      await dialog.getByRole('checkbox', { name: 'Every change here must give a reason' }).check();
      await h.screenshot('create-environment');
      await dialog.getByRole('button', { name: 'Create environment' }).click();
      await page.waitForURL((url) => url.pathname === '/e2e-models/staging-eu/flags');
      const sdkKey = await page.getByLabel('SDK key of Staging EU').textContent();
      await h.screenshot('environment-created');
      await page.getByRole('button', { name: 'Done' }).click();
      assert.equal(await page.getByLabel('Environment', { exact: true }).inputValue(), 'staging-eu');
      const project = await api('GET', '/projects/e2e-models');
      assert.deepEqual(
        project.environments.map((e) => [e.key, e.requireChangeReason]),
        [
          ['development', false],
          ['production', true],
          ['staging-eu', true],
        ],
      );
      // The key shown once is the environment's real SDK key.
      const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, info: () => undefined };
      const flags = createFlags({ url: h.baseUrl, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
      try {
        assert.equal(await flags.waitForReady({ timeoutMs: 5000 }), 'ready');
      } finally {
        await flags.close();
      }
    },
  },
  {
    name: 'works at 800 pixels wide',
    viewport: { width: 800, height: 900 },
    run: async (h) => {
      const { page } = h;
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', 'model.sentiment'));
      await page.getByRole('button', { name: 'Kill switch' }).waitFor();
      await page.getByLabel('Environment', { exact: true }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
      await h.screenshot('flag-page-800px', { fullPage: false });
      await page.getByRole('tab', { name: 'Details & variants' }).click();
      await page.getByRole('form', { name: 'Flag details' }).getByLabel('Variant 1 value').waitFor();
      const detailsOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(detailsOverflow <= 0, `details tab: no horizontal scrolling (overflow ${detailsOverflow}px)`);
      await h.screenshot('flag-details-800px', { fullPage: true });

      // Every tab can be reached at this width: in view once scrolled to, not covered, and it opens its panel.
      // A boolean flag has all nine; its shadow tab shows without shadow samples only when the URL names it.
      const withShadow = flagUrl('production', await newFlag(h.api, 'e2e.narrow-tabs'), 'shadow');
      await page.goto(withShadow);
      const tablist = page.getByRole('tablist', { name: 'Flag sections' });
      await tablist.getByRole('tab', { name: 'Shadow report' }).waitFor();
      const labels = await tablist.getByRole('tab').allInnerTexts();
      assert.equal(labels.length, 9, `an admin sees all nine tabs (${labels.join(', ')})`);
      for (const label of labels) {
        const tab = tablist.getByRole('tab', { name: label, exact: true });
        if ((await tab.count()) === 0) {
          await page.goto(withShadow);
          await tab.waitFor();
        }
        await tab.scrollIntoViewIfNeeded();
        const box = await tab.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 800, `the ${label} tab lies inside the 800 px viewport (${JSON.stringify(box)})`);
        const onTop = await tab.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
        });
        assert.ok(onTop, `nothing covers the ${label} tab`);
        await tab.click();
        await page.waitForFunction(
          (name) => [...document.querySelectorAll('[role="tab"]')].some((t) => t.textContent === name && t.getAttribute('aria-selected') === 'true'),
          label,
        );
        const id = await tab.getAttribute('id');
        await page.locator(`[role="tabpanel"][aria-labelledby="${id}"]`).waitFor();
        const tabOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(tabOverflow <= 0, `${label} tab: no horizontal scrolling (overflow ${tabOverflow}px)`);
      }

      await page.goto(`/${PROJECT}/production/flags`);
      await page.getByRole('link', { name: 'Validate data before load' }).waitFor();
      const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(listOverflow <= 0, `flags list: no horizontal scrolling (overflow ${listOverflow}px)`);
    },
  },
];
