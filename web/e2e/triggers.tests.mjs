// Trigger URLs that do more than kill: the console chooses what a firing alert does, and a
// CloudEvent posted to the URL does exactly that, once per event id.
import assert from 'node:assert/strict';
import { config, flagUrl, PROJECT, signInAsAdmin } from './tests.mjs';

export const tests = [
  {
    name: 'creates a serve-variant trigger in the console, and a CloudEvent to its URL serves that variant once',
    run: async (h) => {
      const { page, api } = h;
      const key = 'e2e.trigger-effect';
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
      await signInAsAdmin(h);
      await page.goto(flagUrl('staging', key, 'triggers'));
      await page.getByRole('heading', { name: 'Trigger URLs in Staging' }).waitFor();
      await page.getByLabel('Name').fill('drift-monitor');
      await page.getByLabel('When an alert fires').selectOption('serve-variant');
      // Nothing to undo for this effect: the console does not offer it.
      assert.equal(await page.getByText(/when the alert resolves/).count(), 0);
      await page.getByRole('button', { name: 'Create trigger URL' }).click();
      await page.getByText('choose the variant to serve').waitFor();
      await page.getByLabel('Variant', { exact: true }).selectOption('v2');
      await page.getByRole('button', { name: 'Create trigger URL' }).click();
      const url = await page.getByLabel('Trigger URL for drift-monitor').textContent();
      const row = page.getByRole('row', { name: /drift-monitor/ });
      await row.getByText('serves v2 by default').waitFor();

      const event = JSON.stringify({
        specversion: '1.0',
        id: 'drift-42',
        source: '/monitoring/drift',
        type: 'com.example.drift.firing',
        data: { reason: 'v1 drifted' },
      });
      const fire = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: event });
      const first = await fire();
      assert.equal(first.status, 200);
      assert.deepEqual((({ action, changed, duplicate }) => ({ action, changed, duplicate }))(await first.json()), {
        action: 'variant-served',
        changed: true,
        duplicate: false,
      });
      const served = await config(api, key, 'staging');
      assert.deepEqual(served.defaultRule, { variant: 'v2' });
      // The same event again is answered, not acted on.
      const again = await (await fire()).json();
      assert.equal(again.duplicate, true);
      assert.equal((await config(api, key, 'staging')).version, served.version);
      // The list says what it did (live, or after a reload).
      await page.reload();
      await row.getByText(/variant-served/).waitFor();
      await row.getByText('(1×)').waitFor();
    },
  },
];
