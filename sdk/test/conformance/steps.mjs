// Step definitions for OpenFeature's Gherkin conformance scenarios, run against SignalboxProvider.
import assert from 'node:assert/strict';
import { After, AfterAll, BeforeAll, Given, Then, When, setDefaultTimeout, setWorldConstructor } from '@cucumber/cucumber';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature, ProviderStatus } from '@openfeature/server-sdk';
import { SignalboxProvider } from '@signalbox/sdk/openfeature';
import { FakeSignalbox } from './fake-server.mjs';
import { conformanceConfig } from './test-flags.mjs';

setDefaultTimeout(10_000);

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };
const config = conformanceConfig();
let fake;
let scenarios = 0;

BeforeAll(async () => {
  // Expected initialization failures (error, fatal, not-ready scenarios) are not worth a stack trace.
  OpenFeature.setLogger({ error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined });
  fake = await new FakeSignalbox(config).start();
});
AfterAll(async () => {
  await OpenFeature.close();
  await fake.close();
});

const until = async (condition, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** The type token of a step (`Boolean`, `integer`, ...) in lower case. */
const typeOf = (token) => token.toLowerCase();

/** A Gherkin cell parsed as a value of the given type. */
const parse = (type, text) => {
  switch (typeOf(type)) {
    case 'boolean':
      return text === 'true';
    case 'integer':
      return Number.parseInt(text, 10);
    case 'float':
      return Number.parseFloat(text);
    case 'object':
      return JSON.parse(text);
    default:
      return text;
  }
};

const sameValue = (type, actual, expected) => {
  if (typeOf(type) === 'object') return assert.deepStrictEqual(actual, parse(type, expected));
  assert.strictEqual(actual, parse(type, expected));
};

class ConformanceWorld {
  constructor() {
    this.domain = `conformance-${++scenarios}`;
    this.context = {};
    this.hookLog = [];
    this.hookDetails = {};
  }

  /** Sets a provider for this scenario's domain; `wait`: until it is initialized. */
  async useProvider(provider, wait) {
    this.provider = provider;
    if (wait) await OpenFeature.setProviderAndWait(this.domain, provider).catch(() => undefined);
    else OpenFeature.setProvider(this.domain, provider);
    this.client = OpenFeature.getClient(this.domain);
  }

  evaluate(options) {
    const { type, key, fallback } = this.flag;
    const client = this.client;
    switch (typeOf(type)) {
      case 'boolean':
        return client.getBooleanDetails(key, fallback, this.context, options);
      case 'string':
        return client.getStringDetails(key, fallback, this.context, options);
      case 'integer':
      case 'float':
        return client.getNumberDetails(key, fallback, this.context, options);
      case 'object':
        return client.getObjectDetails(key, fallback, this.context, options);
      default:
        throw new Error(`unknown flag type ${type}`);
    }
  }
}
setWorldConstructor(ConformanceWorld);

After(async function () {
  await OpenFeature.clearProviders(this.domain).catch?.(() => undefined);
  await this.provider?.onClose?.();
});

// --- providers -------------------------------------------------------------------------------

Given(/^a (stable|not ready|error|fatal|stale) provider$/, async function (state) {
  switch (state) {
    case 'stable':
      // run-ofrep.mjs: the published OFREP provider against a live server holding the same flags.
      if (process.env.CONFORMANCE_OFREP_URL)
        return this.useProvider(
          new OFREPProvider({ baseUrl: process.env.CONFORMANCE_OFREP_URL, headers: [['Authorization', `Bearer ${process.env.CONFORMANCE_OFREP_KEY}`]] }),
          true,
        );
      // In process: the flag set is the bootstrap config, nothing is fetched.
      return this.useProvider(
        new SignalboxProvider({ url: 'http://127.0.0.1:9', sdkKey: 'conformance', transport: 'none', bootstrap: config, logger: quiet }),
        true,
      );
    case 'not ready':
      // No bootstrap, no cache, no server answer yet: initialization is still waiting.
      return this.useProvider(
        new SignalboxProvider({ url: 'http://127.0.0.1:9', sdkKey: 'conformance', transport: 'none', logger: quiet, initTimeoutMs: 30_000 }),
        false,
      );
    case 'error': {
      // The server cannot be reached at start: no config within the init timeout (the client keeps trying).
      fake.mode = 'fail';
      await this.useProvider(
        new SignalboxProvider({ url: fake.url, sdkKey: 'conformance', transport: 'poll', pollIntervalMs: 50, logger: quiet, initTimeoutMs: 100 }),
        true,
      );
      return;
    }
    case 'fatal':
      fake.mode = 'refuse';
      return this.useProvider(new SignalboxProvider({ url: fake.url, sdkKey: 'revoked', transport: 'poll', logger: quiet }), true);
    case 'stale': {
      // Ready from the server, then the connection drops.
      fake.mode = 'serve';
      await this.useProvider(new SignalboxProvider({ url: fake.url, sdkKey: 'conformance', transport: 'poll', pollIntervalMs: 20, logger: quiet }), true);
      assert.equal(this.client.providerStatus, ProviderStatus.READY);
      fake.mode = 'fail';
      await until(() => this.client.providerStatus === ProviderStatus.STALE);
      fake.mode = 'serve';
      return;
    }
  }
});

Then('the provider status should be {string}', function (status) {
  assert.equal(this.client.providerStatus, status);
});

// --- flags and context -----------------------------------------------------------------------

Given('a {word}-flag with key {string} and a fallback value {string}', function (type, key, fallback) {
  this.flag = { type, key, fallback: parse(type, fallback) };
});

Given('a context containing a key {string}, with type {string} and with value {string}', function (key, type, value) {
  this.context[key] = parse(type, value);
});

Given('a context containing a key {string} with null value', function (key) {
  this.context[key] = null;
});

When('the flag was evaluated with details', async function () {
  this.details = await this.evaluate();
});

Then('the resolved details value should be {string}', function (expected) {
  sameValue(this.flag.type, this.details.value, expected);
});

Then('the reason should be {string}', function (reason) {
  assert.equal(this.details.reason, reason);
});

Then('the error-code should be {string}', function (code) {
  assert.equal(this.details.errorCode ?? '', code);
});

Then('the flag key should be {string}', function (key) {
  assert.equal(this.details.flagKey, key);
});

Then('the variant should be {string}', function (variant) {
  assert.equal(this.details.variant ?? '', variant);
});

// --- hooks -----------------------------------------------------------------------------------

const recordingHook = (world, name) => ({
  before: () => void world.hookLog.push(`${name}:before`),
  after: (_, details) => {
    world.hookLog.push(`${name}:after`);
    world.hookDetails.after = details;
  },
  error: () => void world.hookLog.push(`${name}:error`),
  finally: (_, details) => {
    world.hookLog.push(`${name}:finally`);
    world.hookDetails.finally = details;
  },
});

Given('a client with added hook', function () {
  this.client.addHooks(recordingHook(this, 'client'));
});

Given('evaluation options containing specific hooks', function () {
  this.options = { hooks: [recordingHook(this, 'first'), recordingHook(this, 'second')] };
});

When('the flag was evaluated with details using the evaluation options', async function () {
  this.details = await this.evaluate(this.options);
});

Then('the specified hooks should execute during evaluation', function () {
  for (const stage of ['before', 'after', 'finally'])
    for (const name of ['first', 'second']) assert.ok(this.hookLog.includes(`${name}:${stage}`), `${name}:${stage} ran`);
});

Then('the hook order should be maintained', function () {
  // Spec 4.4.2: before hooks run in order, after/error/finally hooks in reverse order.
  assert.deepEqual(this.hookLog, ['first:before', 'second:before', 'second:after', 'first:after', 'second:finally', 'first:finally']);
});

Then('the {string} hook should have been executed', function (stage) {
  assert.ok(
    this.hookLog.some((entry) => entry.endsWith(`:${stage}`)),
    `a ${stage} hook ran (log: ${this.hookLog.join(', ')})`,
  );
});

const DETAIL_FIELDS = { flag_key: 'flagKey', value: 'value', variant: 'variant', reason: 'reason', error_code: 'errorCode' };

Then('the {string} hooks should be called with evaluation details', function (stages, table) {
  for (const stage of stages.split(',').map((s) => s.trim())) {
    const details = this.hookDetails[stage];
    assert.ok(details, `the ${stage} hook received evaluation details`);
    for (const { data_type: type, key, value } of table.hashes()) {
      const actual = details[DETAIL_FIELDS[key]];
      if (value === 'null') assert.equal(actual ?? null, null, `${stage}: ${key}`);
      else assert.deepStrictEqual(actual, parse(type, value), `${stage}: ${key}`);
    }
  }
});

// --- immutability and asynchrony -------------------------------------------------------------

Given('an evaluation context with modifiable data', function () {
  this.context = { targetingKey: 'user-1', email: 'ballmer@macrosoft.com', nested: { plan: 'pro', tags: ['a', 'b'] } };
  this.contextBefore = structuredClone(this.context);
});

Then('the original evaluation context should remain unmodified', function () {
  assert.deepStrictEqual(this.context, this.contextBefore);
});

Then('the evaluation details should be immutable', function () {
  assert.ok(Object.isFrozen(this.details.flagMetadata), 'flag metadata is frozen');
  assert.throws(() => {
    'use strict';
    this.details.flagMetadata.injected = true;
  });
});

When('the flag was evaluated with details asynchronously', async function () {
  const pending = this.evaluate();
  this.returnedPromise = pending instanceof Promise;
  this.details = await pending;
});

Then('the evaluation should complete without blocking', function () {
  assert.ok(this.returnedPromise, 'the evaluation returned a promise');
});
