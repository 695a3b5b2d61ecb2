// Keyboard-only journeys: after the page is opened, every step is a key press (Tab, Shift+Tab,
// Enter, Space, Escape, arrows) or typing. Each step checks its result through the API, and that
// the element holding focus shows it (:focus-visible with an outline a sighted user can see).
import assert from 'node:assert/strict';
import { ADMIN_EMAIL, config, flagOf, newFlag, PROJECT } from './tests.mjs';

/** What has focus, and whether a sighted keyboard user can see that it does. */
const focusState = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const outlined = (node) => {
      const style = getComputedStyle(node);
      return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    };
    // A visually hidden input (the switches) shows its focus on the track beside it.
    const indicator = outlined(el) ? el : el.nextElementSibling && outlined(el.nextElementSibling) ? el.nextElementSibling : null;
    const box = (indicator ?? el).getBoundingClientRect();
    const labelled = el.getAttribute('aria-label') ?? (el.labels?.[0]?.textContent || null);
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      type: el.getAttribute('type'),
      id: el.id,
      name: (labelled ?? el.textContent ?? '').replace(/\s+/g, ' ').trim(),
      focusVisible: el.matches(':focus-visible'),
      outlined: indicator !== null,
      onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight,
    };
  });

const describe = (f) => (f ? `<${f.tag}${f.role ? ` role=${f.role}` : ''}${f.type ? ` type=${f.type}` : ''}> "${f.name.slice(0, 60)}"` : 'nothing');

/** Focus is somewhere, visibly: an outline that the :focus-visible rule draws, on screen. */
const assertFocusVisible = async (page, what) => {
  const f = await focusState(page);
  assert.ok(f, `${what}: nothing has focus`);
  assert.ok(f.focusVisible && f.outlined && f.onScreen, `${what}: focus on ${describe(f)} is not visible (${JSON.stringify(f)})`);
  return f;
};

/**
 * Presses `key` (Tab by default) until focus is on what `matches` accepts; fails with the path it
 * took when that takes more than `max` presses.
 */
const pressUntil = async (page, matches, { key = 'Tab', max = 60, what = 'target' } = {}) => {
  const path = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(key);
    const f = await focusState(page);
    path.push(describe(f));
    if (f && matches(f)) return assertFocusVisible(page, what);
  }
  throw new Error(`${max} × ${key} never reached ${what}; focus went: ${path.join(' → ')}`);
};

const named = (tag, name) => (f) => f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name));
const byId = (id) => (f) => f.id === id;

/** Signs in from the sign-in page with the keyboard alone, landing on the flags list. */
const signIn = async (h) => {
  const { page } = h;
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await pressUntil(page, byId('login-email'), { what: 'Email' });
  await page.keyboard.type(ADMIN_EMAIL);
  await pressUntil(page, byId('login-password'), { what: 'Password' });
  await page.keyboard.type(h.adminPassword);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Flags', exact: true }).waitFor();
};

/** The flags list is filtered to `key` by typing in its search box, then the flag's link is opened. */
const openFlagFromList = async (page, key, name) => {
  await pressUntil(page, (f) => f.tag === 'input' && f.type === 'search', { what: 'the flag search box' });
  await page.keyboard.type(key);
  // The search has applied (it is debounced into the URL) before focus moves on to the results.
  await page.waitForURL((url) => url.searchParams.get('q') === key);
  await page.getByRole('link', { name }).waitFor();
  await pressUntil(page, named('a', name), { what: `the link to ${key}` });
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name }).waitFor();
};

export const tests = [
  {
    name: 'keyboard: signs in with the keyboard alone',
    run: async (h) => {
      const { page, context, baseUrl } = h;
      await signIn(h);
      // The session is real: the API knows who signed in.
      const me = await (await context.request.get(`${baseUrl}/api/v1/auth/me`)).json();
      assert.equal(me.kind, 'user');
      assert.equal(me.user.email, ADMIN_EMAIL);
      assert.match(page.url(), new RegExp(`/${PROJECT}/production/flags$`));
      // Focus goes on from the page the console landed on.
      await page.keyboard.press('Tab');
      await assertFocusVisible(page, 'first Tab after signing in');
    },
  },
  {
    name: 'keyboard: opens a flag from the list, kills it (Enter in Reason submits) and restores it',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.kb-kill');
      await signIn(h);
      await openFlagFromList(page, key, `E2E ${key}`);
      assert.equal((await flagOf(api, key)).name, `E2E ${key}`);
      assert.match(page.url(), new RegExp(`/flags/${key.replace('.', '\\.')}$`));

      await pressUntil(page, named('button', 'Kill switch'), { what: 'Kill switch' });
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: `Kill ${key}` }).waitFor();
      const reason = await assertFocusVisible(page, 'the kill dialog on open');
      assert.equal(reason.id, 'kill-reason', `the kill dialog opened with focus on ${describe(reason)}, not Reason`);
      await page.keyboard.type('INC-900: keyboard kill');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Killed in Production' }).waitFor();
      const killed = await config(api, key, 'production');
      assert.equal(killed.killed, true);
      assert.equal(killed.kill.reason, 'INC-900: keyboard kill');

      await pressUntil(page, named('button', 'Restore'), { what: 'Restore' });
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: `Restore ${key}` }).waitFor();
      assert.equal((await assertFocusVisible(page, 'the restore dialog on open')).id, 'kill-reason');
      await page.keyboard.type('fixed in 2.4.1');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Kill switch' }).waitFor();
      assert.equal((await config(api, key, 'production')).killed, false);
    },
  },
  {
    name: 'keyboard: changes a rollout percentage and saves it with a reason',
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.kb-rollout');
      await signIn(h);
      await openFlagFromList(page, key, `E2E ${key}`);
      // The default rule serves a variant: Tab reaches its checked radio, an arrow picks the rollout.
      await pressUntil(page, (f) => f.type === 'radio' && f.name === 'A variant', { what: "the default rule's serve choice" });
      await page.keyboard.press('ArrowRight');
      await page.getByRole('region', { name: 'Default rule' }).getByLabel('Default rule: on %').waitFor();
      await pressUntil(page, named('input', 'Default rule: on %'), { what: 'the on % input' });
      await page.keyboard.press('Control+A');
      await page.keyboard.type('25');
      await pressUntil(page, (f) => f.tag === 'input' && /^Reason/.test(f.name), { what: 'the reason' });
      await page.keyboard.type('INC-901: ramp to 25% by keyboard');
      await page.keyboard.press('Enter');
      await page.getByText(/Saved as version \d+/).waitFor();
      const saved = await config(api, key, 'production');
      assert.deepEqual(saved.defaultRule.rollout.variants, [
        { variant: 'on', weight: 25000 },
        { variant: 'off', weight: 75000 },
      ]);
      await assertFocusVisible(page, 'after saving');
    },
  },
  {
    name: 'keyboard: creates a flag with the create dialog',
    run: async (h) => {
      const { page, api } = h;
      const key = 'e2e.kb-created';
      await signIn(h);
      await pressUntil(page, named('button', '+ New flag'), { what: '+ New flag' });
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'New flag' }).waitFor();
      assert.equal((await assertFocusVisible(page, 'the new flag dialog on open')).name, 'Key');
      await page.keyboard.type(key);
      await pressUntil(page, named('input', 'Name'), { what: 'Name' });
      await page.keyboard.type('Created by keyboard');
      await pressUntil(page, named('input', 'Owner'), { what: 'Owner' });
      await page.keyboard.type('e2e');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Created by keyboard' }).waitFor();
      const created = await flagOf(api, key);
      assert.equal(created.name, 'Created by keyboard');
      assert.equal(created.owner, 'e2e');
      await page.keyboard.press('Tab');
      await assertFocusVisible(page, 'after creating the flag');
    },
  },
  {
    name: "keyboard: switches environment and moves between the flag page's tabs",
    run: async (h) => {
      const { page, api } = h;
      const key = await newFlag(api, 'e2e.kb-tabs');
      // Killed in staging only, so the page shows which environment it is in.
      await api('POST', `/projects/${PROJECT}/flags/${key}/environments/staging/kill`, { reason: 'INC-902: staging only' });
      await signIn(h);
      await openFlagFromList(page, key, `E2E ${key}`);
      await page.getByRole('heading', { name: 'Kill switch' }).waitFor();

      const environments = (await api('GET', `/projects/${PROJECT}`)).environments.map((e) => e.key);
      const from = environments.indexOf('production');
      const to = environments.indexOf('staging');
      await pressUntil(page, byId('switch-environment'), { key: 'Shift+Tab', what: 'the environment switcher' });
      await page.keyboard.press(to < from ? 'ArrowUp' : 'ArrowDown');
      await page.waitForURL(new RegExp(`/${PROJECT}/staging/flags/`));
      await page.getByRole('heading', { name: 'Killed in Staging' }).waitFor();
      assert.equal((await config(api, key, 'staging')).killed, true);
      assert.equal((await config(api, key, 'production')).killed, false);
      await assertFocusVisible(page, 'after switching environment');

      // The selected tab is the one Tab stops on; arrows, Home and End move between tabs.
      await pressUntil(page, (f) => f.role === 'tab', { what: 'the flag page tabs' });
      // The URL changes before React renders the new selection (a transition), so wait for the render.
      const selectedIs = (name) => page.getByRole('tab', { name, exact: true, selected: true }).waitFor();
      await selectedIs('Targeting');
      await page.keyboard.press('ArrowRight');
      assert.equal((await assertFocusVisible(page, 'the next tab')).role, 'tab');
      await page.waitForURL(/tab=test/);
      await page.getByRole('button', { name: 'Evaluate' }).waitFor();
      await page.keyboard.press('End');
      await page.waitForURL(/tab=history/);
      await selectedIs((await assertFocusVisible(page, 'the last tab')).name);
      // The history panel shows the kill the API recorded.
      await page
        .getByText((await config(api, key, 'staging')).kill.reason)
        .first()
        .waitFor();
      await page.keyboard.press('Home');
      await page.waitForURL((url) => !url.search.includes('tab='));
      await selectedIs('Targeting');
      await page.keyboard.press('Enter');
      await assertFocusVisible(page, 'the first tab');
    },
  },
  {
    name: 'keyboard: creates a kill-switch token limited to a project and an environment on the Access page',
    run: async (h) => {
      const { page, api } = h;
      await signIn(h);
      await pressUntil(page, named('a', /API tokens/), { what: 'the Access page link' });
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'API tokens', exact: true }).waitFor();
      await pressUntil(page, named('input', 'Name'), { what: 'the token name' });
      await page.keyboard.type('kb-pagerduty');
      await pressUntil(page, named('select', 'Access'), { what: 'Access' });
      assert.equal(await page.getByLabel('Access').inputValue(), 'kill-switch');
      // Projects: Tab reaches "All projects", an arrow picks "Only these projects", Space ticks one.
      await pressUntil(page, (f) => f.type === 'radio' && f.name === 'All projects', { what: 'All projects' });
      await page.keyboard.press('ArrowRight');
      const project = await api('GET', `/projects/${PROJECT}`);
      await pressUntil(page, (f) => f.type === 'checkbox' && f.name.startsWith(project.name), { what: `the ${project.name} project` });
      await page.keyboard.press('Space');
      await pressUntil(page, (f) => f.type === 'radio' && f.name === 'All environments', { what: 'All environments' });
      await page.keyboard.press('ArrowRight');
      await pressUntil(page, (f) => f.type === 'checkbox' && /^Production/.test(f.name), { what: 'the production environment' });
      await page.keyboard.press('Space');
      await pressUntil(page, named('button', 'Create token'), { what: 'Create token' });
      await page.keyboard.press('Enter');
      await page.locator('[data-secret]').waitFor();
      const token = (await api('GET', '/tokens')).find((t) => t.name === 'kb-pagerduty');
      assert.ok(token, 'the token was created');
      assert.deepEqual(
        { access: token.access, projects: token.projects, environments: token.environments },
        {
          access: 'kill-switch',
          projects: [PROJECT],
          environments: ['production'],
        },
      );
      await page
        .getByRole('row', { name: /kb-pagerduty/ })
        .getByText('Environments: production')
        .waitFor();
      await assertFocusVisible(page, 'after creating the token');

      // Revoking asks first; Escape keeps the token, the dialog's Revoke button removes it.
      await pressUntil(page, named('button', 'Revoke kb-pagerduty'), { what: 'Revoke kb-pagerduty' });
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Revoke kb-pagerduty?' });
      await dialog.waitFor();
      assert.equal((await assertFocusVisible(page, 'the revoke dialog on open')).name, 'Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.ok(
        (await api('GET', '/tokens')).some((t) => t.id === token.id),
        'Escape revoked nothing',
      );
      assert.equal((await assertFocusVisible(page, 'back from the revoke dialog')).name, 'Revoke kb-pagerduty');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await pressUntil(page, named('button', 'Revoke token'), { what: 'Revoke token' });
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      assert.ok(!(await api('GET', '/tokens')).some((t) => t.id === token.id), 'the token was revoked');
    },
  },
];
