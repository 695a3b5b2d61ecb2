// What `scripts/build.mjs` builds and when: the TypeScript projects (sdk, migrations, server)
// compiled file by file with oxc, the same transform Vitest runs the server's tests through, and
// the console bundled by Vite. Each output records a content hash of what it was built from, so
// an unchanged tree builds nothing and a change rebuilds only what it touches. Type-checking is
// tsc's job (`--check`, run by `npm run build` and `npm test`); it adds only declaration files.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');
const requireHere = createRequire(path.join(repoRoot, 'package.json'));

/** The project whose reference graph is built: the server and what it imports (sdk, migrations). */
export const ENTRY_TSCONFIG = 'server/tsconfig.json';
/** Bump when the way outputs are produced changes, so every output is rebuilt once. */
const EMITTER_VERSION = 1;
const MANIFEST = '.build-manifest.json';
const WEB_STAMP = '.build-stamp.json';
const TS_SOURCE = /\.(m|c)?tsx?$/;

const sha1 = (data) => createHash('sha1').update(data).digest('hex');

/**
 * `{ relativePath: [size, mtimeMs, sha1] }` for `files`, reading only the files whose size or
 * modification time differ from `previous` (git's index does the same): an unchanged tree costs
 * one stat per file.
 */
export const fingerprint = (files, base, previous = {}) => {
  const out = {};
  for (const file of files) {
    const rel = path.relative(base, file);
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      out[rel] = [-1, 0, 'missing'];
      continue;
    }
    const known = previous[rel];
    out[rel] = known && known[0] === stat.size && known[1] === stat.mtimeMs ? known : [stat.size, stat.mtimeMs, sha1(fs.readFileSync(file))];
  }
  return out;
};

export const sameContent = (a = {}, b = {}) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k]?.[2] === a[k][2]);
};

/** tsconfig files are JSON with comments and trailing commas. */
export const parseJsonc = (text) => {
  // One pass that copies strings as they are, drops comments, and drops a comma that only
  // whitespace separates from the closing bracket after it.
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
      if (i === 0) throw new Error('unterminated comment');
    } else if ((c === '}' || c === ']') && /,\s*$/.test(out)) {
      out = out.replace(/,(\s*)$/, '$1') + c;
    } else out += c;
  }
  return JSON.parse(out);
};

const PATH_OPTIONS = ['rootDir', 'outDir', 'tsBuildInfoFile'];

/**
 * A tsconfig with its `extends` chain folded in (relative `extends` only), path options made
 * absolute and `include`/`exclude` made relative to this file's directory, as tsc reads them.
 */
export const readTsconfig = (file) => {
  const dir = path.dirname(file);
  const config = parseJsonc(fs.readFileSync(file, 'utf8'));
  const options = { ...config.compilerOptions };
  for (const key of PATH_OPTIONS) if (options[key] !== undefined) options[key] = path.resolve(dir, options[key]);
  let base = { compilerOptions: {} };
  if (config.extends !== undefined) {
    if (typeof config.extends !== 'string' || !config.extends.startsWith('.'))
      throw new Error(`${file}: only a relative "extends" is supported by scripts/build-lib.mjs`);
    const baseFile = path.resolve(dir, config.extends.endsWith('.json') ? config.extends : `${config.extends}.json`);
    base = readTsconfig(baseFile);
    const rebase = (specs) => specs?.map((p) => path.relative(dir, path.resolve(path.dirname(baseFile), p)));
    base = { ...base, files: rebase(base.files), include: rebase(base.include), exclude: rebase(base.exclude) };
  }
  return {
    compilerOptions: { ...base.compilerOptions, ...options },
    files: config.files ?? base.files,
    include: config.include ?? base.include,
    exclude: config.exclude ?? base.exclude,
    references: config.references ?? [],
  };
};

const globToRegex = (glob) => {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*' && glob[i + 2] === '/') {
      re += '(?:[^/]+/)*';
      i += 2;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
};

// An include or exclude entry without a wildcard or extension names a directory: everything in it.
const specToRegex = (dir, spec) => {
  const absolute = path.resolve(dir, spec).split(path.sep).join('/');
  const last = absolute.split('/').pop() ?? '';
  return globToRegex(/[*?]/.test(last) || /\.[a-z]+$/i.test(last) ? absolute : `${absolute}/**/*`);
};

const walk = (dir, skip) => {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip(full, entry.name)) files.push(...walk(full, skip));
    } else if (entry.isFile()) files.push(full);
  }
  return files;
};

const resolveReference = (fromDir, ref) => {
  const target = path.resolve(fromDir, ref);
  return fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'tsconfig.json') : target;
};

/**
 * The TypeScript projects reachable from `entry` by `references`, dependencies first, each with
 * the source files tsc would compile (from `files`/`include`/`exclude`) and the options the
 * transform needs.
 */
export const projectGraph = (root = repoRoot, entry = ENTRY_TSCONFIG) => {
  const ordered = [];
  const seen = new Set();
  const visit = (configFile) => {
    if (seen.has(configFile)) return;
    seen.add(configFile);
    const dir = path.dirname(configFile);
    const config = readTsconfig(configFile);
    for (const ref of config.references ?? []) visit(resolveReference(dir, ref.path));
    const options = config.compilerOptions ?? {};
    const outDir = options.outDir ?? dir;
    const includes = (config.include ?? (config.files ? [] : ['**/*'])).map((spec) => specToRegex(dir, spec));
    const excludes = (config.exclude ?? []).map((spec) => specToRegex(dir, spec));
    const listed = (config.files ?? []).map((f) => path.resolve(dir, f));
    const matched =
      includes.length === 0
        ? []
        : walk(dir, (full, name) => name === 'node_modules' || full === outDir || name.startsWith('.'))
            .filter((f) => TS_SOURCE.test(f))
            .filter((f) => {
              const posix = f.split(path.sep).join('/');
              return includes.some((re) => re.test(posix)) && !excludes.some((re) => re.test(posix));
            });
    const files = [...new Set([...listed, ...matched])].filter((f) => !/\.d\.(m|c)?ts$/.test(f)).sort();
    const rootDir = options.rootDir ?? commonDir(files) ?? dir;
    ordered.push({ name: path.relative(root, dir) || '.', configFile, dir, rootDir, outDir, options, files });
  };
  visit(path.resolve(root, entry));
  return ordered;
};

const commonDir = (files) => {
  if (files.length === 0) return undefined;
  let common = path.dirname(files[0]);
  for (const f of files) while (!(f + path.sep).startsWith(common + path.sep)) common = path.dirname(common);
  return common;
};

const outputPath = (project, file) => path.join(project.outDir, path.relative(project.rootDir, file)).replace(/\.([mc]?)tsx?$/, (_, m) => `.${m}js`);

let transformer;
const rolldownVersion = () => requireHere('rolldown/package.json').version;

const transformOptions = (options) => ({
  target: String(options.target ?? 'es2023').toLowerCase(),
  sourceType: 'module',
  ...(options.experimentalDecorators ? { decorator: { legacy: true, emitDecoratorMetadata: Boolean(options.emitDecoratorMetadata) } } : {}),
  sourcemap: options.sourceMap !== false,
});

// oxc imports its decorator helpers from @oxc-project/runtime, which is not installed (Vite and
// Vitest supply it from memory). They are TypeScript's own __decorate/__metadata/__param; inline
// them as tsc does, as hoisted functions so they exist before any module code runs.
const HELPERS = {
  decorate: (name) =>
    `function ${name}(decorators, target, key, desc) { var c = arguments.length, r = c < 3 ? target : desc === null ? (desc = Object.getOwnPropertyDescriptor(target, key)) : desc, d; if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc); else for (var i = decorators.length - 1; i >= 0; i--) if ((d = decorators[i])) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r; return c > 3 && r && Object.defineProperty(target, key, r), r; }`,
  decorateMetadata: (name) =>
    `function ${name}(k, v) { if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v); }`,
  decorateParam: (name) => `function ${name}(paramIndex, decorator) { return function (target, key) { decorator(target, key, paramIndex); }; }`,
};

const inlineHelpers = (code, file) =>
  code.replace(/^import (\w+) from "@oxc-project\/runtime\/helpers\/(\w+)(?:\.js)?";$/gm, (line, local, helper) => {
    const make = HELPERS[helper];
    if (!make) throw new Error(`${file}: the transform needs the helper "${helper}", which scripts/build-lib.mjs does not provide yet`);
    return make(local);
  });

const writeAtomic = (file, data) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
};

const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

const emitterKey = (project) =>
  sha1(
    JSON.stringify({
      EMITTER_VERSION,
      rolldown: rolldownVersion(),
      options: transformOptions(project.options),
      rootDir: path.relative(project.dir, project.rootDir),
    }),
  );

const readManifest = (project) => {
  const manifest = readJson(path.join(project.outDir, MANIFEST));
  return manifest?.key === emitterKey(project) ? manifest.files : undefined;
};

/**
 * Compiles each source whose content (or the compiler, or its options) changed since its output
 * was written, or whose output is missing, and removes the outputs of deleted sources. Returns
 * per-project counts.
 */
export const emitProjects = async (projects, { force = false } = {}) => {
  const results = [];
  for (const project of projects) {
    const previous = readJson(path.join(project.outDir, MANIFEST))?.files ?? {};
    const known = (!force && readManifest(project)) || {};
    const files = fingerprint(project.files, project.dir, known);
    const options = transformOptions(project.options);
    let compiled = 0;
    for (const file of project.files) {
      const rel = path.relative(project.dir, file);
      const out = outputPath(project, file);
      if (known[rel]?.[2] === files[rel][2] && fs.existsSync(out)) continue;
      transformer ??= (await import('rolldown/experimental')).transformSync;
      const result = transformer(file, fs.readFileSync(file, 'utf8'), options);
      if (result.errors.length > 0) throw new Error(`${path.relative(repoRoot, file)}: ${result.errors.map((e) => e.message).join('\n')}`);
      let code = inlineHelpers(result.code, file);
      if (result.map) {
        const map = { ...result.map, file: path.basename(out), sources: [path.relative(path.dirname(out), file).split(path.sep).join('/')] };
        delete map.sourcesContent;
        code += `${code.endsWith('\n') ? '' : '\n'}//# sourceMappingURL=${path.basename(out)}.map\n`;
        writeAtomic(`${out}.map`, JSON.stringify(map));
      }
      writeAtomic(out, code);
      compiled++;
    }
    let removed = 0;
    for (const rel of Object.keys(previous)) {
      if (rel in files) continue;
      const out = outputPath(project, path.join(project.dir, rel));
      for (const f of [out, `${out}.map`, out.replace(/\.([mc]?)js$/, '.d.$1ts'), out.replace(/\.([mc]?)js$/, '.d.$1ts.map')]) {
        if (fs.existsSync(f)) fs.rmSync(f);
      }
      removed++;
    }
    writeAtomic(path.join(project.outDir, MANIFEST), JSON.stringify({ key: emitterKey(project), files }));
    results.push({ project: project.name, files: project.files.length, compiled, removed });
  }
  return results;
};

/** The projects with a source whose output is missing or was built from other content or options. */
export const staleProjects = (projects) =>
  projects.filter((project) => {
    const known = readManifest(project);
    return (
      !known || !sameContent(known, fingerprint(project.files, project.dir, known)) || project.files.some((file) => !fs.existsSync(outputPath(project, file)))
    );
  });

// ---- the console ---------------------------------------------------------------------------

/**
 * What the console's bundle is built from: everything under web/ except its output, its
 * dependencies and the browser tests; the lockfile (dependency versions); and the files outside
 * web/ the last bundle included (the SDK core's types), as recorded in the stamp.
 */
export const webInputs = (root = repoRoot, stamp = readJson(path.join(root, 'web/dist', WEB_STAMP))) => {
  const web = path.join(root, 'web');
  const skip = (full, name) => name === 'node_modules' || name === 'dist' || name.startsWith('.') || full === path.join(web, 'e2e');
  const own = walk(web, skip).filter((f) => !path.basename(f).startsWith('.') || path.basename(f).startsWith('.env'));
  const outside = (stamp?.outside ?? []).map((rel) => path.join(root, rel));
  return [...own, path.join(root, 'package-lock.json'), ...outside].sort();
};

/** Why the console must be rebuilt, or undefined when web/dist matches its inputs. */
export const webStaleReason = (root = repoRoot) => {
  const dist = path.join(root, 'web/dist');
  const stamp = readJson(path.join(dist, WEB_STAMP));
  if (!stamp?.inputs) return 'no build stamp';
  if (!fs.existsSync(path.join(dist, 'index.html'))) return 'no index.html';
  return sameContent(stamp.inputs, fingerprint(webInputs(root, stamp), root, stamp.inputs)) ? undefined : 'sources changed';
};

/**
 * Records what web/dist was built from: `own`, the fingerprint of web/'s inputs taken before the
 * build (so an edit during the build is not taken as built), and `outside`, the bundle's files
 * from outside web/.
 */
export const writeWebStamp = (root, outside, own = fingerprint(webInputs(root, { outside: [] }), root)) => {
  const files = [...new Set(outside)].sort();
  const stamp = {
    outside: files,
    inputs: {
      ...own,
      ...fingerprint(
        files.map((rel) => path.join(root, rel)),
        root,
      ),
    },
  };
  writeAtomic(path.join(root, 'web/dist', WEB_STAMP), JSON.stringify(stamp));
};

/** Bundles the console with Vite in this process and records what it was built from. */
export const buildWeb = async (root = repoRoot) => {
  const { build } = await import('vite');
  const web = path.join(root, 'web');
  const own = fingerprint(webInputs(root, { outside: [] }), root);
  const output = await build({ root: web, configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output ?? []);
  // Modules from outside web/ (not dependencies): their changes must rebuild the console too.
  const outside = chunks
    .flatMap((chunk) => chunk.moduleIds ?? Object.keys(chunk.modules ?? {}))
    .filter(
      (id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.startsWith(web + path.sep) && id.startsWith(root + path.sep),
    )
    .map((id) => path.relative(root, id.split('?')[0]));
  writeWebStamp(root, outside, own);
};

// ---- type-checking --------------------------------------------------------------------------

const run = (command, args, cwd) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

/**
 * tsc -b over the server's project graph (writing only declaration files, beside the transform's
 * JavaScript) and over the console (no output), side by side. Both keep a .tsbuildinfo, so on an
 * unchanged tree tsc compares timestamps and checks nothing. Resolves to true when both found no
 * errors.
 */
export const typecheck = async (root = repoRoot) => {
  const tsc = requireHere.resolve('typescript/bin/tsc');
  const codes = await Promise.all([
    run(process.execPath, [tsc, '-b', ENTRY_TSCONFIG, '--emitDeclarationOnly'], root),
    run(process.execPath, [tsc, '-b', 'web/tsconfig.json'], root),
  ]);
  return codes.every((code) => code === 0);
};

// ---- one build at a time --------------------------------------------------------------------

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

/** Runs `fn` holding a lock directory, so two builds in one tree never write the same outputs. */
export const withBuildLock = async (root, fn, { onWait = () => {} } = {}) => {
  const lock = path.join(root, 'node_modules/.cache/signalbox-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  let waited = false;
  for (const started = Date.now(); ;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      // A lock without a pid is being created right now, or was left by a crash in between.
      const stale = holder > 0 ? !alive(holder) : Date.now() - fs.statSync(lock).mtimeMs > 5_000;
      if (stale) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!waited) onWait(holder);
      waited = true;
      if (Date.now() - started > 15 * 60_000) throw new Error(`another build (pid ${holder}) has held ${lock} for 15 minutes`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
};
