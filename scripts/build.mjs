#!/usr/bin/env node
// Builds what changed since the last build, and nothing when nothing did (used by `npm start`,
// `npm test`, `npm run build` and the benches):
//   - sdk, migrations, server: each TypeScript file whose content changed is compiled on its own
//     with oxc (the transform Vitest runs the tests through), into the projects' dist/;
//   - the console: bundled by Vite when web/ (or the lockfile, or a file outside web/ that the
//     bundle includes) changed since web/dist was built;
//   - the server bundle (server/dist/bundle, what `npm start` runs): server/dist/src and its
//     dependencies bundled by rolldown when a file it was built from (or the lockfile) changed.
// --check also type-checks with tsc (incremental, so an unchanged tree costs about a second),
// and fails on type errors; `npm start` runs without it. --force rebuilds everything. --start
// then runs the server bundle in this process (`npm start`): on an unchanged tree that saves
// starting a second Node, and a rebuild runs in a child process, so the server never holds the
// compilers. See scripts/build-lib.mjs and scripts/server-bundle.mjs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildWeb, emitProjects, projectGraph, staleProjects, typecheck, webStaleReason, withBuildLock } from './build-lib.mjs';
import { BUNDLE_ENTRY, bundleServer, bundleStaleReason } from './server-bundle.mjs';
import { bundleSdk, sdkBundleStale } from './sdk-bundle.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--check', '--force', '--quiet', '--start'].includes(arg) || (arg === '--start' && args.has('--check'))) {
    process.stderr.write(
      `usage: node scripts/build.mjs [--check] [--force] [--quiet]\n       node scripts/build.mjs --start [--force]   (build what changed, then run the server)\n`,
    );
    process.exit(2);
  }
}
const force = args.has('--force');
const say = (line) => {
  if (!args.has('--quiet')) process.stdout.write(`build: ${line}\n`);
};
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

const projects = projectGraph(root);
const needsEmit = () => force || staleProjects(projects).length > 0 || sdkBundleStale(root);
const needsWeb = () => (force ? 'forced' : webStaleReason(root));
// Its inputs are the projects' outputs: after needsEmit() is false, this is the whole answer.
const needsBundle = () => (force ? 'forced' : bundleStaleReason(root));

if (args.has('--start')) {
  if (needsEmit() || needsWeb() || needsBundle()) {
    const build = spawnSync(process.execPath, [import.meta.filename, ...[...args].filter((a) => a !== '--start')], { stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  await import(pathToFileURL(path.join(root, BUNDLE_ENTRY)).href);
} else if (needsEmit() || needsWeb() || needsBundle() || args.has('--check')) {
  await withBuildLock(
    root,
    async () => {
      // Another build may have finished while this one waited.
      if (needsEmit()) {
        const started = performance.now();
        const results = await emitProjects(projects, { force });
        const compiled = results.filter((r) => r.compiled + r.removed > 0);
        say(
          `compiled ${compiled.map((r) => `${r.project} ${r.compiled}/${r.files}${r.removed ? ` (-${r.removed})` : ''}`).join(', ') || 'nothing'} in ${seconds(started)}`,
        );
      }
      // The SDK's package exports point at its bundle, made from what the emit step wrote.
      if (force || sdkBundleStale(root)) {
        const started = performance.now();
        await bundleSdk(root);
        say(`bundled the SDK in ${seconds(started)}`);
      }
      const stale = needsBundle();
      if (stale) {
        const started = performance.now();
        const bundle = await bundleServer(root);
        say(`bundled the server (${stale}): ${bundle.files} files, ${(bundle.bytes / 2 ** 20).toFixed(1)} MB, in ${seconds(started)}`);
      }
      const why = needsWeb();
      if (why) {
        const started = performance.now();
        await buildWeb(root);
        say(`bundled the console (${why}) in ${seconds(started)}`);
      }
      if (args.has('--check')) {
        const started = performance.now();
        if (!(await typecheck(root))) {
          process.stderr.write('build: type errors (above): `npm run build` and `npm test` stop here (`npm start` does not type-check).\n');
          process.exitCode = 1;
          return;
        }
        say(`type-checked in ${seconds(started)}`);
      }
    },
    { onWait: (pid) => say(`waiting for another build in this tree (pid ${pid})`) },
  );
}
