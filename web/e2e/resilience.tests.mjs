// Never lose what a user typed: a failed refresh keeps the page (stale, with a retry), drafts survive a
// reload, and Escape, the backdrop, leaving the page, Back and Forward ask before discarding a dirty form.
import assert from 'node:assert/strict';
import { PROJECT, config, flagUrl, newFlag, signInAsAdmin } from './tests.mjs';

const API = '**/api/v1/**';

/** Longer than the old console's 3-poll window (4.6 s) after which the flag page was replaced by an error. */
const OUTAGE_MS = 6000;

/**
 * Ask the page for fresh data the way a returning user does (the tab becomes visible again). It does not
 * depend on polling, so it holds whether refreshes come from a timer, a push or a refocus.
 */
const refocus = (page) => page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));

/** A 35% rollout on the default rule and a reason, typed but not saved. */
const editRollout = async (page, reason) => {
  const defaultRule = page.getByRole('region', { name: 'Default rule' });
  await defaultRule.getByLabel('A percentage rollout').check();
  await defaultRule.getByLabel('Default rule: on %').fill('35');
  await page.getByLabel(/^Reason/).fill(reason);
};

const rolloutPercent = (page) => page.getByRole('region', { name: 'Default rule' }).getByLabel('Default rule: on %').inputValue();

/** The browser's own "Leave site?" prompt on reload: accept it, and count that it was asked. */
const acceptLeavePrompts = (page) => {
  const asked = { count: 0 };
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') asked.count += 1;
    void dialog.accept();
  });
  return asked;
};

export const tests = [
  {
    name: 'resilience: a failed refresh keeps the edit and the reason, shows a stale notice, and retries',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.resilience-blip');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      await editRollout(page, 'INC-35: ramp to 35%');

      // The server goes away (a restart, a VPN drop): every API call fails for longer than the old window.
      let failed = 0;
      await page.route(API, (route) => {
        failed += 1;
        return failed % 2 ? route.abort('connectionrefused') : route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"UNAVAILABLE"}' });
      });
      const outageStarted = Date.now();
      const notice = page.getByRole('status', { name: 'Could not refresh' });
      // Each refocus asks again; a refresh that fails (after its retries) leaves the notice.
      for (let attempt = 1; ; attempt += 1) {
        await refocus(page);
        const shown = await notice.waitFor({ timeout: 5000 }).then(
          () => true,
          () => false,
        );
        if (shown) break;
        if (attempt === 4) throw new Error(`no stale notice after ${attempt} refreshes (${failed} requests failed)`);
      }
      assert.match(await notice.innerText(), /Could not refresh.*last updated \d\d\D\d\d\D\d\d/s);
      await h.screenshot('stale-notice');
      await page.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
      await refocus(page);
      await page.waitForTimeout(500);
      assert.ok(failed > 0, 'the page tried to refresh during the outage');
      assert.equal(await page.getByText('Could not load this.').count(), 0, 'the page was not replaced by an error');
      assert.equal(await rolloutPercent(page), '35');
      assert.equal(await page.getByLabel(/^Reason/).inputValue(), 'INC-35: ramp to 35%');

      // Back online: Retry clears the notice and the edit is still there to save.
      await page.unroute(API);
      // A background refresh may beat the click to it; either way the notice must go.
      await notice
        .getByRole('button', { name: 'Retry' })
        .click({ timeout: 3000 })
        .catch(async (error) => {
          if ((await notice.count()) > 0) throw error;
        });
      await notice.waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(await rolloutPercent(page), '35');
      await page.getByRole('button', { name: 'Save to Production' }).click();
      await page.getByText(/Saved as version \d+/).waitFor();
      const saved = await config(api, key, 'production');
      assert.deepEqual(
        saved.defaultRule.rollout.variants.map((v) => v.weight),
        [35000, 65000],
      );
    },
  },
  {
    name: 'resilience: an edit survives a reload as a draft, and one older than the server goes through the conflict view',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.resilience-draft');
      await signInAsAdmin(h);
      const asked = acceptLeavePrompts(page);
      await page.goto(flagUrl('production', key));
      await editRollout(page, 'ramp after review');

      await page.reload();
      assert.equal(asked.count, 1, 'the browser asked before reloading a dirty form');
      const offer = page.getByRole('region', { name: 'Unsaved changes' });
      await offer.getByText(/Restore your unsaved changes from \d\d\D\d\d\?/).waitFor();
      await h.screenshot('draft-restore');
      await offer.getByRole('button', { name: 'Restore draft' }).click();
      assert.equal(await rolloutPercent(page), '35');
      assert.equal(await page.getByLabel(/^Reason/).inputValue(), 'ramp after review');

      // Someone else saves meanwhile; after the next reload the draft is rebased, not written over theirs.
      const current = await config(api, key, 'production');
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/production`, { version: current.version, on: true, reason: 'someone else' });
      await page.reload();
      await page.getByRole('button', { name: 'Restore draft' }).click();
      const conflict = page.getByRole('alert', { name: 'Version conflict' });
      await conflict.getByText(/You started from version \d+; it is now at version \d+/).waitFor();
      await conflict.getByRole('button', { name: 'Reapply my changes on top' }).click();
      await page.getByRole('button', { name: 'Save to Production' }).click();
      await page.getByText(/Saved as version \d+/).waitFor();
      const saved = await config(api, key, 'production');
      assert.equal(saved.on, true, 'their change is kept');
      assert.equal(saved.defaultRule.rollout.variants[0].weight, 35000, 'mine is applied on top');

      // Saved: nothing is offered any more.
      await page.reload();
      await page.getByRole('region', { name: 'Default rule' }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Unsaved changes' }).count(), 0);
    },
  },
  {
    name: 'resilience: Escape on a dirty dialog asks first, a clean one closes at once',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.resilience-escape');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      const dialog = page.getByRole('dialog', { name: `Kill ${key}` });

      await page.getByRole('button', { name: 'Kill switch' }).click();
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Kill switch' }).click();
      await dialog.getByLabel('Reason').fill('INC-77: half typed');
      await page.keyboard.press('Escape');
      const confirm = dialog.getByRole('alert', { name: 'Discard changes?' });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: 'Keep editing' }).click();
      assert.equal(await dialog.getByLabel('Reason').inputValue(), 'INC-77: half typed');

      // A click on the backdrop asks too; discarding closes without killing.
      await page.mouse.click(5, 5);
      await confirm.getByRole('button', { name: 'Discard changes' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal((await config(api, key, 'production')).killed, false);
    },
  },
  {
    name: 'resilience: the kill dialog focuses Reason and Tab stays inside the dialog',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.resilience-focus');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      await page.getByRole('button', { name: 'Kill switch' }).click();
      const dialog = page.getByRole('dialog', { name: `Kill ${key}` });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'kill-reason');
      const insideDialog = () => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
      for (let i = 0; i < 12; i += 1) {
        await page.keyboard.press('Tab');
        assert.ok(await insideDialog(), `Tab ${i + 1} left the dialog`);
      }
      for (let i = 0; i < 4; i += 1) {
        await page.keyboard.press('Shift+Tab');
        assert.ok(await insideDialog(), `Shift+Tab ${i + 1} left the dialog`);
      }
      // Closing gives focus back to the button that opened it.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Kill switch');
    },
  },
  {
    name: 'resilience: Back and Forward with unsaved changes ask first; staying keeps the edit, leaving goes',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.resilience-back');
      const before = await config(api, key, 'production');
      await signInAsAdmin(h);
      // In-app navigations only, so Back and Forward stay inside the console (a reload would be the browser's prompt).
      await page.goto(`/${PROJECT}/production/flags?q=${key}`);
      const listUrl = page.url();
      await page.getByRole('link', { name: `E2E ${key}`, exact: true }).click();
      await page.getByRole('region', { name: 'Default rule' }).waitFor();
      const flagPage = page.url();
      await editRollout(page, 'INC-90: half way');
      const prompt = page.getByRole('dialog', { name: 'Leave without saving?' });

      await page.goBack({ waitUntil: 'commit' }).catch(() => {});
      await prompt.waitFor();
      await h.screenshot('leave-prompt');
      await prompt.getByRole('button', { name: 'Keep editing' }).click();
      await prompt.waitFor({ state: 'detached' });
      assert.equal(page.url(), flagPage, 'staying keeps the flag page');
      assert.equal(await rolloutPercent(page), '35');
      assert.equal(await page.getByLabel(/^Reason/).inputValue(), 'INC-90: half way');

      await page.goBack({ waitUntil: 'commit' }).catch(() => {});
      await prompt.getByRole('button', { name: 'Leave and discard' }).click();
      await page.waitForURL(listUrl);
      await page.getByRole('link', { name: `E2E ${key}`, exact: true }).waitFor();

      // Forward onto the flag page (clean) goes at once; a dirty edit there asks before Forward leaves it.
      await page.goForward({ waitUntil: 'commit' }).catch(() => {});
      await page.waitForURL(flagPage);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Segments' }).click();
      await page.waitForURL(/\/segments$/);
      await page.goBack({ waitUntil: 'commit' }).catch(() => {});
      await page.waitForURL(flagPage);
      await page.getByRole('region', { name: 'Default rule' }).waitFor();
      await editRollout(page, 'INC-91: forward');
      await page.goForward({ waitUntil: 'commit' }).catch(() => {});
      await prompt.waitFor();
      await prompt.getByRole('button', { name: 'Keep editing' }).click();
      assert.equal(page.url(), flagPage);
      assert.equal(await rolloutPercent(page), '35');
      await page.goForward({ waitUntil: 'commit' }).catch(() => {});
      await prompt.getByRole('button', { name: 'Leave and discard' }).click();
      await page.waitForURL(/\/segments$/);
      assert.equal((await config(api, key, 'production')).version, before.version, 'nothing was saved');
    },
  },
  {
    name: 'resilience: Escape on a dirty new-flag dialog asks first, and keeps what was typed',
    run: async (h) => {
      const { page } = h;
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/production/flags`);
      const dialog = page.getByRole('dialog', { name: 'New flag' });
      await page.getByRole('button', { name: '+ New flag' }).click();
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      await page.getByRole('button', { name: '+ New flag' }).click();
      await dialog.getByLabel('Key').fill('etl.half-typed');
      await page.keyboard.press('Escape');
      const confirm = dialog.getByRole('alert', { name: 'Discard changes?' });
      await confirm.getByRole('button', { name: 'Keep editing' }).click();
      await confirm.waitFor({ state: 'detached' });
      assert.equal(await dialog.getByLabel('Key').inputValue(), 'etl.half-typed');
      await page.keyboard.press('Escape');
      await confirm.getByRole('button', { name: 'Discard changes' }).click();
      await dialog.waitFor({ state: 'detached' });
    },
  },
  {
    name: 'resilience: leaving a page with unsaved changes asks first',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.resilience-leave');
      await signInAsAdmin(h);
      await page.goto(flagUrl('production', key));
      await editRollout(page, 'not yet');
      const flagPage = page.url();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Segments' }).click();
      const prompt = page.getByRole('dialog', { name: 'Leave without saving?' });
      await prompt.getByRole('button', { name: 'Keep editing' }).click();
      await prompt.waitFor({ state: 'detached' });
      assert.equal(page.url(), flagPage);
      assert.equal(await rolloutPercent(page), '35');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Segments' }).click();
      await prompt.getByRole('button', { name: 'Leave and discard' }).click();
      await page.waitForURL(/\/segments$/);
      // Discarded on purpose: coming back offers nothing.
      await page.goto(flagUrl('production', key));
      await page.getByRole('region', { name: 'Default rule' }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Unsaved changes' }).count(), 0);
    },
  },
];
