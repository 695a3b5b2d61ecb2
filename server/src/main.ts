import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { shutDownOnSignals } from './shutdown.js';

const main = async (): Promise<void> => {
  const config = loadConfig();
  const app = await createApp(config);
  shutDownOnSignals(app, config.shutdownGraceMs);
  await app.listen(config.port, config.host);
  const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const port = (app.getHttpServer().address() as { port: number }).port;
  process.stdout.write(`\n  Signalbox is running: console http://${shown}:${port}/  API docs http://${shown}:${port}/api/docs\n\n`);
};

/** The reason in words, with what PostgreSQL adds to it (its code, detail and hint). */
const reasonOf = (err: unknown): string => {
  if (err instanceof ConfigError) return err.message;
  if (!(err instanceof Error)) return String(err);
  const { code, detail, hint } = err as Error & { code?: unknown; detail?: unknown; hint?: unknown };
  const extra = [typeof code === 'string' ? `code ${code}` : '', typeof detail === 'string' ? detail : '', typeof hint === 'string' ? `hint: ${hint}` : ''].filter(Boolean);
  return `${err.message || err.name}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
};

main().catch((err: unknown) => {
  process.stderr.write(`Signalbox could not start: ${reasonOf(err)}\n`);
  if (err instanceof Error && !(err instanceof ConfigError) && process.env.LOG_LEVEL === 'debug') process.stderr.write(`${err.stack ?? ''}\n`);
  process.exit(1);
});
