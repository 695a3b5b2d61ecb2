// Small process helpers shared by the chaos harness: run a command to completion, as the
// PostgreSQL OS user when we are root, and check whether a pid still exists.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The OS user PostgreSQL runs as when we are root (initdb and postgres refuse root). */
export const POSTGRES_OS_USER = 'postgres';

/** [command, args] wrapped in `runuser -u postgres --` when we are root. */
export const asPostgresUser = (command, args) => (isRoot() ? ['runuser', ['-u', POSTGRES_OS_USER, '--', command, ...args]] : [command, args]);

/** Runs a command; resolves with { code, stdout, stderr } (never rejects on a non-zero exit). */
export const run = (command, args, { timeoutMs = 60_000, env, cwd } = {}) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });

/** Runs a command and throws with its output when it fails. */
export const runOrThrow = async (command, args, options) => {
  const result = await run(command, args, options);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.code}${result.signal ? ` (${result.signal})` : ''}:\n${result.stdout}${result.stderr}`.trim(),
    );
  return result;
};

export const pidAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

/** The pids whose parent is `pid`, read from /proc (empty where /proc is missing). */
export const childPids = (pid) => {
  const children = [];
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after its ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
