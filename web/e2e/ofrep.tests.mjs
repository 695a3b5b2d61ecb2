// OFREP in a real browser, with clients no one here wrote: @openfeature/web-sdk and
// @openfeature/ofrep-web-provider, bundled by vite into a tiny page that the test serves on another
// origin than the server (so CORS is exercised), evaluating flags in Chromium with the SDK key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { build } from 'vite';

const PROJECT = 'ofrepweb';
const here = import.meta.dirname;

/** The page's script: both packages bundled from a temporary entry file, as an application would. */
const PAGE_ENTRY = `
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';

const details = (client, type, key, fallback) => {
  const d = client['get' + type + 'Details'](key, fallback);
  return { value: d.value, variant: d.variant, reason: d.reason, errorCode: d.errorCode, flagMetadata: { ...d.flagMetadata } };
};

window.ofrep = {
  changes: 0,
  async start(baseUrl, sdkKey, pollInterval) {
    await OpenFeature.setContext('good', { targetingKey: 'u1', plan: 'enterprise' });
    await OpenFeature.setProviderAndWait('good', new OFREPWebProvider({ baseUrl, headers: [['Authorization', 'Bearer ' + sdkKey]], pollInterval }));
    OpenFeature.getClient('good').addHandler(ProviderEvents.ConfigurationChanged, () => window.ofrep.changes++);
    await OpenFeature.setContext('bad', { targetingKey: 'u1' });
    let badInit = 'ok';
    try {
      await OpenFeature.setProviderAndWait('bad', new OFREPWebProvider({ baseUrl, headers: [['Authorization', 'Bearer sbk_wrong']], pollInterval: 0 }));
    } catch (error) {
      badInit = String(error && error.message ? error.message : error);
    }
    return { badInit, badStatus: OpenFeature.getClient('bad').providerStatus };
  },
  eval(domain, type, key, fallback) {
    return details(OpenFeature.getClient(domain), type, key, fallback);
  },
};
document.body.dataset.ready = 'yes';
`;

const bundlePage = async () => {
  // Inside the workspace so the bare imports resolve to the installed packages.
  const dir = fs.mkdtempSync(path.join(here, '.ofrep-page-'));
  try {
    const entry = path.join(dir, 'entry.js');
    fs.writeFileSync(entry, PAGE_ENTRY);
    const result = await build({
      configFile: false,
      root: dir,
      logLevel: 'silent',
      build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'app' } },
    });
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    const chunk = outputs.find((o) => o.type === 'chunk' && o.isEntry);
    assert.ok(chunk, 'vite produced the page bundle');
    return chunk.code;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

/** Serves the page on its own origin (another port than the server's). */
const servePage = (script) =>
  new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      if (req.url === '/app.js') return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><body><script type="module" src="/app.js"></script></body></html>');
    });
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }));
  });

/** One flag of each kind, a rule, and a flag that is off with no off variant (the caller's default). */
const seed = async (api) => {
  const { sdkKeys } = await api('POST', '/projects', { key: PROJECT, name: 'OFREP web' });
  const flags = `/projects/${PROJECT}/flags`;
  const configure = (key, config) =>
    api('PUT', `${flags}/${key}/environments/development`, { version: 0, targets: [], rules: [], prerequisites: [], ...config });
  await api('POST', flags, { key: 'web.enabled', name: 'web enabled', kind: 'boolean' });
  await api('PATCH', `${flags}/web.enabled/environments/development`, { version: 0, on: true });
  await api('POST', flags, {
    key: 'web.model',
    name: 'web model',
    kind: 'string',
    variants: [
      { key: 'v1', value: 'model-v1' },
      { key: 'v2', value: 'model-v2' },
    ],
  });
  await configure('web.model', {
    on: true,
    offVariant: 'v1',
    rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'v2' } }],
    defaultRule: { variant: 'v1' },
  });
  await api('POST', flags, {
    key: 'web.batch',
    name: 'web batch',
    kind: 'number',
    variants: [
      { key: 'small', value: 100 },
      { key: 'large', value: 2.5 },
    ],
  });
  await configure('web.batch', { on: true, offVariant: 'small', defaultRule: { variant: 'large' } });
  await api('POST', flags, { key: 'web.config', name: 'web config', kind: 'json', variants: [{ key: 'a', value: { depth: 3 } }] });
  await configure('web.config', { on: true, offVariant: 'a', defaultRule: { variant: 'a' } });
  await api('POST', flags, { key: 'web.nooff', name: 'web no off variant', kind: 'boolean' });
  await configure('web.nooff', { on: false, offVariant: null, defaultRule: { variant: 'on' } });
  return sdkKeys.development;
};

export const tests = [
  {
    name: 'ofrep: the OpenFeature web SDK with the OFREP web provider evaluates flags, re-fetches by ETag and reports errors',
    run: async (h) => {
      const sdkKey = await seed(h.api);
      const page = await servePage(await bundlePage());
      try {
        const bulk = [];
        h.page.on('response', (res) => {
          if (new URL(res.url()).pathname !== '/ofrep/v1/evaluate/flags') return;
          bulk.push({ status: res.status(), ifNoneMatch: res.request().headers()['if-none-match'], etag: res.headers().etag });
        });
        await h.page.goto(page.url);
        await h.page.waitForSelector('body[data-ready="yes"]', { state: 'attached' });
        const started = await h.page.evaluate(([url, key]) => window.ofrep.start(url, key, 200), [h.baseUrl, sdkKey]);
        // A wrong key: the provider cannot start, and its evaluations serve the default with an error.
        assert.notEqual(started.badInit, 'ok', 'the provider with a wrong key failed to initialize');
        const evaluate = (domain, type, key, fallback) => h.page.evaluate((a) => window.ofrep.eval(...a), [domain, type, key, fallback]);

        assert.deepEqual(await evaluate('good', 'Boolean', 'web.enabled', false), {
          value: true,
          variant: 'on',
          reason: 'STATIC',
          errorCode: undefined,
          flagMetadata: { flagVersion: 1 },
        });
        const model = await evaluate('good', 'String', 'web.model', 'fallback');
        assert.deepEqual([model.value, model.variant, model.reason, model.flagMetadata.ruleIndex], ['model-v2', 'v2', 'TARGETING_MATCH', 0]);
        const batch = await evaluate('good', 'Number', 'web.batch', 0);
        assert.deepEqual([batch.value, batch.variant, batch.reason], [2.5, 'large', 'STATIC']);
        assert.deepEqual((await evaluate('good', 'Object', 'web.config', {})).value, { depth: 3 });
        // Off with no off variant: OFREP leaves the value out and the provider serves the caller's default.
        const noOff = await evaluate('good', 'Boolean', 'web.nooff', true);
        assert.deepEqual([noOff.value, noOff.reason, noOff.errorCode], [true, 'DISABLED', undefined]);

        // Errors: an unknown flag, a wrong type, a wrong key — each the default with an error code.
        const missing = await evaluate('good', 'String', 'web.nope', 'dflt');
        assert.deepEqual([missing.value, missing.reason, missing.errorCode], ['dflt', 'ERROR', 'FLAG_NOT_FOUND']);
        const wrongType = await evaluate('good', 'Number', 'web.model', 7);
        assert.deepEqual([wrongType.value, wrongType.reason, wrongType.errorCode], [7, 'ERROR', 'TYPE_MISMATCH']);
        const refused = await evaluate('bad', 'Boolean', 'web.enabled', false);
        assert.equal(refused.value, false);
        assert.equal(refused.reason, 'ERROR');
        assert.ok(refused.errorCode, `a refused key gives an error code (status ${started.badStatus})`);

        // Polling re-fetches by ETag: unchanged flags are answered 304.
        const deadline304 = Date.now() + 5000;
        while (!bulk.some((r) => r.status === 304 && r.ifNoneMatch) && Date.now() < deadline304) await new Promise((r) => setTimeout(r, 100));
        const notModified = bulk.find((r) => r.status === 304);
        assert.ok(notModified, `a poll was answered 304 (saw ${bulk.map((r) => r.status).join(', ')})`);
        const firstEtag = bulk.find((r) => r.status === 200 && r.etag)?.etag;
        assert.equal(notModified.ifNoneMatch, firstEtag, 'the poll sent the ETag it was given');

        // A change through the API reaches the page on the next poll, with a new ETag.
        await h.api('PATCH', `/projects/${PROJECT}/flags/web.enabled/environments/development`, { version: 1, on: false });
        await h.page.waitForFunction(() => window.ofrep.eval('good', 'Boolean', 'web.enabled', true).value === false, null, { timeout: 5000 });
        const after = await evaluate('good', 'Boolean', 'web.enabled', true);
        assert.deepEqual([after.value, after.variant, after.reason], [false, 'off', 'DISABLED']);
        assert.ok(await h.page.evaluate(() => window.ofrep.changes > 0), 'the provider emitted a configuration change');
        const changed = bulk.filter((r) => r.status === 200).pop();
        assert.notEqual(changed.etag, firstEtag, 'the changed flag set has a new ETag');
        assert.equal(changed.ifNoneMatch, firstEtag, 'the re-fetch was conditional');
      } finally {
        await page.close();
      }
    },
  },
];
