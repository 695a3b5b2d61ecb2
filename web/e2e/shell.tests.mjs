// The shell's theme toggle, and the confirmations on the Users page.
import assert from 'node:assert/strict';
import { PROJECT, signInAsAdmin } from './tests.mjs';

/** What the page actually shows: the document's background, light (#f4f6f9) or dark (#0d131d). */
const shownTheme = (page) =>
  page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.documentElement)
      .backgroundColor.match(/\d+(\.\d+)?/g)
      .map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 128 ? 'light' : 'dark';
  });

const waitForTheme = async (page, theme) => {
  for (let i = 0; i < 50 && (await shownTheme(page)) !== theme; i++) await page.waitForTimeout(100);
  assert.equal(await shownTheme(page), theme);
};

const userByEmail = async (api, email) => (await api('GET', '/users')).find((u) => u.email === email);

export const tests = [
  {
    name: 'theme: follows prefers-color-scheme until one is chosen; a chosen dark theme survives a reload',
    run: async (h) => {
      const { page } = h;
      await page.emulateMedia({ colorScheme: 'light' });
      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/production/flags`);
      const toggle = page.getByRole('combobox', { name: 'Theme' });
      await toggle.waitFor();

      // Nothing stored: the system preference decides, and a change to it shows at once.
      assert.equal(await toggle.inputValue(), 'system');
      assert.equal(await page.evaluate(() => localStorage.getItem('signalbox.theme')), null);
      await waitForTheme(page, 'light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await waitForTheme(page, 'dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await waitForTheme(page, 'light');

      // Dark, chosen while the system prefers light: it stays dark after a reload.
      await toggle.selectOption('dark');
      await waitForTheme(page, 'dark');
      await page.reload();
      await toggle.waitFor();
      assert.equal(await toggle.inputValue(), 'dark');
      await waitForTheme(page, 'dark');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');

      // Back to the system's choice: light again, and nothing stored.
      await toggle.selectOption('system');
      await waitForTheme(page, 'light');
      await page.reload();
      await toggle.waitFor();
      await waitForTheme(page, 'light');
      assert.equal(await page.evaluate(() => localStorage.getItem('signalbox.theme')), null);
    },
  },
  {
    name: 'users: a role change and a disable ask first; cancel changes nothing, confirm changes it',
    run: async (h) => {
      const { page, api } = h;
      const email = 'e2e.confirm@signalbox.local';
      if (!(await userByEmail(api, email))) await api('POST', '/users', { email, name: 'Casey Confirm', role: 'viewer', password: 'correct horse battery 1' });
      const id = (await userByEmail(api, email)).id;
      await api('PATCH', `/users/${id}`, { role: 'viewer', disabled: false });

      await signInAsAdmin(h);
      await page.goto(`/${PROJECT}/production/users`);
      const role = page.getByRole('combobox', { name: `Role of ${email}` });
      await role.waitFor();

      // Role: cancel leaves it as it was, in the page and in the API.
      await role.selectOption('editor');
      let dialog = page.getByRole('dialog', { name: 'Change the role of Casey Confirm?' });
      await dialog.waitFor();
      await h.screenshot('role-change-confirm');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await role.inputValue(), 'viewer');
      assert.equal((await userByEmail(api, email)).role, 'viewer');

      // Confirmed, it changes.
      await role.selectOption('editor');
      await dialog.getByRole('button', { name: 'Make editor' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction((label) => document.querySelector(`select[aria-label="${label}"]`)?.value === 'editor', `Role of ${email}`);
      assert.equal((await userByEmail(api, email)).role, 'editor');

      // Disable: cancel leaves the user able to sign in; confirm disables.
      const access = page.getByRole('switch', { name: `${email} may sign in` });
      // The input is drawn as a switch by its label: a user clicks that.
      const toggle = page.locator('label.switch').filter({ has: access });
      await toggle.click();
      dialog = page.getByRole('dialog', { name: 'Disable Casey Confirm?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await access.isChecked(), true);
      assert.equal((await userByEmail(api, email)).disabled, false);

      await toggle.click();
      await dialog.getByRole('button', { name: 'Disable user' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction((label) => document.querySelector(`input[aria-label="${label}"]`)?.checked === false, `${email} may sign in`);
      assert.equal((await userByEmail(api, email)).disabled, true);
      assert.equal((await userByEmail(api, email)).role, 'editor');
    },
  },
];
