import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildSdk, sdkDir } from './build-sdk.js';

// `npx signalbox` runs the package's "bin": a committed shim, so npm can link it at install time,
// before anything is built (issue 16: "could not determine executable to run").
const manifest = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const shim = join(sdkDir, manifest.bin.signalbox!);

const run = (file: string, args: string[]) => spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('the signalbox bin', () => {
  let dir: string;
  beforeAll(async () => {
    await buildSdk();
    dir = mkdtempSync(join(tmpdir(), 'signalbox-bin-'));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a committed, executable file outside dist/', () => {
    expect(manifest.bin.signalbox).toBe('./bin/signalbox.mjs');
    expect(statSync(shim).mode & 0o111).not.toBe(0);
    expect(readFileSync(shim, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('runs the built CLI', () => {
    const help = run(shim, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: signalbox');
    for (const command of ['login', 'kill', 'restore', 'status', 'flags', 'eval']) expect(help.stdout).toContain(command);
  });

  it('passes on the exit code of a failing command', () => {
    const failed = run(shim, ['no-such-command']);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('no-such-command');
  });

  it('says to build first when the CLI is not built', () => {
    // The shim in a package whose dist/ does not exist, as right after `npm ci` in a fresh clone.
    mkdirSync(join(dir, 'bin'));
    copyFileSync(shim, join(dir, 'bin', 'signalbox.mjs'));
    const unbuilt = run(join(dir, 'bin', 'signalbox.mjs'), ['--help']);
    expect(unbuilt.status).toBe(1);
    expect(unbuilt.stdout).toBe('');
    expect(unbuilt.stderr).toContain('Run `npm run build`');
  });
});
