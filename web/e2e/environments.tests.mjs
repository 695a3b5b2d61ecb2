// Comparing a flag across environments, copying one environment's config over another's, and
// evaluating every flag for one context.
import assert from 'node:assert/strict';
import { PROJECT, config, flagUrl, newFlag, signInAsAdmin, wholePage } from './tests.mjs';

const canaryRule = { description: 'canary pipelines', clauses: [{ attribute: 'pipeline', op: 'in', values: ['canary'] }], serve: { variant: 'on' } };

/** A flag on in staging with one rule; production as created (off, version 0). */
const stagedFlag = async (api, key) => {
  await newFlag(api, key);
  await api('PUT', `/projects/${PROJECT}/flags/${key}/environments/staging`, {
    version: 0,
    on: true,
    offVariant: 'off',
    targets: [],
    rules: [canaryRule],
    defaultRule: { variant: 'off' },
    prerequisites: [],
    reason: 'staged',
  });
  return key;
};

const openCopyFromStaging = async (page, key) => {
  await page.goto(flagUrl('production', key, 'environments'));
  await page.getByRole('button', { name: 'Copy to… from Staging' }).click();
  return page.getByRole('dialog', { name: `Copy ${key} between environments` });
};

export const tests = [
  {
    name: 'environments: compare shows what differs, and copy staging→production shows the diff first and writes one version',
    run: async (h) => {
      const { page, api } = h;
      const key = await stagedFlag(api, 'e2e.copy-staging');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key, 'environments'));
      const panel = page.getByRole('region', { name: 'Compare environments' });
      await panel.getByText('The environments differ in: on, rules, default serve.').waitFor();
      const rules = panel.getByRole('row', { name: /^Rules/ });
      assert.deepEqual(await rules.getByRole('cell').allTextContents(), ['0 rules', '1 rule', '0 rules']);
      await rules.getByText('differs').waitFor();
      await wholePage(h, 'compare-environments');

      const dialog = await openCopyFromStaging(page, key);
      await dialog.getByText('The kill switch is not copied:').waitFor();
      const diff = dialog.getByRole('table');
      await diff.getByRole('rowheader', { name: 'rules[0]' }).waitFor();
      await diff.getByRole('rowheader', { name: 'on' }).waitFor();
      await h.screenshot('copy-config');
      // Reviewing writes nothing.
      assert.equal((await config(api, key, 'production')).version, 0);

      await dialog.getByLabel('Reason (required in Production)').fill('promote the canary rule');
      await dialog.getByRole('button', { name: 'Copy to Production' }).click();
      await page.getByText("Copied Staging's config to Production (now version 1).").waitFor();
      const production = await config(api, key, 'production');
      const staging = await config(api, key, 'staging');
      assert.equal(production.version, 1);
      assert.equal(production.on, true);
      assert.deepEqual(production.rules, staging.rules);
      assert.deepEqual(production.defaultRule, staging.defaultRule);
      const history = await api('GET', `/audit?project=${PROJECT}&flag=${key}&environment=production`);
      const entries = history.items.filter((e) => e.action === 'flag.config.updated');
      assert.equal(entries.length, 1, 'one versioned write');
      assert.equal(entries[0].reason, 'promote the canary rule');
      // The table follows: production now reads as staging does.
      await panel
        .getByRole('row', { name: /^Version/ })
        .getByRole('cell', { name: 'v1' })
        .nth(1)
        .waitFor();
      assert.deepEqual(await rules.getByRole('cell').allTextContents(), ['0 rules', '1 rule', '1 rule']);
    },
  },
  {
    name: 'environments: a change to the target while the copy is reviewed gives the conflict view, never an overwrite',
    run: async (h) => {
      const { page, api } = h;
      const key = await stagedFlag(api, 'e2e.copy-conflict');
      await signInAsAdmin(h);
      const dialog = await openCopyFromStaging(page, key);
      await dialog.getByRole('table').getByRole('rowheader', { name: 'rules[0]' }).waitFor();
      // Someone else changes production meanwhile.
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/production`, { version: 0, offVariant: 'on', reason: 'someone else' });

      await dialog.getByLabel('Reason (required in Production)').fill('promote');
      await dialog.getByRole('button', { name: 'Copy to Production' }).click();
      const conflict = dialog.getByRole('alert', { name: 'Version conflict' });
      await conflict.getByText('You started from version 0; it is now at version 1').waitFor();
      const untouched = await config(api, key, 'production');
      assert.equal(untouched.version, 1);
      assert.equal(untouched.offVariant, 'on');
      assert.deepEqual(untouched.rules, []);

      // Review again against version 1, then copy: the write is based on it.
      await conflict.getByRole('button', { name: 'Reapply my changes on top' }).click();
      await dialog.getByText(/What changes in Production \(v1/).waitFor();
      await dialog.getByRole('table').getByRole('rowheader', { name: 'offVariant' }).waitFor();
      await dialog.getByRole('button', { name: 'Copy to Production' }).click();
      await page.getByText(/now version 2/).waitFor();
      const copied = await config(api, key, 'production');
      assert.equal(copied.version, 2);
      assert.equal(copied.offVariant, 'off');
      assert.equal(copied.rules.length, 1);
    },
  },
  {
    name: 'environments: copying a whole environment reviews every flag first, writes them together, and refuses all if one moved',
    run: async (h) => {
      const { page, api } = h;
      // A project of its own: copying the demo's staging over its production would change what other tests see.
      const project = 'e2e-copy-env';
      await api('POST', '/projects', {
        key: project,
        name: 'Copy env',
        environments: [
          { key: 'staging', name: 'Staging' },
          { key: 'production', name: 'Production' },
        ],
      });
      const stage = async (key) => {
        await api('POST', `/projects/${project}/flags`, { key, name: key, kind: 'boolean' });
        await api('PATCH', `/projects/${project}/flags/${key}/environments/staging`, { version: 0, on: true });
      };
      await stage('step.extract');
      await stage('step.load');
      await api('POST', `/projects/${project}/flags`, { key: 'step.same', name: 'step.same', kind: 'boolean' });
      const production = (key) => api('GET', `/projects/${project}/flags/${key}/environments/production`);
      await signInAsAdmin(h);
      await page.goto(`/${project}/production/flags`);
      await page.getByRole('button', { name: 'Copy from environment…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Copy flags into Production' });
      await dialog.getByLabel('Copy from').selectOption({ label: 'Staging' });
      await dialog.getByText('2 flags would change in Production').waitFor();
      const changes = dialog.getByRole('list', { name: 'What changes' });
      assert.deepEqual(await changes.locator('summary code').allTextContents(), ['step.extract', 'step.load']);
      await changes.getByText('step.load', { exact: true }).click();
      await changes.getByRole('table', { name: 'step.load in Production' }).getByRole('rowheader', { name: 'on' }).waitFor();
      await h.screenshot('copy-environment');
      // Reviewing writes nothing; a copy without a reason is refused in the form.
      assert.equal((await production('step.load')).version, 0);
      await dialog.getByRole('button', { name: 'Copy 2 flags to Production' }).click();
      await dialog.getByText('a copy needs a reason').waitFor();

      // Someone edits one of them in production meanwhile: the whole copy is refused.
      await api('PATCH', `/projects/${project}/flags/step.load/environments/production`, { version: 0, offVariant: 'on' });
      await dialog.getByLabel(/^Reason/).fill('promote staging');
      await dialog.getByRole('button', { name: 'Copy 2 flags to Production' }).click();
      await dialog.getByText('Nothing was copied: step.load changed in Production since this review.').waitFor();
      assert.equal((await production('step.extract')).version, 0);
      assert.equal((await production('step.load')).on, false);

      await dialog.getByRole('button', { name: 'Review again' }).click();
      await dialog.getByRole('button', { name: 'Copy 2 flags to Production' }).click();
      await page.getByText('Copied 2 flags into Production in one transaction; each is in the audit log with your reason.').waitFor();
      for (const key of ['step.extract', 'step.load']) assert.equal((await production(key)).on, true, key);
      assert.equal((await production('step.same')).version, 0, 'a flag with nothing to copy is not written');
      const history = await api('GET', `/audit?project=${project}&flag=step.extract&environment=production`);
      assert.equal(history.items.find((e) => e.action === 'flag.config.updated')?.reason, 'promote staging');
    },
  },
  {
    name: "evaluate: the Evaluate page shows every flag's value for a context, filters, and links to the flag",
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.evaluate-me');
      await api('PUT', `/projects/${PROJECT}/flags/${key}/environments/development`, {
        version: 0,
        on: true,
        offVariant: 'off',
        targets: [],
        rules: [{ description: 'enterprise', clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'on' } }],
        defaultRule: { variant: 'off' },
        prerequisites: [],
      });
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/development/flags`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evaluate' }).click();
      await page.getByRole('heading', { name: 'Evaluate' }).waitFor();

      const context = page.getByLabel(/Context \(JSON\)/);
      await context.fill('{"targetingKey": "run-1", "plan": "enterprise"}');
      await page.getByRole('button', { name: 'Evaluate in Development' }).click();
      const results = page.getByRole('region', { name: 'Results' });
      const row = results.getByRole('row', { name: new RegExp(key.replace('.', '\\.')) });
      await row.getByRole('cell', { name: 'TARGETING_MATCH' }).waitFor();
      assert.deepEqual(await row.getByRole('cell').allTextContents(), ['true', 'on', 'TARGETING_MATCHrule 1: enterprise']);
      // The demo's own flags are there too; the filter narrows to one.
      assert.ok((await results.getByRole('row').count()) > 3);
      await wholePage(h, 'evaluate');
      await results.getByRole('searchbox').fill('evaluate-me');
      await results.getByText(/^1 of \d+ flags$/).waitFor();

      await context.fill('{"targetingKey": "run-1", "plan": "free"}');
      await page.getByRole('button', { name: 'Evaluate in Development' }).click();
      await row.getByRole('cell', { name: 'DEFAULT' }).waitFor();
      assert.deepEqual(await row.getByRole('cell').allTextContents(), ['false', 'off', 'DEFAULT']);
      assert.match(page.url(), /context=/);

      await row.getByRole('link', { name: key }).click();
      await page.getByRole('tab', { name: 'Test a context', selected: true }).waitFor();
    },
  },
];
