import module from 'node:module';
import v8 from 'node:v8';

// Node >= 22.1 keeps V8's compiled code of every module loaded after this call on disk (under
// os.tmpdir(), or NODE_COMPILE_CACHE), so a restart skips most of the compiling; hence every other
// import below is dynamic. It never throws, and on older Node versions it is absent.
const compileCache = module as { enableCompileCache?: () => unknown; flushCompileCache?: () => void };
compileCache.enableCompileCache?.();

// V8 doubles its young generation (up to 2 x 16 MB) whenever many objects survive a scavenge, as
// they do while the server builds its modules, and an idle server then keeps the grown space: about
// 15 MB of resident memory. Held at its initial size during the start, it grows again later only
// if the traffic asks for it. A flag read at each growth, so it applies at run time (unlike
// --max-semi-space-size); an operator's own setting on the command line is left alone.
const V8_DEFAULT_GROWTH_FACTOR = 2;
const growthFactorSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('semi-space-growth-factor'));
const holdYoungGeneration = (hold: boolean): void => {
  if (!growthFactorSet) v8.setFlagsFromString(`--semi-space-growth-factor=${hold ? 1 : V8_DEFAULT_GROWTH_FACTOR}`);
};
holdYoungGeneration(true);

let isConfigError: (err: unknown) => boolean = () => false;

const main = async (): Promise<void> => {
  await import('reflect-metadata');
  const [{ ConfigError, loadConfig }, { prepareEmbeddedDatabase }] = await Promise.all([
    import('./config/config.js'),
    import('./database/embedded-database.js'),
  ]);
  isConfigError = (err) => err instanceof ConfigError;
  const config = loadConfig();
  // Opening the embedded database (creating it, the first time) is mostly WebAssembly and file
  // work: started before the rest of the server's modules load, the two overlap.
  if (!config.databaseUrl) prepareEmbeddedDatabase(config.dataDir);
  const [{ createApp }, { shutDownOnSignals }] = await Promise.all([import('./app.js'), import('./shutdown.js')]);
  const app = await createApp(config);
  shutDownOnSignals(app, config.shutdownGraceMs);
  await app.listen(config.port, config.host);
  const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const port = (app.getHttpServer().address() as { port: number }).port;
  process.stdout.write(`\n  Signalbox is running: console http://${shown}:${port}/  API docs http://${shown}:${port}/api/docs\n\n`);
  holdYoungGeneration(false);
  // Everything is loaded: write the compile cache now rather than at exit, which a kill would skip.
  compileCache.flushCompileCache?.();
};

/** The reason in words, with what PostgreSQL adds to it (its code, detail and hint). */
const reasonOf = (err: unknown): string => {
  if (isConfigError(err)) return (err as Error).message;
  if (!(err instanceof Error)) return String(err);
  const { code, detail, hint } = err as Error & { code?: unknown; detail?: unknown; hint?: unknown };
  const extra = [
    typeof code === 'string' ? `code ${code}` : '',
    typeof detail === 'string' ? detail : '',
    typeof hint === 'string' ? `hint: ${hint}` : '',
  ].filter(Boolean);
  return `${err.message || err.name}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
};

main().catch((err: unknown) => {
  process.stderr.write(`Signalbox could not start: ${reasonOf(err)}\n`);
  if (err instanceof Error && !isConfigError(err) && process.env.LOG_LEVEL === 'debug') process.stderr.write(`${err.stack ?? ''}\n`);
  process.exit(1);
});
