// Starts the built relay (server/dist/src/relay/main.js) as its own process, as `signalbox relay` does.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../../server/dist/src/relay/main.js');

export const startRelay = async ({ upstream, sdkKeys, pinCpu }) => {
  const options = JSON.stringify({ upstream, sdkKeys, port: 0, host: '0.0.0.0', relayId: 'bench-relay' });
  const node = [process.execPath, '--max-old-space-size=4096', MAIN, options];
  const [command, ...args] = pinCpu !== undefined && fs.existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', String(pinCpu), ...node] : node;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /"msg":"relay listening","port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}:\n${output}`)));
  });
  const stat = () => fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    /** CPU time used, in µs (user + system clock ticks). */
    cpuMicros: () => {
      const fields = stat();
      return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
    },
    rss: () => Number(fs.readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1]) * 4096,
    openFiles: () => fs.readdirSync(`/proc/${child.pid}/fd`).length,
    /** The relay's open-file limit (soft), which bounds the connections it can hold. */
    openFilesLimit: () => {
      const line = fs
        .readFileSync(`/proc/${child.pid}/limits`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'));
      const soft = Number(line?.split(/\s{2,}/)[1]);
      return Number.isFinite(soft) ? soft : Infinity;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
};
