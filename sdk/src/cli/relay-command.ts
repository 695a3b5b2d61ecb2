import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Command, Option } from 'commander';
import { CliError, EXIT } from './api.js';
import type { Io } from './commands.js';

interface RelayEntry {
  runRelay(options: { upstream: string; sdkKeys: string[]; port: number; host?: string; relayId?: string }): Promise<void>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

// The relay is a server-side process (node:http + socket.io) that lives with the server, which
// the SDK package does not depend on: it is found next to it, in the repository or installation.
const loadRelay = async (): Promise<RelayEntry> => {
  let serverDir: string;
  try {
    serverDir = path.dirname(createRequire(import.meta.url).resolve('@signalbox/server/package.json'));
  } catch {
    throw new CliError('the relay ships with the Signalbox server: run it from a Signalbox checkout or installation (npm ci && npm run build)', EXIT.failed);
  }
  const entry = path.join(serverDir, 'dist', 'src', 'relay', 'main.js');
  try {
    return (await import(pathToFileURL(entry).href)) as RelayEntry;
  } catch (err) {
    throw new CliError(`cannot load the relay from ${entry} (${(err as Error).message}); run \`npm run build\` first`, EXIT.failed);
  }
};

/** `relay`: serve SDKs from memory, following an upstream server as one SDK per environment. */
export const addRelayCommand = (program: Command, io: Io): void => {
  program
    .command('relay')
    .description('serve SDKs (socket.io, SSE, config, remote evaluation, OFREP) from memory, following an upstream server')
    .addOption(new Option('--upstream <url>', 'the Signalbox server to follow').env('SIGNALBOX_RELAY_UPSTREAM'))
    .option('--sdk-key <key>', 'an SDK key of each environment to serve (repeat for several; or SIGNALBOX_RELAY_SDK_KEYS, comma-separated)', collect)
    .addOption(new Option('--port <port>', 'port to listen on').default('4343').env('SIGNALBOX_RELAY_PORT'))
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--relay-id <id>', "this relay's name in the upstream's delivery counts (default: random per process)")
    .action(async (options: { upstream?: string; sdkKey?: string[]; port: string; host: string; relayId?: string }) => {
      const fromEnv = (io.env.SIGNALBOX_RELAY_SDK_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      const sdkKeys = options.sdkKey ?? fromEnv;
      if (!options.upstream || sdkKeys.length === 0)
        throw new CliError('Usage: signalbox relay --upstream <url> --sdk-key <key> [--sdk-key <key> ...] [--port 4343]', EXIT.usage);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port must be an integer from 0 to 65535; got '${options.port}'`, EXIT.usage);
      const relay = await loadRelay();
      try {
        await relay.runRelay({ upstream: options.upstream, sdkKeys, port, host: options.host, relayId: options.relayId });
      } catch (err) {
        throw new CliError((err as Error).message, EXIT.usage);
      }
    });
};
