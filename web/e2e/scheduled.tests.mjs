// Scheduled changes: "Schedule…" from the targeting editor, the flag page's list, and the change
// applied by the server's scheduler showing up live.
import assert from 'node:assert/strict';
import { PROJECT, config, flagUrl, newFlag, signInAsAdmin } from './tests.mjs';

export const tests = [
  {
    name: 'scheduled: a targeting change scheduled seconds ahead is listed with its diff, then applied and shown live',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.scheduled');
      await signInAsAdmin(h);
      await page.goto(flagUrl('staging', key));
      const targeting = page.getByRole('form', { name: 'Targeting in Staging' });
      // The switch's input is drawn by its label.
      await targeting.locator('label.switch').click();
      assert.equal(await targeting.getByRole('switch').isChecked(), true);
      await targeting.getByRole('button', { name: 'Schedule…' }).click();

      const dialog = page.getByRole('dialog', { name: `Schedule a change to ${key} in Staging` });
      // The input takes the browser's zone: compute the value there, 10 s ahead (the server polls every 5 s).
      const local = await page.evaluate(() => {
        const at = new Date(Date.now() + 10_000);
        const pad = (n) => String(n).padStart(2, '0');
        return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
      });
      await dialog.getByLabel(/Apply at/).fill(local);
      await dialog.getByLabel(/Reason/).fill('weekend GPU step');
      await dialog.getByRole('table').getByRole('rowheader', { name: 'on' }).waitFor();
      await dialog.getByRole('button', { name: 'Schedule change' }).click();
      await dialog.waitFor({ state: 'detached' });

      const scheduled = page.getByRole('region', { name: 'Scheduled changes in Staging' });
      const item = scheduled.getByRole('listitem').first();
      await item.getByText('scheduled', { exact: true }).waitFor();
      await item.getByText('“weekend GPU step”').waitFor();
      await item.getByText(/UTC/).waitFor();
      await item.getByRole('rowheader', { name: 'on' }).waitFor();
      await h.screenshot('scheduled-change');
      assert.equal((await config(api, key, 'staging')).version, 0, 'scheduling writes nothing yet');
      const [listed] = await api('GET', `/projects/${PROJECT}/flags/${key}/environments/staging/scheduled-changes`);
      assert.equal(listed.status, 'scheduled');
      assert.equal(listed.kind, 'replace');

      // Nobody reloads: the page shows the scheduler's write when it happens.
      await item.getByText('applied', { exact: true }).waitFor({ timeout: 25_000 });
      await item.getByText('as version 1').waitFor();
      assert.equal(await targeting.getByRole('switch').isChecked(), true, 'the editor shows the applied config');
      const applied = await config(api, key, 'staging');
      assert.equal(applied.on, true);
      assert.equal(applied.version, 1);
      const versions = await api('GET', `/projects/${PROJECT}/flags/${key}/environments/staging/versions`);
      assert.equal(versions.items[0].reason, 'scheduled: weekend GPU step');
    },
  },
  {
    name: 'scheduled: a scheduled change can be cancelled from the flag page',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.scheduled-cancel');
      const runAt = new Date(Date.now() + 3600_000).toISOString();
      await api('POST', `/projects/${PROJECT}/flags/${key}/environments/staging/scheduled-changes`, {
        runAt,
        version: 0,
        reason: 'later',
        patch: { on: true },
      });
      await signInAsAdmin(h);
      await page.goto(flagUrl('staging', key));
      const item = page.getByRole('region', { name: 'Scheduled changes in Staging' }).getByRole('listitem').first();
      await item.getByRole('button', { name: 'Cancel change' }).click();
      await item.getByText('cancelled', { exact: true }).waitFor();
      const [listed] = await api('GET', `/projects/${PROJECT}/flags/${key}/environments/staging/scheduled-changes`);
      assert.equal(listed.status, 'cancelled');
    },
  },
];
