#!/usr/bin/env node
// The `signalbox` command. This file is committed (the CLI itself is built into dist/), so npm
// can link the bin when it installs the workspace, before anything is built: linking a bin whose
// file does not exist yet leaves `npx signalbox` with "could not determine executable to run".
import { existsSync } from 'node:fs';
import module from 'node:module';

const cli = new URL('../dist/bundle/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('signalbox: the CLI is not built yet. Run `npm run build` (or `npm start`) in the Signalbox repository first.\n');
  process.exit(1);
}
// A command line runs once per invocation: on Node 22+ keep its compiled code between runs.
module.enableCompileCache?.();
await import(cli.href);
