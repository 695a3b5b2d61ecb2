// The TypeScript SDK part of the fleet: real `createClient` instances from the built SDK, over
// socket.io and over HTTP polling, split across the server instances. Each is watched through
// its public surface only: `change` and `status` events, `sequence`, `status` and the compiled
// config it serves, sampled every 50 ms on top of the events.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sdk from '@signalbox/sdk';
import { flagValue, ObservedClient } from './observed-client.mjs';

const SAMPLE_MS = 50;
/** The SDK's documented longest reconnection delay before it became a named constant. */
const LEGACY_MAX_BACKOFF_MS = 30_000;

/**
 * The SDK's own longest socket.io reconnection delay: its DEFAULT_RECONNECTION_DELAY_MAX_MS (read
 * from the built file, as the package does not export it), else the README's 30 s.
 */
export const sdkMaxBackoffMs = async () => {
  if (Number.isFinite(sdk.DEFAULT_RECONNECTION_DELAY_MAX_MS)) return sdk.DEFAULT_RECONNECTION_DELAY_MAX_MS;
  try {
    const file = path.resolve(import.meta.dirname, '../../sdk/dist/client/client-options.js');
    const options = await import(pathToFileURL(file).href);
    if (Number.isFinite(options.DEFAULT_RECONNECTION_DELAY_MAX_MS)) return options.DEFAULT_RECONNECTION_DELAY_MAX_MS;
  } catch {
    // An SDK without the constant.
  }
  return LEGACY_MAX_BACKOFF_MS;
};

const readFlags = (client) => {
  const flags = new Map();
  for (const [key, compiled] of client.compiledEnvironment?.flags ?? []) flags.set(key, flagValue(compiled.source));
  return flags;
};

/** Starts `sockets` socket.io and `pollers` polling clients, alternating over `instances`. */
export const startSdkFleet = ({ instances, sdkKey, sockets, pollers, pollIntervalMs, reconnectMaxMs }) => {
  const observed = [];
  const handles = [];
  const add = (transport, index) => {
    const instance = instances[index % instances.length];
    const id = `${transport === 'socket' ? 'socket' : 'poll'}-${String(index).padStart(2, '0')}`;
    const watch = new ObservedClient(id, instance, transport === 'socket' ? 'socket.io' : 'poll');
    const remember = (level) => (message) => watch.event(`${level}: ${String(message).slice(0, 300)}`);
    const client = sdk.createClient({
      url: instance.url,
      sdkKey,
      transport,
      pollIntervalMs,
      ...(reconnectMaxMs ? { reconnectionDelayMaxMs: reconnectMaxMs } : {}),
      logger: { warn: remember('warn'), error: remember('error'), debug: () => undefined },
    });
    const sample = (how) => {
      if (watch.closed) return;
      const now = Date.now();
      watch.observeSequence(client.sequence, now, how);
      watch.observeStatus(client.status, now);
      // Polling holds no connection the server counts; a socket does while it is connected.
      watch.connected = transport === 'socket' && client.status === 'ready';
    };
    client.on('change', () => {
      sample('change event');
      if (!watch.closed) watch.flags = readFlags(client);
    });
    client.on('status', (status, previous) => {
      watch.event(`status ${previous} → ${status}`);
      sample('status event');
    });
    client.on('error', (error) => watch.event(`error event: ${error?.message ?? error}`));
    watch.refresh = () => {
      sample('sample');
      if (!watch.closed) watch.flags = readFlags(client);
    };
    observed.push(watch);
    handles.push(client);
  };
  for (let i = 0; i < sockets; i++) add('socket', i);
  for (let i = 0; i < pollers; i++) add('poll', i);

  const timer = setInterval(() => observed.forEach((w) => w.refresh()), SAMPLE_MS);
  return {
    observed,
    async close() {
      clearInterval(timer);
      observed.forEach((w) => w.stopObserving());
      await Promise.all(handles.map((client) => client.close()));
    },
  };
};
