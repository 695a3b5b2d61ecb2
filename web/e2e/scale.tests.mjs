// The flags list with many flags: server-side search, sort and paging, list state in the URL,
// virtualised rows, no dropped keystrokes, and a failed refresh that keeps the rows.
import assert from 'node:assert/strict';

const SCALE_PROJECT = 'e2e-scale';
// The scale: the console must hold up with 5,000 flags.
const FLAG_COUNT = 5000;
const SEED_CONCURRENCY = 8;
const keyOf = (i) => `scale.step-${String(i).padStart(4, '0')}`;
const listUrl = (query = '') => `/${SCALE_PROJECT}/production/flags${query}`;

// One project of its own, seeded once for all the tests here, so the other journeys keep theirs small.
let seeded;
const seed = (api) =>
  (seeded ??= (async () => {
    await api('POST', '/projects', { key: SCALE_PROJECT, name: 'E2E scale' });
    let next = 0;
    const worker = async () => {
      while (next < FLAG_COUNT) {
        const i = next++;
        await api('POST', `/projects/${SCALE_PROJECT}/flags`, {
          key: keyOf(i),
          name: `Step ${String(i).padStart(4, '0')}`,
          kind: 'boolean',
          tags: [`batch-${i % 10}`],
        });
      }
    };
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  })());

const rowsInDom = (page) => page.locator('table.flags-table tbody tr:not([aria-hidden])').count();
const firstRowLink = (page) => page.locator('table.flags-table tbody tr:not([aria-hidden]) a.flag-link').first();
const searchBox = (page) => page.getByRole('searchbox', { name: 'Search' });

/** Seeding takes about 40 s on a quiet machine (minutes under load); it goes on in the background past this and the next tests wait for it. */
const SEED_FOREGROUND_MS = 50_000;

export const tests = [
  {
    name: 'scale: seed 5,000 flags through the API',
    run: async (h) => {
      const started = Date.now();
      const done = await Promise.race([seed(h.api).then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), SEED_FOREGROUND_MS))]);
      console.log(`    seeded ${done ? 'all' : 'part'} of ${FLAG_COUNT} flags in ${Date.now() - started} ms${done ? '' : ' (the rest in the background)'}`);
      const page = await h.api('GET', `/projects/${SCALE_PROJECT}/search/flags?limit=1`);
      assert.ok(page.total > 0);
    },
  },
  {
    name: 'scale: 5,000 flags render as a bounded window of rows that scrolls to the last one',
    // It waits for the seeding, then for a hundred pages to load while it scrolls.
    timeoutMs: 360_000,
    run: async (h) => {
      const { page, api } = h;
      await seed(api);
      await h.loginAs('admin@signalbox.local', h.adminPassword);
      await page.goto(listUrl());
      await page.getByText(`${FLAG_COUNT} flags`).waitFor();
      await firstRowLink(page).waitFor();
      assert.equal(await firstRowLink(page).textContent(), 'Step 0000');
      const initial = await rowsInDom(page);
      assert.ok(initial > 0 && initial <= 60, `rows in the DOM at first: ${initial}`);
      // Scroll until the last flag shows: pages load as the list nears their end.
      const scroller = page.locator('.flags-scroller');
      const last = page.getByRole('link', { name: `Step ${String(FLAG_COUNT - 1).padStart(4, '0')}`, exact: true });
      for (let i = 0; i < 3000 && !(await last.isVisible()); i++) {
        await scroller.evaluate((el) => el.scrollBy(0, el.clientHeight * 2));
        await page.waitForTimeout(50);
      }
      await last.waitFor();
      const atEnd = await rowsInDom(page);
      assert.ok(atEnd <= 60, `rows in the DOM at the end of ${FLAG_COUNT}: ${atEnd}`);
    },
  },
  {
    name: 'scale: fast typing keeps every keystroke and the results match, in the URL',
    run: async (h) => {
      const { page, api } = h;
      await seed(api);
      await h.loginAs('admin@signalbox.local', h.adminPassword);
      await page.goto(listUrl());
      await firstRowLink(page).waitFor();
      const box = searchBox(page);
      await box.click();
      await page.keyboard.type('step-04', { delay: 0 });
      assert.equal(await box.inputValue(), 'step-04');
      await page.waitForURL((url) => url.searchParams.get('q') === 'step-04');
      // step-0400 … step-0499.
      await page.getByText('100 flags', { exact: true }).waitFor();
      assert.equal(await firstRowLink(page).textContent(), 'Step 0400');
      assert.equal(await box.inputValue(), 'step-04');
      // Tags are searched too.
      await box.fill('batch-7');
      await page.waitForURL((url) => url.searchParams.get('q') === 'batch-7');
      await page.waitForFunction(() => document.querySelector('table.flags-table a.flag-link')?.textContent === 'Step 0007');
      await page.getByText(`${FLAG_COUNT / 10} flags`, { exact: true }).waitFor();
    },
  },
  {
    name: 'scale: sort and search live in the URL, and a link reproduces them',
    run: async (h) => {
      const { page, api, context } = h;
      await seed(api);
      await h.loginAs('admin@signalbox.local', h.adminPassword);
      await page.goto(listUrl());
      await firstRowLink(page).waitFor();
      await page.getByLabel('Sort by').selectOption('name');
      await page.getByLabel('Order').selectOption('desc');
      await page.waitForURL((url) => url.searchParams.get('sort') === 'name' && url.searchParams.get('order') === 'desc');
      const lastName = `Step ${String(FLAG_COUNT - 1).padStart(4, '0')}`;
      await page.waitForFunction((name) => document.querySelector('table.flags-table a.flag-link')?.textContent === name, lastName);
      await searchBox(page).fill('step-01');
      await page.waitForURL((url) => url.searchParams.get('q') === 'step-01');
      await page.waitForFunction(() => document.querySelector('table.flags-table a.flag-link')?.textContent === 'Step 0199');

      const link = page.url();
      const other = await context.newPage();
      await other.goto(link);
      await firstRowLink(other).waitFor();
      assert.equal(await firstRowLink(other).textContent(), 'Step 0199');
      assert.equal(await searchBox(other).inputValue(), 'step-01');
      assert.equal(await other.getByLabel('Sort by').inputValue(), 'name');
      assert.equal(await other.getByLabel('Order').inputValue(), 'desc');
      await other.getByText('100 flags', { exact: true }).waitFor();
      await other.close();
    },
  },
  {
    name: 'scale: a failed refresh keeps the rows and offers a retry',
    run: async (h) => {
      const { page, api } = h;
      await seed(api);
      await h.loginAs('admin@signalbox.local', h.adminPassword);
      await page.goto(listUrl());
      await firstRowLink(page).waitFor();
      const failing = (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'INTERNAL', message: 'boom' }) });
      await page.route('**/api/v1/projects/*/search/flags?**', failing);
      // A change elsewhere makes the list refresh (by push; a focus refresh as well, for a console without it).
      const flag = await api('GET', `/projects/${SCALE_PROJECT}/flags/${keyOf(0)}`);
      await api('PATCH', `/projects/${SCALE_PROJECT}/flags/${keyOf(0)}`, { version: flag.version, description: 'changed elsewhere' });
      await page.evaluate(() => window.dispatchEvent(new Event('focus')));
      await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      const notice = page.getByRole('status', { name: 'Could not refresh' });
      // The console retries a failed request with backoff before it calls the refresh failed.
      await notice.waitFor({ timeout: 30_000 });
      assert.equal(await firstRowLink(page).textContent(), 'Step 0000');
      assert.equal(await page.getByText('Could not load this.').count(), 0);
      await page.unroute('**/api/v1/projects/*/search/flags?**', failing);
      await notice.getByRole('button', { name: 'Retry' }).click();
      await notice.waitFor({ state: 'detached' });
      assert.equal(await firstRowLink(page).textContent(), 'Step 0000');
    },
  },
];
