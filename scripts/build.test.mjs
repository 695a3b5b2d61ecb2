// The staleness logic behind `npm start`: an unchanged tree builds nothing, a change rebuilds
// what it touches. Runs on small projects in a temp directory (and, for the file lists, on this
// repository's own tsconfig files).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitProjects, parseJsonc, projectGraph, staleProjects, webStaleReason, writeWebStamp } from './build-lib.mjs';

let root;
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const read = (rel) => fs.readFileSync(path.join(root, rel), 'utf8');
const later = (rel) => {
  const t = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(root, rel), t, t);
};
const graph = () => projectGraph(root, 'app/tsconfig.json');
const compiledCounts = async () => Object.fromEntries((await emitProjects(graph())).map((r) => [r.project, r.compiled]));

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-build-test-'));
  write('tsconfig.json', '{\n  // the base\n  "compilerOptions": { "target": "ES2023", "sourceMap": true, },\n}\n');
  write(
    'lib/tsconfig.json',
    JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'], exclude: ['src/**/*.spec.ts'] }),
  );
  write('lib/src/greet.ts', 'export class Greeter {\n  greet(name: string): string {\n    return `hello ${name}`;\n  }\n}\n');
  write('lib/src/greet.spec.ts', 'import { Greeter } from "./greet.js";\nnew Greeter();\n');
  write(
    'app/tsconfig.json',
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', experimentalDecorators: true, emitDecoratorMetadata: true },
      include: ['src'],
      references: [{ path: '../lib' }],
    }),
  );
  write(
    'app/src/main.ts',
    [
      "import { Greeter } from '../../lib/dist/greet.js';",
      'export const registry: string[] = [];',
      'const Service = (): ClassDecorator => (target) => { registry.push(target.name); };',
      'const Inject = (): ParameterDecorator => () => {};',
      '@Service()',
      'export class App {',
      '  constructor(@Inject() readonly greeter: Greeter) {}',
      "  run(): string { return this.greeter.greet('app'); }",
      '}',
      '',
    ].join('\n'),
  );
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('compiling the TypeScript projects', () => {
  it('finds the projects through references, dependencies first, with the files tsc would compile', () => {
    const projects = graph();
    expect(projects.map((p) => p.name)).toEqual(['lib', 'app']);
    expect(projects[0].files.map((f) => path.relative(root, f))).toEqual(['lib/src/greet.ts']);
    expect(projects[1].files.map((f) => path.relative(root, f))).toEqual(['app/src/main.ts']);
  });

  it('compiles everything on the first build and nothing on the next when no file changed', async () => {
    expect(staleProjects(graph()).map((p) => p.name)).toEqual(['lib', 'app']);
    expect(await compiledCounts()).toEqual({ lib: 1, app: 1 });
    const written = fs.statSync(path.join(root, 'app/dist/main.js')).mtimeMs;

    expect(staleProjects(graph())).toEqual([]);
    expect(await compiledCounts()).toEqual({ lib: 0, app: 0 });
    expect(fs.statSync(path.join(root, 'app/dist/main.js')).mtimeMs).toBe(written);
  });

  it('does not rebuild a file whose time changed but whose content did not', async () => {
    await emitProjects(graph());
    later('lib/src/greet.ts');
    expect(staleProjects(graph())).toEqual([]);
    expect(await compiledCounts()).toEqual({ lib: 0, app: 0 });
  });

  it('rebuilds exactly the file that changed, even when its size stayed the same', async () => {
    await emitProjects(graph());
    write('lib/src/greet.ts', read('lib/src/greet.ts').replace('hello', 'howdy'));
    later('lib/src/greet.ts');
    expect(staleProjects(graph()).map((p) => p.name)).toEqual(['lib']);
    expect(await compiledCounts()).toEqual({ lib: 1, app: 0 });
    expect(read('lib/dist/greet.js')).toContain('howdy');
  });

  it('rebuilds an output that was deleted', async () => {
    await emitProjects(graph());
    fs.rmSync(path.join(root, 'lib/dist/greet.js'));
    expect(staleProjects(graph()).map((p) => p.name)).toEqual(['lib']);
    expect(await compiledCounts()).toEqual({ lib: 1, app: 0 });
    expect(fs.existsSync(path.join(root, 'lib/dist/greet.js'))).toBe(true);
  });

  it('removes the outputs of a deleted source', async () => {
    write('lib/src/extra.ts', 'export const extra = 1;\n');
    await emitProjects(graph());
    expect(fs.existsSync(path.join(root, 'lib/dist/extra.js'))).toBe(true);
    fs.rmSync(path.join(root, 'lib/src/extra.ts'));
    expect(staleProjects(graph()).map((p) => p.name)).toEqual(['lib']);
    const [lib] = await emitProjects(graph());
    expect(lib).toMatchObject({ compiled: 0, removed: 1 });
    expect(fs.existsSync(path.join(root, 'lib/dist/extra.js'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'lib/dist/extra.js.map'))).toBe(false);
  });

  it('rebuilds every file of the projects whose compiler options changed', async () => {
    await emitProjects(graph());
    const app = JSON.parse(read('app/tsconfig.json'));
    app.compilerOptions.emitDecoratorMetadata = false;
    write('app/tsconfig.json', JSON.stringify(app));
    expect(staleProjects(graph()).map((p) => p.name)).toEqual(['app']);
    expect(await compiledCounts()).toEqual({ lib: 0, app: 1 });
  });

  it('emits code that runs: decorators applied, metadata naming the imported class, a source map', async () => {
    await emitProjects(graph());
    const code = read('app/dist/main.js');
    expect(code).not.toContain('@oxc-project/runtime');
    expect(code).toMatch(/\/\/# sourceMappingURL=main\.js\.map\n$/);
    expect(JSON.parse(read('app/dist/main.js.map')).sources).toEqual(['../src/main.ts']);

    const metadata = new Map();
    Reflect.metadata = (key, value) => (target) => {
      metadata.set(`${target.name}:${key}`, value);
    };
    try {
      const { App, registry } = await import(path.join(root, 'app/dist/main.js'));
      const { Greeter } = await import(path.join(root, 'lib/dist/greet.js'));
      expect(registry).toEqual(['App']);
      expect(metadata.get('App:design:paramtypes')).toEqual([Greeter]);
      expect(new App(new Greeter()).run()).toBe('hello app');
    } finally {
      delete Reflect.metadata;
    }
  });
});

describe("the console's build stamp", () => {
  beforeEach(() => {
    write('package-lock.json', '{"lockfileVersion": 3}\n');
    write('web/index.html', '<script type="module" src="/src/main.ts"></script>\n');
    write('web/vite.config.ts', 'export default {};\n');
    write('web/src/main.ts', "import { Greeter } from '../../lib/src/greet';\nnew Greeter();\n");
    write('web/e2e/run.mjs', '// browser tests: not part of the bundle\n');
    write('lib/src/unrelated.ts', 'export const unrelated = 1;\n');
  });
  // As after a Vite build that bundled web/src/main.ts and lib/src/greet.ts.
  const built = () => {
    write('web/dist/index.html', '<!doctype html>\n');
    writeWebStamp(root, ['lib/src/greet.ts']);
  };

  it('is stale before the first build and fresh right after it', () => {
    expect(webStaleReason(root)).toBe('no build stamp');
    built();
    expect(webStaleReason(root)).toBeUndefined();
  });

  it('stays fresh when files are touched but not changed, or when files outside the bundle change', () => {
    built();
    later('web/src/main.ts');
    write('lib/src/unrelated.ts', 'export const unrelated = 2;\n');
    write('web/e2e/run.mjs', '// changed\n');
    expect(webStaleReason(root)).toBeUndefined();
  });

  it.each([
    ['a console source changes', () => write('web/src/main.ts', '// edited\n')],
    ['a console source is added', () => write('web/src/extra.ts', 'export {};\n')],
    ['the Vite config changes', () => write('web/vite.config.ts', 'export default { base: "/x/" };\n')],
    ['the lockfile changes', () => write('package-lock.json', '{"lockfileVersion": 3, "packages": {}}\n')],
    ['a file from outside web/ that the bundle includes changes', () => write('lib/src/greet.ts', 'export class Greeter {}\n')],
  ])('is stale when %s', (_, change) => {
    built();
    change();
    expect(webStaleReason(root)).toBe('sources changed');
  });

  it('is stale when the built index.html is gone', () => {
    built();
    fs.rmSync(path.join(root, 'web/dist/index.html'));
    expect(webStaleReason(root)).toBe('no index.html');
  });
});

describe('reading tsconfig files', () => {
  it('reads comments and trailing commas but leaves globs in strings alone', () => {
    expect(parseJsonc('{\n  // c\n  "exclude": ["src/**/*.spec.ts", "a//b", "x,]",], /* d */\n}')).toEqual({ exclude: ['src/**/*.spec.ts', 'a//b', 'x,]'] });
  });

  it("lists exactly the files tsc compiles for this repository's projects", () => {
    const repo = path.resolve(import.meta.dirname, '..');
    const ts = createRequire(import.meta.url)('typescript');
    for (const project of projectGraph(repo)) {
      const parsed = ts.getParsedCommandLineOfConfigFile(
        project.configFile,
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (d) => {
            throw new Error(String(d.messageText));
          },
        },
      );
      const expected = parsed.fileNames
        .filter((f) => !/\.d\.[mc]?ts$/.test(f))
        .map((f) => path.resolve(f))
        .sort();
      expect({ project: project.name, files: project.files }).toEqual({ project: project.name, files: expected });
      expect(project.outDir).toBe(path.resolve(parsed.options.outDir));
      expect(project.options.target).toBeDefined();
    }
  });
});
