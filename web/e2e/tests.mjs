// The scenarios. Each gets a fresh browser context (no cookies) and the harness from run.mjs.
import assert from 'node:assert/strict';

const PROJECT = 'demo';
const ADMIN_EMAIL = 'admin@signalbox.local';

const flagUrl = (env, key, tab) => `/${PROJECT}/${env}/flags/${key}${tab ? `?tab=${tab}` : ''}`;

/** A fresh boolean flag per test keeps the tests independent of each other and of their order. */
const newFlag = async (api, key, tags = ['e2e']) => {
  await api('POST', `/projects/${PROJECT}/flags`, { key, name: `E2E ${key}`, kind: 'boolean', owner: 'e2e', tags });
  return key;
};

const config = (api, key, env) => api('GET', `/projects/${PROJECT}/flags/${key}/environments/${env}`);

const signInAsAdmin = async (h) => h.loginAs(ADMIN_EMAIL, h.adminPassword);

export const tests = [
  {
    name: 'screenshots of the main pages with the demo data',
    screenshotsOnly: true,
    run: async (h) => {
      const { page } = h;
      // The whole page in one viewport, so sticky bars sit where they belong.
      const whole = async (name) => {
        await page.evaluate(() => window.scrollTo(0, 0));
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 2600) });
        await page.waitForTimeout(150);
        await h.screenshot(name);
        await page.setViewportSize({ width: 1280, height: 900 });
      };
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
        rollout: { bucketBy: 'runId', variants: [{ variant: 'on', weight: 20000 }, { variant: 'off', weight: 80000 }] },
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
      await conflict.getByRole('table', { name: /Their changes/ }).getByText('offVariant').waitFor();
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
      await page.goto(`/${PROJECT}/production/flags`);
      await page.getByRole('link', { name: 'Validate data before load' }).waitFor();
      const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(listOverflow <= 0, `flags list: no horizontal scrolling (overflow ${listOverflow}px)`);
    },
  },
];
