// npm run bench:console — the flags list with many flags, in headless Chromium against the built
// server on a fresh embedded database: time to the first row, whether fast typing in the search box
// drops keystrokes, and the longest main-thread long task one remote change causes. Figures, not
// pass/fail. BENCH_FLAGS (default 5000) sets how many flags are seeded through the API,
// BENCH_COLD_LOADS (default 7) how many cold loads are timed. BENCH_BASELINE_DIR, a built checkout of
// another version (e.g. `git archive HEAD | tar -x -C /tmp/old`, node_modules linked, then
// `node scripts/build.mjs` there), starts its server too, seeded the same way, and alternates the
// cold loads between the two, so a change is measured against the same machine load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';

const FLAG_COUNT = Number(process.env.BENCH_FLAGS ?? 5000);
/** Cold page loads timed to the first row; the median is reported. */
const COLD_LOADS = Math.max(1, Number(process.env.BENCH_COLD_LOADS ?? 7));
const SEED_CONCURRENCY = 8;
const PROJECT = 'bench-console';
const ADMIN_PASSWORD = 'bench-admin-password';
const SEARCH_TERM = 'step-04';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR;
const keyOf = (i) => `pipeline.step-${String(i).padStart(4, '0')}`;

const serverEnv = { SIGNALBOX_ADMIN_PASSWORD: ADMIN_PASSWORD };
const server = await startServer({ env: serverEnv });
const baseline = BASELINE_DIR ? await startServer({ env: serverEnv, main: path.resolve(BASELINE_DIR, 'server/dist/src/main.js') }) : null;
const apiOf = (target) => async (method, pathname, body) => {
  const res = await target.admin(pathname, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
};
const api = apiOf(server);

/** Seed: the API, as a user or a script would, a few requests at a time. */
const seed = async (call) => {
  await call('POST', '/projects', { key: PROJECT, name: 'Bench console' });
  let next = 0;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < FLAG_COUNT) {
        const i = next++;
        await call('POST', `/projects/${PROJECT}/flags`, {
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
};

let browser;
try {
  const seedStarted = performance.now();
  await seed(api);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  if (baseline) await seed(apiOf(baseline));

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
  // One cold load: a fresh browser context (empty cache, new session), timed from navigation start.
  const coldLoad = async (target = server) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: target.url });
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
    await page.goto(`/${PROJECT}/production/flags`);
    await page.locator('table.flags-table a.flag-link').first().waitFor({ timeout: 30_000 });
    const firstRowMs = await page.evaluate(() => globalThis.__bench.firstRowAt);
    // Where the time went: when each request of the first path started and how long it took.
    const timeline = await page.evaluate(() => {
      const entries = globalThis.performance.getEntriesByType('resource');
      const pick = (test) => {
        const entry = entries.find((e) => test(new URL(e.name)));
        return entry ? { startMs: Math.round(entry.startTime), durationMs: Math.round(entry.duration), transferBytes: entry.transferSize } : null;
      };
      return {
        script: pick((u) => /\/assets\/index-.*\.js$/.test(u.pathname)),
        me: pick((u) => u.pathname.endsWith('/auth/me')),
        projects: pick((u) => u.pathname.endsWith('/api/v1/projects')),
        firstPage: pick((u) => u.pathname.includes('/search/flags') && u.searchParams.get('limit') !== '1'),
        // The console's code on the first path: how many files, and when the last of them arrived.
        scripts: entries.filter((e) => e.name.endsWith('.js')).length,
        scriptsLoadedMs: Math.round(Math.max(0, ...entries.filter((e) => e.name.endsWith('.js')).map((e) => e.responseEnd))),
      };
    });
    const rowsInDom = await page.locator('table.flags-table tbody tr:not([aria-hidden])').count();
    const domNodes = await page.evaluate(() => globalThis.document.getElementsByTagName('*').length);
    return { context, page, firstRowMs: Math.round(firstRowMs), timeline, rowsInDom, domNodes };
  };

  // 1. Time to the first row, over several cold loads (median, min, max): one load is too noisy on a shared machine.
  const loads = [];
  const baselineRows = [];
  for (let i = 0; i < COLD_LOADS; i++) {
    // Baseline and this version in turns (the baseline first every other time), so neither gets the quieter moments.
    const runBaseline = async () => {
      if (!baseline) return;
      const load = await coldLoad(baseline);
      baselineRows.push(load.firstRowMs);
      await load.context.close();
    };
    if (i % 2 === 0) await runBaseline();
    const load = await coldLoad();
    loads.push(load);
    if (i < COLD_LOADS - 1) await load.context.close();
    if (i % 2 === 1) await runBaseline();
  }
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  };
  const firstRows = loads.map((l) => l.firstRowMs);
  const firstRowMs = median(firstRows);
  const medianOf = (pickTime) => {
    const values = loads.map((l) => pickTime(l.timeline)).filter((v) => v !== null && v !== undefined);
    return values.length ? median(values) : null;
  };
  const requests = Object.fromEntries(
    ['script', 'me', 'projects', 'firstPage'].map((name) => [
      name,
      {
        startMs: medianOf((t) => t[name]?.startMs),
        durationMs: medianOf((t) => t[name]?.durationMs),
        transferBytes: loads.at(-1).timeline[name]?.transferBytes ?? null,
      },
    ]),
  );
  const firstPageRequest = requests.firstPage;
  const scripts = { files: loads.at(-1).timeline.scripts, loadedMs: medianOf((t) => t.scriptsLoadedMs) };
  const { page, rowsInDom, domNodes } = loads.at(-1);
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
    // A shared machine makes every figure slower: this says how busy it was.
    loadAverage: Number(os.loadavg()[0].toFixed(1)),
    payload: { wholeListArray: wholeList, firstPage: onePage },
    firstRowMs,
    firstRowRuns: firstRows,
    ...(baseline ? { baseline: { dir: BASELINE_DIR, firstRowMs: median(baselineRows), firstRowRuns: baselineRows } } : {}),
    requests,
    scripts,
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
    `\nConsole flags list with ${FLAG_COUNT} flags (headless Chromium, node ${process.version}, ${os.cpus().length} CPUs, load average ${results.loadAverage}; seeded in ${results.seedSeconds} s)`,
  );
  console.log(
    `  time to first row                  median ${firstRowMs} ms of ${COLD_LOADS} cold loads (min ${Math.min(...firstRows)}, max ${Math.max(...firstRows)}; from navigation start)`,
  );
  if (baseline)
    console.log(
      `  baseline (${BASELINE_DIR})  median ${median(baselineRows)} ms (min ${Math.min(...baselineRows)}, max ${Math.max(...baselineRows)}), loads alternated with the above`,
    );
  console.log(`    console code                   ${scripts.files} script files, all loaded at ${scripts.loadedMs} ms`);
  for (const [name, label] of [
    ['script', 'console script'],
    ['me', 'session (/auth/me)'],
    ['projects', 'projects'],
    ['firstPage', "list's first page"],
  ])
    if (requests[name].startMs !== null)
      console.log(
        `    ${label.padEnd(31)}asked at ${requests[name].startMs} ms, answered in ${requests[name].durationMs} ms (${kb(requests[name].transferBytes ?? 0)} on the wire)`,
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
  await baseline?.stop();
}
