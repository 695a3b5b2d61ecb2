// The console says what is true: unknown projects and environments, where sign-in lands, a killed flag's switch.
import assert from 'node:assert/strict';
import { ADMIN_EMAIL, flagUrl, newFlag, PROJECT, routeRuns, signInAsAdmin } from './tests.mjs';

export const tests = [
  {
    name: 'truth: an unknown project or environment in the URL says so and links to what exists',
    run: async (h) => {
      const { page } = h;
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/prodution/flags`);
      await page.getByRole('heading', { name: /No environment “prodution” in project/ }).waitFor();
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no flags of another environment behind the message');
      await page
        .getByRole('list', { name: /Environments of/ })
        .getByRole('link', { name: 'Staging' })
        .click();
      await page.waitForURL(`**/${PROJECT}/staging/flags`);

      await page.goto('/no-such-project/production/flags');
      await page.getByRole('heading', { name: 'No project “no-such-project”' }).waitFor();
      await h.screenshot('unknown-project');
      await page.getByRole('list', { name: 'Projects' }).getByRole('link').first().click();
      await page.waitForURL(new RegExp(`/${PROJECT}/[a-z-]+/flags$`));
    },
  },
  {
    name: 'truth: sign-in lands where the user last was',
    run: async (h) => {
      const { page, context, adminPassword } = h;
      const key = await newFlag(h.api, 'e2e.truth-last-location');
      await signInAsAdmin(h);
      await page.goto(flagUrl('staging', key, 'history'));
      await page.getByRole('tab', { name: 'History', selected: true }).waitFor();

      // Signed out (the cookie gone, as after expiry), then signing in again from the front door.
      await context.clearCookies();
      await page.goto('/');
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`**${flagUrl('staging', key, 'history')}`);
      await page.getByRole('tab', { name: 'History', selected: true }).waitFor();
    },
  },
  {
    name: "truth: a killed flag's targeting does not read as on",
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.truth-killed-switch');
      const current = await api('GET', `/projects/${PROJECT}/flags/${key}/environments/production`);
      await api('PATCH', `/projects/${PROJECT}/flags/${key}/environments/production`, { version: current.version, on: true, reason: 'turn it on' });
      await api('POST', `/projects/${PROJECT}/flags/${key}/environments/production/kill`, { reason: 'INC-1: bad rows' });
      // A viewer reads the targeting summary; the editor's switch (FlagTargeting) uses the same targetingState().
      const { password } = await api('POST', '/users', { email: 'truth-viewer@e2e.test', name: 'Tess Truth', role: 'viewer' });
      await h.loginAs('truth-viewer@e2e.test', password);
      await page.goto(flagUrl('production', key));
      await page
        .getByRole('region', { name: 'Kill switch' })
        .getByText(/Killed in/)
        .waitFor();
      const panel = page.getByRole('tabpanel');
      await panel.getByText('Killed: serving the off variant to everyone').first().waitFor();
      assert.equal(await panel.getByText(/rules and the default rule decide|^on$/).count(), 0, 'a killed flag never reads as on');
    },
  },
  {
    name: 'truth: the evaluations chart draws bars per 5 min',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.truth-bars');
      const { sdkKey } = await api('POST', `/projects/${PROJECT}/environments/development/sdk-key`);
      await routeRuns(h.baseUrl, sdkKey, key, 20);
      await signInAsAdmin(h);
      await page.goto(flagUrl('development', key, 'evaluations'));
      await page.getByText(/20 evaluations: .* · one bar per 5 min/).waitFor();
      await page.getByRole('img', { name: /one bar per 5 min/ }).waitFor();
      await page.locator('.recharts-bar-rectangle').first().waitFor();
      assert.equal(await page.locator('.recharts-area').count(), 0, 'bars, not an interpolated area');
    },
  },
];
