import { type Command, Option } from 'commander';
import { apiClient, wholeNumber } from './api.js';
import type { CommandContext } from './flags-as-code.js';

interface VersionView {
  version: number;
  at: string;
  actor: { type: string; name: string };
  action: string;
  reason: string | null;
  revertedTo: number | null;
  config: { on: boolean; killed: boolean };
}
interface VersionPage {
  items: VersionView[];
  nextCursor: string | null;
  earlierVersionsMissing: boolean;
}

const describe = (v: VersionView): string => {
  const what = v.revertedTo !== null ? `${v.action} to v${v.revertedTo}` : v.action;
  const state = v.config.killed ? 'KILLED' : v.config.on ? 'on' : 'off';
  return `v${String(v.version).padEnd(5)} ${v.at}  ${v.actor.name.padEnd(28)} ${what.padEnd(30)} ${state.padEnd(6)} ${v.reason ?? ''}`.trimEnd();
};

/** `versions` and `revert`: a flag config's history in one environment, and writing an earlier version again. */
export const addVersionCommands = (program: Command, { io, settings, projectOf }: CommandContext): void => {
  const configPath = (project: string, flag: string, env: string) =>
    `/projects/${encodeURIComponent(project)}/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(env)}`;

  program
    .command('versions <flag>')
    .description("a flag config's versions in one environment, newest first: who, when, why")
    .addOption(new Option('-e, --env <key>', 'environment').makeOptionMandatory())
    .addOption(new Option('--limit <n>', 'how many (at most 100)').default(20).argParser(wholeNumber('--limit', 1)))
    .option('--cursor <cursor>', 'older versions: the cursor a previous listing printed')
    .action(async (flag: string, o: { env: string; limit: number; cursor?: string }) => {
      const s = settings();
      const query = `?limit=${o.limit}${o.cursor ? `&cursor=${encodeURIComponent(o.cursor)}` : ''}`;
      const page = await apiClient(s.url, s.token)<VersionPage>('GET', `${configPath(projectOf(s), flag, o.env)}/versions${query}`);
      if (s.json) return io.out(JSON.stringify(page, null, 2));
      if (page.items.length === 0) io.out(`No versions of ${flag} in ${o.env}.`);
      for (const v of page.items) io.out(describe(v));
      if (page.nextCursor) io.out(`More: signalbox versions ${flag} --env ${o.env} --cursor ${page.nextCursor}`);
      if (page.earlierVersionsMissing) io.out('Earlier versions are older than the audit log holds.');
    });

  program
    .command('revert <flag>')
    .description("write an earlier version's config again, as a new version (the kill switch stays as it is)")
    .addOption(new Option('-e, --env <key>', 'environment').makeOptionMandatory())
    .addOption(new Option('--to <version>', 'the version to go back to').makeOptionMandatory().argParser(wholeNumber('--to', 1)))
    .option('-r, --reason <text>', 'why (kept in the audit log; required where the environment asks)')
    .addOption(
      new Option('--expect-version <n>', 'refuse (exit 5) unless the config is at this version; default: the version read just before').argParser(
        wholeNumber('--expect-version', 0),
      ),
    )
    .action(async (flag: string, o: { env: string; to: number; reason?: string; expectVersion?: number }) => {
      const s = settings();
      const call = apiClient(s.url, s.token);
      const path = configPath(projectOf(s), flag, o.env);
      const version = o.expectVersion ?? (await call<{ version: number }>('GET', path)).version;
      const config = await call<{ version: number; on: boolean; killed: boolean } | { changeRequest: { number: number } }>('POST', `${path}/revert`, {
        toVersion: o.to,
        version,
        ...(o.reason ? { reason: o.reason } : {}),
      });
      if (s.json) return io.out(JSON.stringify(config, null, 2));
      // An environment that requires approval turns the revert into a change request (202).
      if ('changeRequest' in config)
        return io.out(
          `${o.env} requires approval: change request #${config.changeRequest.number} was created (signalbox requests show ${config.changeRequest.number})`,
        );
      io.out(`${flag} in ${o.env}: reverted to v${o.to} as version ${config.version} (${config.killed ? 'KILLED, kill kept' : config.on ? 'on' : 'off'})`);
    });
};
