// The History tab's config versions and "Revert to this version".
import assert from 'node:assert/strict';
import { PROJECT, config, flagUrl, newFlag, signInAsAdmin } from './tests.mjs';

const rule = { clauses: [{ attribute: 'pipeline', op: 'in', values: ['canary'] }], serve: { variant: 'on' } };

export const tests = [
  {
    name: 'versions: History lists config versions; reverting shows the diff, survives a conflict and writes one new version',
    run: async (h) => {
      const { page, api } = h;
      const key = 'e2e.revert';
      await newFlag(api, key);
      const url = `/projects/${PROJECT}/flags/${key}/environments/staging`;
      await api('PATCH', url, { version: 0, on: true, defaultRule: { variant: 'on' }, reason: 'turn on' });
      await api('PATCH', url, { version: 1, rules: [rule], reason: 'canary rule' });
      await api('PATCH', url, { version: 2, defaultRule: { variant: 'off' }, reason: 'only canaries' });

      await signInAsAdmin(h);
      await page.goto(flagUrl('staging', key, 'history'));
      const versions = page.getByRole('region', { name: 'Config versions in staging' });
      await versions.getByRole('listitem', { name: 'Version 3' }).getByText('(current)').waitFor();
      await versions.getByRole('listitem', { name: 'Version 1' }).getByRole('button', { name: 'Revert to this version' }).click();

      const dialog = page.getByRole('dialog', { name: `Revert ${key} in staging to version 1` });
      const diff = dialog.getByRole('table');
      await diff.getByRole('rowheader', { name: 'rules[0]' }).waitFor();
      await diff.getByRole('rowheader', { name: 'defaultRule.variant' }).waitFor();
      await h.screenshot('revert-dialog');
      assert.equal((await config(api, key, 'staging')).version, 3, 'reviewing writes nothing');

      // Someone else saves meanwhile: the revert gets the conflict view, not an overwrite.
      await api('PATCH', url, { version: 3, targets: [{ variant: 'off', values: ['run-9'] }], reason: 'pin run-9' });
      await dialog.getByLabel('Reason').fill('canary rule misrouted batches');
      await dialog.getByRole('button', { name: 'Revert to version 1' }).click();
      const conflict = dialog.getByRole('alert', { name: 'Version conflict' });
      await conflict.getByText(/it is now at version 4/).waitFor();
      assert.equal((await config(api, key, 'staging')).version, 4);
      await conflict.getByRole('button', { name: 'Reapply my changes on top' }).click();
      await dialog.waitFor({ state: 'detached' });

      const reverted = await config(api, key, 'staging');
      assert.equal(reverted.version, 5);
      assert.deepEqual(reverted.rules, []);
      assert.deepEqual(reverted.targets, []);
      assert.deepEqual(reverted.defaultRule, { variant: 'on' });
      const latest = versions.getByRole('listitem', { name: 'Version 5' });
      await latest.getByText('flag.config.reverted to v1').waitFor();
      await latest.getByText('“canary rule misrouted batches”').waitFor();
    },
  },
];
