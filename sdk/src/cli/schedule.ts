import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { apiClient, CliError, EXIT } from './api.js';
import type { CommandContext } from './flags-as-code.js';

interface ScheduledChangeView {
  id: string;
  runAt: string;
  status: string;
  kind: 'replace' | 'patch';
  config: Record<string, unknown>;
  baseVersion: number;
  reason: string | null;
  author: { name: string };
  stale: boolean;
  appliedVersion: number | null;
  failure: { message: string } | null;
}

const describe = (c: ScheduledChangeView): string => {
  const state =
    c.status === 'scheduled' && c.stale ? 'scheduled (STALE: base moved)' : c.appliedVersion !== null ? `applied as v${c.appliedVersion}` : c.status;
  const fields = Object.keys(c.config).join(',');
  return `${c.id}  ${c.runAt}  ${state.padEnd(30)} ${c.kind} ${fields} on v${c.baseVersion}  ${c.author.name}${c.reason ? `  "${c.reason}"` : ''}${c.failure ? `\n    not applied: ${c.failure.message}` : ''}`;
};

const readJson = (text: string, what: string): Record<string, unknown> => {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`${what} must be a JSON object: ${(err as Error).message}`, EXIT.usage);
  }
};

/** `schedule list|create|cancel`: config changes of a flag in one environment, written at a set time. */
export const addScheduleCommands = (program: Command, { io, settings, projectOf }: CommandContext): void => {
  const schedulePath = (project: string, flag: string, env: string) =>
    `/projects/${encodeURIComponent(project)}/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(env)}`;
  const schedule = program.command('schedule').description('config changes set to happen at a time (applied only if the config has not moved since)');

  schedule
    .command('list <flag>')
    .description("a flag's scheduled changes in one environment, soonest first")
    .addOption(new Option('-e, --env <key>', 'environment').makeOptionMandatory())
    .addOption(new Option('--status <status>', 'only these').choices(['scheduled', 'applied', 'conflict', 'failed', 'cancelled']))
    .action(async (flag: string, o: { env: string; status?: string }) => {
      const s = settings();
      const changes = await apiClient(s.url, s.token)<ScheduledChangeView[]>(
        'GET',
        `${schedulePath(projectOf(s), flag, o.env)}/scheduled-changes${o.status ? `?status=${o.status}` : ''}`,
      );
      if (s.json) return io.out(JSON.stringify(changes, null, 2));
      if (changes.length === 0) io.out(`Nothing scheduled for ${flag} in ${o.env}.`);
      for (const c of changes) io.out(describe(c));
    });

  schedule
    .command('create <flag>')
    .description('schedule a change: --patch (some fields, as PATCH takes them) or --replace-file (the whole config, as PUT takes it)')
    .addOption(new Option('-e, --env <key>', 'environment').makeOptionMandatory())
    .addOption(new Option('--at <time>', 'when, ISO 8601 with a zone, e.g. 2026-12-05T02:00:00Z').makeOptionMandatory())
    .option('--patch <json>', 'the fields to change, e.g. \'{"on":true}\'')
    .option('--replace-file <path>', 'a JSON file with the whole config (on, offVariant, targets, rules, defaultRule, prerequisites)')
    .option('-r, --reason <text>', 'why (kept in the audit log; required where the environment asks)')
    .action(async (flag: string, o: { env: string; at: string; patch?: string; replaceFile?: string; reason?: string }) => {
      if ((o.patch === undefined) === (o.replaceFile === undefined)) throw new CliError('Give one of --patch or --replace-file', EXIT.usage);
      const s = settings();
      const call = apiClient(s.url, s.token);
      const path = schedulePath(projectOf(s), flag, o.env);
      const change =
        o.patch !== undefined ? { patch: readJson(o.patch, '--patch') } : { replace: readJson(fs.readFileSync(o.replaceFile!, 'utf8'), o.replaceFile!) };
      // Made against the version read now: if anyone changes the config before it is due, it is not applied.
      const { version } = await call<{ version: number }>('GET', path);
      const created = await call<ScheduledChangeView | { changeRequest: { number: number; requiredApprovals: number } }>('POST', `${path}/scheduled-changes`, {
        runAt: o.at,
        version,
        ...change,
        ...(o.reason ? { reason: o.reason } : {}),
      });
      if (s.json) return io.out(JSON.stringify(created, null, 2));
      // In an environment that requires approval the schedule becomes a change request (202).
      if ('changeRequest' in created)
        return io.out(
          `${o.env} requires approval: change request #${created.changeRequest.number} was created (needs ${created.changeRequest.requiredApprovals}; ` +
            `applying it schedules the change; signalbox requests show ${created.changeRequest.number})`,
        );
      io.out(`Scheduled ${created.id}: ${flag} in ${o.env} at ${created.runAt}, if the config is still at version ${created.baseVersion} then`);
    });

  schedule
    .command('cancel <flag> <id>')
    .description('cancel a scheduled change before it runs')
    .addOption(new Option('-e, --env <key>', 'environment').makeOptionMandatory())
    .option('-r, --reason <text>', 'why (kept in the audit log)')
    .action(async (flag: string, id: string, o: { env: string; reason?: string }) => {
      const s = settings();
      const query = o.reason ? `?reason=${encodeURIComponent(o.reason)}` : '';
      const cancelled = await apiClient(s.url, s.token)<ScheduledChangeView>(
        'DELETE',
        `${schedulePath(projectOf(s), flag, o.env)}/scheduled-changes/${encodeURIComponent(id)}${query}`,
      );
      if (s.json) return io.out(JSON.stringify(cancelled, null, 2));
      io.out(`Cancelled ${cancelled.id} (${flag} in ${o.env}, was due ${cancelled.runAt})`);
    });
};
