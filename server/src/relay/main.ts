import { startRelay, type RelayOptions } from './relay.js';

/**
 * Runs a relay until SIGINT/SIGTERM: what `signalbox relay` calls, and what tests and benches
 * start as a process (`node server/dist/src/relay/main.js '<options as JSON>'`).
 */
export const runRelay = async (options: RelayOptions): Promise<void> => {
  const relay = await startRelay(options);
  const stop = () => void relay.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href && process.argv[2]) {
  await runRelay(JSON.parse(process.argv[2]) as RelayOptions);
}
