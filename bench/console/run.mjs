// npm run bench:console — the flags list with many flags, in headless Chromium against the built
// server on a fresh embedded database: time to the first row, whether fast typing in the search box
// drops keystrokes, and the longest main-thread long task one remote change causes. Figures, not
// pass/fail. BENCH_FLAGS (default 5000) sets how many flags are seeded through the API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';

const FLAG_COUNT = Number(process.env.BENCH_FLAGS ?? 5000);
const SEED_CONCURRENCY = 8;
const PROJECT = 'bench-console';
const ADMIN_PASSWORD = 'bench-admin-password';
const SEARCH_TERM = 'step-04';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const keyOf = (i) => `pipeline.step-${String(i).padStart(4, '0')}`;

const server = await startServer({ env: { SIGNALBOX_ADMIN_PASSWORD: ADMIN_PASSWORD } });
const api = async (method, pathname, body) => {
  const res = await server.admin(pathname, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
};

let browser;
try {
  // Seed: the API, as a user or a script would, a few requests at a time.
  const seedStarted = performance.now();
  await api('POST', '/projects', { key: PROJECT, name: 'Bench console' });
  let next = 0;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < FLAG_COUNT) {
        const i = next++;
        await api('POST', `/projects/${PROJECT}/flags`, {
          key: keyOf(i),
          name: `Pipeline step ${i}`,
          description: `Gates step ${i} of the nightly pipeline`,
          kind: 'boolean',
          owner: `team-${i % 7}`,
          tags: ['pipeline', `shard-${i % 16}`],
        });
      }
    }),
  );
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // Payload sizes: the whole-list array (what the console fetched before) and one page, plain and gzipped.
  const sizeOf = async (pathname) => {
    const plain = Buffer.from(await (await server.admin(pathname)).arrayBuffer());
    const wire = await server.admin(pathname, { headers: { 'accept-encoding': 'gzip' } });
    return { plain: plain.length, gzip: gzipSync(plain).length, servedGzip: wire.headers.get('content-encoding') === 'gzip' };
  };
  const wholeList = await sizeOf(`/projects/${PROJECT}/flags`);
  const onePage = await sizeOf(`/projects/${PROJECT}/search/flags?limit=50`);
  const expectedMatches = (await api('GET', `/projects/${PROJECT}/search/flags?limit=1&q=${SEARCH_TERM}`)).total;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.url });
  const login = await context.request.post('/api/v1/auth/login', { data: { email: 'admin@signalbox.local', password: ADMIN_PASSWORD } });
  if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
  const page = await context.newPage();
  // Before any page script: note when the first row appears and every long task.
  // (Page functions reach the browser's globals through globalThis: this file is linted as Node code.)
  await page.addInitScript(() => {
    const bench = (globalThis.__bench = { firstRowAt: null, longTasks: [] });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    const observer = new globalThis.MutationObserver(() => {
      if (globalThis.document.querySelector('table.flags-table a.flag-link')) {
        bench.firstRowAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(globalThis.document, { childList: true, subtree: true });
  });

  // 1. Time to the first row, from navigation start (a cold page: HTML, scripts, session, first page).
  await page.goto(`/${PROJECT}/production/flags`);
  await page.locator('table.flags-table a.flag-link').first().waitFor({ timeout: 30_000 });
  const firstRowMs = await page.evaluate(() => globalThis.__bench.firstRowAt);
  // Where the time went: when the first page was asked for (after the shell, session and project loaded) and how long it took.
  const firstPageRequest = await page.evaluate(() => {
    const entry = globalThis.performance
      .getEntriesByType('resource')
      .find((e) => e.name.includes('/search/flags?') && new URL(e.name).searchParams.get('limit') !== '1');
    return entry ? { startMs: Math.round(entry.startTime), durationMs: Math.round(entry.duration), transferBytes: entry.transferSize } : null;
  });
  const rowsInDom = await page.locator('table.flags-table tbody tr:not([aria-hidden])').count();
  const domNodes = await page.evaluate(() => globalThis.document.getElementsByTagName('*').length);
  await page.waitForTimeout(1000);

  // 2. Fast typing: every keystroke at once (no delay between them).
  const box = page.getByRole('searchbox', { name: 'Search' });
  await box.click();
  const typedAt = Date.now();
  await page.keyboard.type(SEARCH_TERM, { delay: 0 });
  const valueRightAfter = await box.inputValue();
  await page.waitForFunction(
    ([term, count]) =>
      new URL(globalThis.location.href).searchParams.get('q') === term &&
      globalThis.document.querySelector('.flags-count')?.textContent?.startsWith(`${count} flag`),
    [SEARCH_TERM, expectedMatches],
    { timeout: 30_000 },
  );
  const resultsMs = Date.now() - typedAt;
  const shownKeys = await page.locator('table.flags-table tbody tr:not([aria-hidden]) .flag-meta code').allTextContents();
  const resultsMatch = shownKeys.length > 0 && shownKeys.every((key) => key.includes(SEARCH_TERM));
  const valueAfterResults = await box.inputValue();

  // 3. One remote change while the list is open: turn the first listed flag on in production.
  const changedKey = shownKeys[0];
  await page.waitForTimeout(1500);
  const longTasksBefore = await page.evaluate(() => globalThis.__bench.longTasks.length);
  const changeAt = await page.evaluate(() => performance.now());
  await api('PATCH', `/projects/${PROJECT}/flags/${changedKey}/environments/production`, { version: 0, on: true, reason: 'bench' });
  const row = page.locator('table.flags-table tbody tr', { has: page.locator('.flag-meta code', { hasText: changedKey }) });
  let appearedMs = null;
  try {
    await row.locator('.badge', { hasText: /^on$/ }).first().waitFor({ timeout: 10_000 });
    appearedMs = (await page.evaluate(() => performance.now())) - changeAt;
  } catch {
    // Not shown within 10 s: reported as such.
  }
  await page.waitForTimeout(1000);
  const changeTasks = await page.evaluate((from) => globalThis.__bench.longTasks.slice(from), longTasksBefore);
  const longestChangeTask = changeTasks.reduce((max, t) => Math.max(max, t.duration), 0);

  const results = {
    date: new Date().toISOString(),
    flags: FLAG_COUNT,
    seedSeconds: Number(seedSeconds.toFixed(1)),
    payload: { wholeListArray: wholeList, firstPage: onePage },
    firstRowMs: Math.round(firstRowMs),
    firstPageRequest,
    firstPaint: { rowsInDom, domNodes },
    typing: { typed: SEARCH_TERM, valueRightAfter, valueAfterResults, dropped: valueAfterResults !== SEARCH_TERM, expectedMatches, resultsMatch, resultsMs },
    remoteChange: {
      flag: changedKey,
      shownAfterMs: appearedMs === null ? null : Math.round(appearedMs),
      longTasks: changeTasks.length,
      longestTaskMs: Math.round(longestChangeTask),
    },
  };

  const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
  console.log(
    `\nConsole flags list with ${FLAG_COUNT} flags (headless Chromium, node ${process.version}, ${os.cpus().length} CPUs; seeded in ${results.seedSeconds} s)`,
  );
  console.log(`  time to first row                  ${results.firstRowMs} ms (from navigation start)`);
  if (firstPageRequest)
    console.log(
      `  of which the first page's request     asked at ${firstPageRequest.startMs} ms, answered in ${firstPageRequest.durationMs} ms (${kb(firstPageRequest.transferBytes)} on the wire)`,
    );
  console.log(`  rows / DOM nodes after first paint  ${rowsInDom} rows, ${domNodes} elements`);
  console.log(`  payload: whole list (array)        ${kb(wholeList.plain)} plain, ${kb(wholeList.gzip)} gzip (served gzipped: ${wholeList.servedGzip})`);
  console.log(`  payload: one page of 50            ${kb(onePage.plain)} plain, ${kb(onePage.gzip)} gzip (served gzipped: ${onePage.servedGzip})`);
  console.log(
    `  typing "${SEARCH_TERM}" with no delay       input "${valueAfterResults}" (${results.typing.dropped ? 'DROPPED keystrokes' : 'nothing dropped'}); ${expectedMatches} matches, rows match: ${resultsMatch}; results after ${resultsMs} ms`,
  );
  console.log(
    `  one remote change                  shown after ${results.remoteChange.shownAfterMs ?? 'not within 10 s'} ms; ${changeTasks.length} long task(s), longest ${results.remoteChange.longestTaskMs} ms`,
  );
  fs.mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
  fs.writeFileSync(path.resolve(import.meta.dirname, '../results/console.json'), JSON.stringify(results, null, 2));
} finally {
  await browser?.close().catch(() => {});
  await server.stop();
}
