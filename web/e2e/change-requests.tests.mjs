// Change requests (issue 21): an environment that requires approval turns an editor's save into a
// request; another editor approves it in the inbox and applies it; its author cannot approve it; a
// request whose base moved shows the conflict and is applied only after a rebase. Everything happens
// in a project of its own, so the demo project's environments stay ungated for the other tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { wholePage } from './tests.mjs';

// As in a11y.tests.mjs: axe evaluated through the DevTools protocol (the console's CSP refuses an injected script).
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical axe violations on the page as it is (the a11y scan cannot reach a request page: it needs a gated project). */
const axeViolations = async (page) => {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    if (result.passes.length === 0) throw new Error('axe checked nothing');
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
};

const PROJECT = 'gated';
const ENV = 'production';
const PASSWORD = 'e2e-reviewer-password';
const ANA = 'ana.author@example.com';
const BO = 'bo.reviewer@example.com';

/** The gated project (production needs one approval) and the two editors, made once per server. */
const setUp = async (api) => {
  const projects = await api('GET', '/projects');
  if (!projects.some((p) => p.key === PROJECT)) {
    await api('POST', '/projects', { key: PROJECT, name: 'Gated', environments: [{ key: ENV, name: 'Production' }] });
  }
  // The admin turns approval on through the API.
  const environment = await api('PATCH', `/projects/${PROJECT}/environments/${ENV}`, { requireApproval: true, requiredApprovals: 1 });
  assert.equal(environment.requireApproval, true);
  const users = await api('GET', '/users');
  for (const [email, name] of [
    [ANA, 'Ana Author'],
    [BO, 'Bo Reviewer'],
  ]) {
    if (!users.some((u) => u.email === email)) await api('POST', '/users', { email, name, role: 'editor', password: PASSWORD });
  }
};

const newGatedFlag = async (api, key) => {
  await api('POST', `/projects/${PROJECT}/flags`, { key, name: `E2E ${key}`, kind: 'boolean', owner: 'e2e', tags: ['e2e'] });
  return key;
};

/** The API as a signed-in user (session cookie, and the Origin a browser sends with a write). */
const sessionOf = async (baseUrl, email) => {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!login.ok) throw new Error(`login as ${email} failed: ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { cookie, origin: baseUrl, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
};

const requestUrl = (number) => `/${PROJECT}/${ENV}/change-requests/${number}`;

export const tests = [
  {
    name: 'change requests: an editor’s rollout becomes a request, another editor approves and applies it from the inbox, the author cannot approve',
    run: async (h) => {
      const { page, api, context, baseUrl } = h;
      await setUp(api);
      const key = await newGatedFlag(api, 'e2e.cr-rollout');
      const configPath = `/projects/${PROJECT}/flags/${key}/environments/${ENV}`;

      // Ana edits a 20% rollout: saving makes change request, and writes nothing.
      await h.loginAs(ANA, PASSWORD);
      await page.goto(`/${PROJECT}/${ENV}/flags/${key}`);
      await page.getByText('Production requires approval').waitFor();
      const defaultRule = page.getByRole('region', { name: 'Default rule' });
      await defaultRule.getByLabel('A percentage rollout').check();
      await defaultRule.getByLabel('Default rule: on %').fill('20');
      await page.getByLabel(/^Reason/).fill('GPU step for a fifth of the runs');
      await page.getByRole('button', { name: 'Request change in Production' }).click();
      const notice = page.getByRole('status').filter({ hasText: /created — needs 1 approval/ });
      await notice.waitFor();
      assert.equal(await page.getByText(/Saved as version/).count(), 0);
      assert.equal((await api('GET', configPath)).version, 0, 'nothing is written before approval');
      const { items } = await api('GET', `/projects/${PROJECT}/change-requests?status=pending&flag=${key}`);
      assert.equal(items.length, 1);
      const number = items[0].number;
      await page
        .getByRole('region', { name: `Change requests for ${key} in Production` })
        .getByRole('link', { name: `#${number}` })
        .waitFor();

      // Her own request offers her no approval, and the server refuses one.
      await notice.getByRole('link', { name: `Change request #${number}` }).click();
      await page.getByRole('heading', { name: new RegExp(`Change request #${number}`) }).waitFor();
      await page.getByText('You made this request: other people review it.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
      const ana = await sessionOf(baseUrl, ANA);
      const selfApproval = await ana('POST', `/projects/${PROJECT}/change-requests/${number}/approve`, {});
      assert.equal(selfApproval.status, 403);
      assert.equal(selfApproval.body.error, 'SELF_APPROVAL');

      // Bo finds it in the inbox, approves it with a comment and applies it.
      await context.clearCookies();
      await h.loginAs(BO, PASSWORD);
      await page.goto(`/${PROJECT}/${ENV}/flags`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Change requests' }).click();
      const row = page.getByRole('table', { name: 'Change requests' }).getByRole('row').filter({ hasText: key });
      await row.getByText('0 of 1 approval').waitFor();
      await row.getByText(ANA).waitFor();
      await row.getByRole('link', { name: `#${number}` }).click();
      const change = page.getByRole('region', { name: 'Proposed change' });
      await change.getByRole('rowheader', { name: 'defaultRule.rollout' }).waitFor();
      const reviews = page.getByRole('region', { name: 'Reviews' });
      await reviews.getByLabel(/Review comment/).fill('a fifth is fine');
      await reviews.getByRole('button', { name: 'Approve' }).click();
      await reviews.getByText('1 of 1 approval').waitFor();
      await reviews.getByRole('listitem').filter({ hasText: 'a fifth is fine' }).waitFor();
      await wholePage(h, 'change-request');
      assert.deepEqual(await axeViolations(page), [], 'the request page has no serious axe violations');
      await page.getByRole('button', { name: 'Apply to Production' }).click();
      await page.getByText(/as version 1\./).waitFor();

      const applied = await api('GET', configPath);
      assert.equal(applied.version, 1);
      assert.deepEqual(
        applied.defaultRule.rollout.variants.map((v) => [v.variant, v.weight]),
        [
          ['on', 20000],
          ['off', 80000],
        ],
      );
      assert.equal((await api('GET', `/projects/${PROJECT}/change-requests/${number}`)).status, 'applied');
    },
  },
  {
    name: 'change requests: scheduling in an environment that requires approval makes a request; once another editor approves and applies it, the change is scheduled on the flag page',
    run: async (h) => {
      const { page, api, context } = h;
      await setUp(api);
      const key = await newGatedFlag(api, 'e2e.cr-schedule');
      const configPath = `/projects/${PROJECT}/flags/${key}/environments/${ENV}`;

      // Ana schedules serving "on" when off: the dialog says it became a request, and nothing is scheduled or written.
      await h.loginAs(ANA, PASSWORD);
      await page.goto(`/${PROJECT}/${ENV}/flags/${key}`);
      await page.getByText('Production requires approval').waitFor();
      await page.getByLabel('Off variant', { exact: true }).selectOption('on');
      await page.getByRole('button', { name: 'Schedule…' }).click();
      const dialog = page.getByRole('dialog', { name: `Schedule a change to ${key} in Production` });
      await dialog.getByText(/Production requires approval: this creates a change request/).waitFor();
      await dialog.getByLabel(/^Reason/).fill('serve on overnight');
      await dialog.getByRole('button', { name: 'Request scheduled change' }).click();
      const notice = dialog.getByRole('status').filter({ hasText: /created — needs 1 approval/ });
      await notice.waitFor();
      const { items } = await api('GET', `/projects/${PROJECT}/change-requests?status=pending&flag=${key}`);
      assert.equal(items.length, 1);
      const { number, runAt } = items[0];
      assert.ok(Date.parse(runAt) > Date.now(), 'the request carries the chosen time');
      assert.deepEqual(await api('GET', `${configPath}/scheduled-changes`), [], 'nothing is scheduled before approval');
      assert.equal((await api('GET', configPath)).version, 0, 'nothing is written');
      await dialog.getByRole('button', { name: 'Done' }).click();

      // Bo approves and applies it: it is scheduled, not written.
      await context.clearCookies();
      await h.loginAs(BO, PASSWORD);
      await page.goto(requestUrl(number));
      const change = page.getByRole('region', { name: 'Proposed change' });
      await change.getByText(/^Runs at/).waitFor();
      await change.getByRole('rowheader', { name: 'offVariant' }).waitFor();
      await page.getByRole('region', { name: 'Reviews' }).getByRole('button', { name: 'Approve' }).click();
      await page.getByRole('button', { name: 'Apply to Production' }).click();
      const applied = change.getByRole('status').filter({ hasText: /scheduled for/ });
      await applied.waitFor();
      const request = await api('GET', `/projects/${PROJECT}/change-requests/${number}`);
      assert.equal(request.status, 'applied');
      assert.equal(request.appliedVersion, null);
      assert.equal((await api('GET', configPath)).version, 0, 'applying a request for later writes nothing now');
      const scheduled = await api('GET', `${configPath}/scheduled-changes`);
      assert.equal(scheduled.length, 1);
      assert.equal(scheduled[0].id, request.scheduledChangeId);
      assert.equal(scheduled[0].runAt, runAt);

      // The request links to the flag, where the scheduled change is listed.
      await applied.getByRole('link', { name: `scheduled changes of ${key}` }).click();
      const list = page.getByRole('region', { name: 'Scheduled changes in Production' });
      const item = list.getByRole('listitem').filter({ hasText: 'scheduled' }).first();
      await item.waitFor();
      await item.getByRole('rowheader', { name: 'offVariant' }).waitFor();
    },
  },
  {
    name: 'change requests: a request whose base moved shows the conflict, applies nothing, and applies after its author rebases it',
    run: async (h) => {
      const { page, api, context, baseUrl } = h;
      await setUp(api);
      const key = await newGatedFlag(api, 'e2e.cr-stale');
      const configPath = `/projects/${PROJECT}/flags/${key}/environments/${ENV}`;
      const requests = `/projects/${PROJECT}/change-requests`;
      const ana = await sessionOf(baseUrl, ANA);
      const bo = await sessionOf(baseUrl, BO);

      // Two requests from version 0; the first one is applied, so the second one's base has moved.
      const first = await ana('PATCH', configPath, { version: 0, on: true, reason: 'turn it on' });
      assert.equal(first.status, 202);
      const second = await ana('PATCH', configPath, { version: 0, offVariant: 'on', reason: 'serve on when off' });
      assert.equal(second.status, 202);
      const [a, b] = [first.body.changeRequest.number, second.body.changeRequest.number];
      for (const n of [a, b]) assert.equal((await bo('POST', `${requests}/${n}/approve`, {})).status, 200);
      assert.equal((await bo('POST', `${requests}/${a}/apply`, {})).status, 200);
      const refused = await bo('POST', `${requests}/${b}/apply`, {});
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'STALE_BASE');
      assert.equal((await api('GET', configPath)).version, 1, 'the stale request wrote nothing');

      // The reviewer sees the conflict and no Apply button.
      await h.loginAs(BO, PASSWORD);
      await page.goto(`/${PROJECT}/${ENV}/change-requests?status=approved`);
      await page
        .getByRole('table', { name: 'Change requests' })
        .getByRole('row')
        .filter({ hasText: `#${b}` })
        .getByText('stale', { exact: true })
        .waitFor();
      await page.goto(requestUrl(b));
      const conflict = page.getByRole('alert', { name: 'Stale change request' });
      await conflict.getByText(/Nothing was applied/).waitFor();
      await conflict
        .getByRole('table', { name: /Changed since \(v0 → v1\)/ })
        .getByRole('rowheader', { name: 'on' })
        .waitFor();
      assert.equal(await page.getByRole('button', { name: 'Apply to Production' }).count(), 0);
      assert.equal(await conflict.getByRole('button', { name: /Rebase/ }).count(), 0);
      assert.deepEqual(await axeViolations(page), [], 'the stale request page has no serious axe violations');

      // Its author rebases it onto version 1: both changes kept, approvals start over.
      await context.clearCookies();
      await h.loginAs(ANA, PASSWORD);
      await page.goto(requestUrl(b));
      await page.getByRole('alert', { name: 'Stale change request' }).getByRole('button', { name: 'Rebase onto version 1' }).click();
      await page.getByRole('alert', { name: 'Stale change request' }).waitFor({ state: 'detached' });
      await page.getByRole('region', { name: 'Reviews' }).getByText('0 of 1 approval').waitFor();
      const rebased = await api('GET', `${requests}/${b}`);
      assert.equal(rebased.status, 'pending');
      assert.equal(rebased.baseVersion, 1);
      assert.equal(rebased.stale, false);

      assert.equal((await bo('POST', `${requests}/${b}/approve`, {})).status, 200);
      assert.equal((await bo('POST', `${requests}/${b}/apply`, {})).status, 200);
      const final = await api('GET', configPath);
      assert.equal(final.on, true, 'the first request’s change is kept');
      assert.equal(final.offVariant, 'on');
    },
  },
];
