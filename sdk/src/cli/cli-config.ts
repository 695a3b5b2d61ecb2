import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the CLI keeps its server URL, token and default project (mode 0600: it holds a secret). */
export interface CliConfig {
  url?: string;
  token?: string;
  project?: string;
  sdkKey?: string;
}

export const configPath = (env: NodeJS.ProcessEnv = process.env): string =>
  env.SIGNALBOX_CLI_CONFIG ?? path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'signalbox', 'cli.json');

export const readConfig = (env: NodeJS.ProcessEnv = process.env): CliConfig => {
  let stored: CliConfig = {};
  try {
    stored = JSON.parse(fs.readFileSync(configPath(env), 'utf8')) as CliConfig;
  } catch {
    // No file yet, or unreadable: environment variables and flags still work.
  }
  // Environment variables win over the file, so CI jobs need no file at all.
  return {
    url: env.SIGNALBOX_URL ?? stored.url,
    token: env.SIGNALBOX_TOKEN ?? stored.token,
    project: env.SIGNALBOX_PROJECT ?? stored.project,
    sdkKey: env.SIGNALBOX_SDK_KEY ?? stored.sdkKey,
  };
};

export const writeConfig = (config: CliConfig, env: NodeJS.ProcessEnv = process.env): string => {
  const file = configPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
  return file;
};
