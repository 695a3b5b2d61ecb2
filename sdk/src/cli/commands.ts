import { Command, Option } from 'commander';
import { apiClient, CliError, EXIT } from './api.js';
import { type CliConfig, readConfig, writeConfig } from './cli-config.js';
import { addFlagsAsCodeCommands } from './flags-as-code.js';
import { addRelayCommand } from './relay-command.js';
import { addRequestCommands } from './requests.js';
import { addScheduleCommands } from './schedule.js';
import { addVersionCommands } from './versions.js';

interface ConfigView {
  environment: string;
  on: boolean;
  killed: boolean;
  kill: { reason: string; by: string; at: string } | null;
  version: number;
}
interface FlagView {
  key: string;
  name: string;
  kind: string;
  tags: string[];
  owner: string | null;
  environments: Record<string, ConfigView>;
}
interface KillOutcome {
  environments: Array<{
    environment: string;
    killed: boolean;
    version: number;
    changed: boolean;
    delivery?: { connected: number; confirmed: number; allConfirmed: boolean };
  }>;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

const stateOf = (c: ConfigView): string => (c.killed ? `KILLED (${c.kill?.reason} — ${c.kill?.by}, ${c.kill?.at})` : c.on ? 'on' : 'off');

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Builds the `signalbox` command tree; `io` makes it testable without a terminal. */
export const buildProgram = (io: Io): Command => {
  const program = new Command('signalbox')
    .description('Signalbox from the shell: kill and restore flags, check status, evaluate')
    .option('--url <url>', 'server URL (default: from `signalbox login` or SIGNALBOX_URL)')
    .option('--token <token>', 'API token (default: from `signalbox login` or SIGNALBOX_TOKEN)')
    .option('-p, --project <key>', 'project key (default: from `signalbox login` or SIGNALBOX_PROJECT)')
    .option('--json', 'print JSON instead of text')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  const settings = (): CliConfig & { json: boolean } => {
    const file = readConfig(io.env);
    const flags = program.opts<{ url?: string; token?: string; project?: string; json?: boolean }>();
    return { ...file, url: flags.url ?? file.url, token: flags.token ?? file.token, project: flags.project ?? file.project, json: Boolean(flags.json) };
  };
  const projectOf = (s: CliConfig): string => {
    if (!s.project) throw new CliError('No project: pass --project or run `signalbox login --project <key>`', EXIT.usage);
    return s.project;
  };
  program
    .command('login')
    .description('save --url, --token and --project for later commands (file mode 0600)')
    .action(async () => {
      const o = program.opts<{ url?: string; token?: string; project?: string }>();
      if (!o.url || !o.token) throw new CliError('Usage: signalbox login --url <url> --token <token> [--project <key>]', EXIT.usage);
      const call = apiClient(o.url, o.token);
      const me = await call<{ name: string; role: string }>('GET', '/auth/me').catch((err: unknown) => {
        // A kill-switch token may not read /auth/me; the credential is still worth saving.
        if (err instanceof CliError && err.exitCode === EXIT.auth) return { name: 'kill-switch token', role: 'kill-switch' };
        throw err;
      });
      const previous = readConfig({ ...io.env, SIGNALBOX_URL: undefined, SIGNALBOX_TOKEN: undefined, SIGNALBOX_PROJECT: undefined });
      const file = writeConfig({ ...previous, url: o.url, token: o.token, project: o.project ?? previous.project }, io.env);
      io.out(`Saved to ${file}: ${me.name} (${me.role}) on ${o.url}`);
    });

  const killOrRestore = (name: 'kill' | 'restore') =>
    program
      .command(`${name} <flag>`)
      .description(name === 'kill' ? 'kill a flag: it serves its off variant everywhere, at once' : 'restore a killed flag to exactly its previous config')
      .addOption(new Option('-e, --env <key>', 'environment (repeatable)').argParser(collect))
      .option('--all-envs', 'every environment of the project you may act on')
      .option('-r, --reason <text>', name === 'kill' ? 'why (required; kept in the audit log)' : 'why (kept in the audit log)')
      .option('--wait <ms>', 'wait up to this long for connected SDKs to confirm (at most 10000)', '3000')
      .action(async (flag: string, o: { env?: string[]; allEnvs?: boolean; reason?: string; wait: string }) => {
        const s = settings();
        if (name === 'kill' && !o.reason?.trim()) throw new CliError('A kill needs --reason "<why>"', EXIT.usage);
        if (!o.env?.length && !o.allEnvs) throw new CliError('Say where: --env <key> (repeatable) or --all-envs', EXIT.usage);
        const wait = Math.min(10_000, Math.max(0, Number(o.wait) || 0));
        const call = apiClient(s.url, s.token);
        const flagPath = `/projects/${projectOf(s)}/flags/${encodeURIComponent(flag)}`;
        const outcome = await call<KillOutcome>('POST', `${flagPath}/${name}`, {
          ...(o.reason ? { reason: o.reason } : {}),
          ...(o.env?.length ? { environments: o.env } : {}),
          waitForConfirmationMs: wait,
        }).catch(async (err: unknown) => {
          // An environment that requires approval takes a restore only as a change request, one
          // environment at a time: make them (a kill-switch token is refused again, with the server's words).
          if (!(err instanceof CliError && err.code === 'APPROVAL_REQUIRED' && name === 'restore' && o.env?.length)) throw err;
          for (const env of o.env) {
            const answer = await call<{ changeRequest?: { number: number; requiredApprovals: number }; version?: number; killed?: boolean }>(
              'POST',
              `${flagPath}/environments/${encodeURIComponent(env)}/restore`,
              o.reason ? { reason: o.reason } : {},
            );
            if (s.json) io.out(JSON.stringify({ environment: env, ...answer }, null, 2));
            else if (answer.changeRequest)
              io.out(
                `${flag} in ${env}: requires approval — change request #${answer.changeRequest.number} created (needs ${answer.changeRequest.requiredApprovals}; signalbox requests show ${answer.changeRequest.number})`,
              );
            else io.out(`${flag} in ${env}: ${answer.killed ? 'KILLED' : 'restored'} (version ${answer.version})`);
          }
          return null;
        });
        if (outcome === null) return;
        if (s.json) return io.out(JSON.stringify(outcome.environments, null, 2));
        for (const r of outcome.environments) {
          const state = r.killed ? 'KILLED' : 'restored';
          const unchanged = r.changed ? '' : ', already so';
          const confirmed = r.delivery ? `; confirmed by ${r.delivery.confirmed} of ${r.delivery.connected} connected SDKs` : '';
          io.out(`${flag} in ${r.environment}: ${state} (version ${r.version}${unchanged})${confirmed}`);
        }
      });
  killOrRestore('kill');
  killOrRestore('restore');

  program
    .command('status <flag>')
    .description('the flag in every environment: on, off or killed (with who and why)')
    .action(async (flag: string) => {
      const s = settings();
      const view = await apiClient(s.url, s.token)<FlagView>('GET', `/projects/${projectOf(s)}/flags/${encodeURIComponent(flag)}`);
      if (s.json) return io.out(JSON.stringify(view, null, 2));
      io.out(`${view.key} (${view.kind}) — ${view.name}`);
      for (const config of Object.values(view.environments)) io.out(`  ${config.environment.padEnd(14)} ${stateOf(config)}  v${config.version}`);
    });

  program
    .command('flags')
    .description('flags of the project')
    .command('list')
    .option('--tag <tag>', 'only flags with this tag')
    .action(async (o: { tag?: string }) => {
      const s = settings();
      const query = o.tag ? `?tag=${encodeURIComponent(o.tag)}` : '';
      const flags = await apiClient(s.url, s.token)<FlagView[]>('GET', `/projects/${projectOf(s)}/flags${query}`);
      if (s.json) return io.out(JSON.stringify(flags, null, 2));
      if (flags.length === 0) return io.out('No flags.');
      for (const f of flags)
        io.out(
          `${f.key.padEnd(36)} ${Object.values(f.environments)
            .map((c) => `${c.environment}=${c.killed ? 'KILLED' : c.on ? 'on' : 'off'}`)
            .join(' ')}`,
        );
    });

  program
    .command('eval <flag>')
    .description('evaluate a flag for a context: with --env (and your token) the server explains its decision; with an SDK key it evaluates as an SDK would')
    .option('-e, --env <key>', 'environment (uses the explain API)')
    .option('--sdk-key <key>', 'an SDK key (uses remote evaluation; default SIGNALBOX_SDK_KEY)')
    .option('-c, --context <json>', 'context attributes as JSON', '{}')
    .option('--exit-code', 'exit 0 when the value is true, 1 when false (for `if signalbox eval ...; then`)')
    .action(async (flag: string, o: { env?: string; sdkKey?: string; context: string; exitCode?: boolean }) => {
      const s = settings();
      let context: unknown;
      try {
        context = JSON.parse(o.context);
      } catch {
        throw new CliError('--context must be JSON, e.g. \'{"runId":"run-42"}\'', EXIT.usage);
      }
      let result: { value: unknown; variant?: string; reason: string; errorCode?: string; ruleIndex?: number };
      let explanation: unknown;
      if (o.env) {
        explanation = await apiClient(s.url, s.token)<{ result: typeof result }>(
          'POST',
          `/projects/${projectOf(s)}/flags/${encodeURIComponent(flag)}/environments/${o.env}/explain`,
          { context },
        );
        result = (explanation as { result: typeof result }).result;
      } else {
        const key = o.sdkKey ?? s.sdkKey;
        if (!key) throw new CliError('Say how: --env <key> (with your token) or --sdk-key <sbk_...>', EXIT.usage);
        result = await apiClient(s.url, key)<typeof result>('POST', `/sdk/evaluate/${encodeURIComponent(flag)}`, { context });
      }
      if (s.json) io.out(JSON.stringify(explanation ?? result, null, 2));
      else
        io.out(
          `${JSON.stringify(result.value)}  variant=${result.variant ?? '-'} reason=${result.reason}${result.errorCode ? ` error=${result.errorCode}` : ''}${result.ruleIndex !== undefined ? ` rule=${result.ruleIndex}` : ''}`,
        );
      if (o.exitCode) {
        if (typeof result.value !== 'boolean') throw new CliError(`--exit-code needs a boolean flag; got ${JSON.stringify(result.value)}`, EXIT.usage);
        if (!result.value) throw new CliError('', EXIT.failed);
      }
    });

  addFlagsAsCodeCommands(program, { io, settings, projectOf });
  addVersionCommands(program, { io, settings, projectOf });
  addScheduleCommands(program, { io, settings, projectOf });
  addRequestCommands(program, { io, settings, projectOf });
  addRelayCommand(program, io);

  return program;
};

/** Runs the CLI and returns its exit code (never calls process.exit itself). */
export const runCli = async (argv: string[], io: Io): Promise<number> => {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      if (err.message) io.err(`signalbox: ${err.message}`);
      return err.exitCode;
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    io.err(`signalbox: ${(err as Error).message}`);
    return EXIT.failed;
  }
};
