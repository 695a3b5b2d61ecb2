import { spawn } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(import.meta.dirname, '../../sdk/dist/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI in a child process, as a user runs it: only PATH and `env` in its environment, and
 * its config file in `home`, so nothing of the developer's own configuration leaks in.
 */
export const runCli = (home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', SIGNALBOX_CLI_CONFIG: path.join(home, 'cli.json'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

/** The variables that point the CLI at a server as `token`, in `project`. */
export const cliEnv = (url: string, token: string, project: string): Record<string, string> => ({
  SIGNALBOX_URL: url,
  SIGNALBOX_TOKEN: token,
  SIGNALBOX_PROJECT: project,
});
