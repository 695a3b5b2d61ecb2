// `npm ci && npm start` as on a fresh clone: this working tree's files (tracked and untracked, not
// ignored: no node_modules, dist or data) copied to a temporary directory, then the README's
// quick start, timed, with where the time went read from the output's timestamps.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startTimed } from './processes.mjs';

const copyWorkingTree = (root, dir) => {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  let count = 0;
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(root, rel);
    if (!fs.existsSync(from) || !fs.statSync(from).isFile()) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, rel));
    fs.chmodSync(path.join(dir, rel), fs.statSync(from).mode);
    count++;
  }
  return count;
};

const at = (lines, pattern) => lines.find(({ line }) => pattern.test(line))?.atMs;

export const measureFresh = async (root, { log = () => {} } = {}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-fresh-'));
  try {
    const files = copyWorkingTree(root, dir);
    log(`fresh copy: ${files} files in ${dir}; npm ci ...`);
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('SIGNALBOX_') || key === 'DATABASE_URL' || key === 'PORT') delete env[key];
    const ciStarted = performance.now();
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const npmCiMs = performance.now() - ciStarted;
    if (ci.status !== 0) throw new Error(`npm ci failed:\n${ci.stderr.slice(-4000)}`);
    const ebadengine = (ci.stderr.match(/EBADENGINE Unsupported engine/g) ?? []).length;
    log(`fresh copy: npm ci ${(npmCiMs / 1000).toFixed(1)} s (${ebadengine} EBADENGINE warnings); npm start ...`);

    const port = await freePort();
    // Spawned as the README says, with the default log level, so its lines mark the phases.
    const server = await startTimed({
      command: 'npm',
      args: ['start'],
      cwd: dir,
      env: { ...env, PORT: String(port) },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 600_000,
    });
    await server.stop();
    const { lines } = server;
    const buildLines = lines.filter(({ line }) => /^build: /.test(line));
    const built = buildLines.length ? buildLines[buildLines.length - 1].atMs : undefined;
    const seconds = (pattern) => {
      const m = buildLines.map(({ line }) => pattern.exec(line)).find(Boolean);
      return m ? Number(m[1]) * 1000 : undefined;
    };
    const database = at(lines, /using the embedded database/);
    const running = at(lines, /Signalbox is running/);
    const phasesMs = {
      'npm ci': npmCiMs,
      'compile (sdk, migrations, server)': seconds(/^build: compiled .* in ([\d.]+) s/),
      'bundle the server': seconds(/^build: bundled the server .* in ([\d.]+) s/),
      'bundle the console': seconds(/^build: bundled the console .* in ([\d.]+) s/),
      'npm start until the build is done': built,
      'server: load until it opens the database': database !== undefined && built !== undefined ? database - built : undefined,
      'database (create, migrate), app init, admin and demo project': running !== undefined && database !== undefined ? running - database : undefined,
      'npm start to ready': server.readyMs,
    };
    return { files, ebadengine, npmCiMs, startToReadyMs: server.readyMs, totalMs: npmCiMs + server.readyMs, phasesMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
