import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { answerError, apiClient, CliError, EXIT } from './api.js';
import type { CliConfig } from './cli-config.js';
import type { Io } from './commands.js';
import { type PlanOutcome, renderPlan } from './plan-render.js';

/** What the flags-as-code commands need from the program: its settings and the project they act on. */
export interface CommandContext {
  io: Io;
  settings(): CliConfig & { json: boolean };
  projectOf(settings: CliConfig): string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const readFile = (file: string): string => {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  }
};

/** The export as the server wrote it (YAML is text, so not through the JSON client). */
const fetchText = async (s: CliConfig, pathname: string): Promise<string> => {
  apiClient(s.url, s.token); // checks the settings, with the same words as every other command
  const base = s.url!.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1${pathname}`, {
      headers: { authorization: `Bearer ${s.token}`, 'user-agent': 'signalbox-cli' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CliError(`Cannot reach ${base}: ${(err as Error).message}`, EXIT.unreachable);
  }
  const text = await res.text();
  // This answer's error, worded: never its body as the export (asking again could succeed and hide it).
  if (!res.ok) throw answerError(res.status, res.statusText, text);
  return text;
};

/** `export`, `plan`, `apply` and `copy-env`: a project's flags as a reviewed file. */
export const addFlagsAsCodeCommands = (program: Command, { io, settings, projectOf }: CommandContext): void => {
  const print = (plan: PlanOutcome, done: boolean, json: boolean) => {
    if (json) io.out(JSON.stringify(plan, null, 2));
    else for (const line of renderPlan(plan, done)) io.out(line);
  };

  program
    .command('export')
    .description('print the project as a Signalbox file (flags, segments, configs; no secrets, no kill state): `signalbox export > signalbox.yaml`')
    .addOption(new Option('-e, --env <key>', 'only this environment (repeatable; default: all)').argParser(collect))
    .addOption(new Option('--format <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(async (o: { env?: string[]; format: 'yaml' | 'json' }) => {
      const s = settings();
      const query = new URLSearchParams({ format: o.format, ...(o.env?.length ? { environments: o.env.join(',') } : {}) });
      const text = await fetchText(s, `/projects/${projectOf(s)}/export?${query}`);
      io.out(text.trimEnd());
    });

  program
    .command('plan')
    .description('print the changes applying a Signalbox file would make (+ create, ~ update, - delete); exits 5 on a conflict')
    .requiredOption('-f, --file <path>', 'the Signalbox file (YAML or JSON; - for stdin)')
    .option('--prune', 'also archive flags and delete segments the file does not list')
    .action(async (o: { file: string; prune?: boolean }) => {
      const s = settings();
      const plan = await apiClient(s.url, s.token)<PlanOutcome>('POST', `/projects/${projectOf(s)}/plan`, {
        file: readFile(o.file),
        ...(o.prune ? { prune: true } : {}),
      });
      print(plan, false, s.json);
      if (plan.conflicts.length > 0)
        throw new CliError(`${plan.conflicts.length} conflict(s): nothing can be applied until the file is based on the current versions`, EXIT.conflict);
    });

  program
    .command('apply')
    .description('make the changes of a Signalbox file, all or nothing, audited as coming from the file')
    .requiredOption('-f, --file <path>', 'the Signalbox file (YAML or JSON; - for stdin)')
    .requiredOption('-r, --reason <text>', 'why (kept in the audit log of every change)')
    .option('--prune', 'also archive flags and delete segments the file does not list')
    .action(async (o: { file: string; reason: string; prune?: boolean }) => {
      const s = settings();
      const result = await apiClient(s.url, s.token)<PlanOutcome>('POST', `/projects/${projectOf(s)}/apply`, {
        file: readFile(o.file),
        reason: o.reason,
        ...(o.prune ? { prune: true } : {}),
      });
      print(result, true, s.json);
    });

  program
    .command('copy-env')
    .description("copy one environment's flag configs onto another (e.g. staging → production), planned like a file")
    .requiredOption('--from <key>', 'the environment to copy from')
    .requiredOption('--to <key>', 'the environment to change')
    .addOption(new Option('--flag <key>', 'only this flag (repeatable; default: every active flag)').argParser(collect))
    .option('--dry-run', 'print the plan and change nothing')
    .option('-r, --reason <text>', 'why (required unless --dry-run)')
    .action(async (o: { from: string; to: string; flag?: string[]; dryRun?: boolean; reason?: string }) => {
      const s = settings();
      if (!o.dryRun && !o.reason?.trim()) throw new CliError('A copy needs --reason "<why>" (or --dry-run)', EXIT.usage);
      const result = await apiClient(s.url, s.token)<PlanOutcome>(
        'POST',
        `/projects/${projectOf(s)}/environments/${encodeURIComponent(o.to)}/copy-from/${encodeURIComponent(o.from)}`,
        { ...(o.dryRun ? { dryRun: true } : {}), ...(o.reason ? { reason: o.reason } : {}), ...(o.flag?.length ? { flags: o.flag } : {}) },
      );
      print(result, !o.dryRun, s.json);
      if (o.dryRun && result.conflicts.length > 0) throw new CliError(`${result.conflicts.length} conflict(s)`, EXIT.conflict);
    });
};
