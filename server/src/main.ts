import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';

const main = async (): Promise<void> => {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const port = (app.getHttpServer().address() as { port: number }).port;
  process.stdout.write(`\n  Signalbox is running: console http://${shown}:${port}/  API docs http://${shown}:${port}/api/docs\n\n`);
};

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
