import react from '@vitejs/plugin-react';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text file of the build, at the highest
 * levels, once: the server sends them as they are (server/src/console-assets.ts) instead of
 * compressing the console's ~0.5 MB of scripts on every request, and brotli's are ~15% smaller than gzip's.
 */
const precompress = (): Plugin => {
  let outDir = '';
  return {
    name: 'signalbox-precompress',
    apply: 'build',
    configResolved: (config) => void (outDir = path.resolve(config.root, config.build.outDir)),
    writeBundle: async (_options, bundle) => {
      const texts = Object.keys(bundle).filter((name) => /\.(js|css|html|svg|json)$/.test(name));
      await Promise.all(
        texts.map(async (name) => {
          const file = path.join(outDir, name);
          const plain = await fs.readFile(file);
          // The server sends small files plain (and compresses any file it finds no copy of).
          if (plain.length < 1024) return;
          const [br, gz] = await Promise.all([
            brotli(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length } }),
            gzipped(plain, { level: 9 }),
          ]);
          await Promise.all([fs.writeFile(`${file}.br`, br), fs.writeFile(`${file}.gz`, gz)]);
        }),
      );
    },
  };
};

/**
 * Lists the rest of the console's first-screen code (mount.tsx and what it imports) in index.html as
 * modulepreload links, so the browser fetches it in parallel with the entry instead of only once the
 * entry has run and asked for it: one round trip and the entry's run time off the first row.
 */
const preloadMount = (): Plugin => ({
  name: 'signalbox-preload-mount',
  apply: 'build',
  transformIndexHtml: {
    order: 'post',
    handler: (html, ctx) => {
      const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
      const mount = chunks.find((c) => c.facadeModuleId?.endsWith('/src/mount.tsx'));
      if (!mount) return [];
      const files = new Set<string>();
      const visit = (file: string) => {
        if (files.has(file)) return;
        files.add(file);
        chunks.find((c) => c.fileName === file)?.imports.forEach(visit);
      };
      visit(mount.fileName);
      // The entry and its own preloads are linked already.
      return [...files]
        .filter((file) => !html.includes(`/${file}"`))
        .map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }));
    },
  },
});

export default defineConfig({
  plugins: [react(), precompress(), preloadMount()],
  resolve: {
    // The SDK package's "./core" entry point, bundled from its source so the console (and its tests)
    // need no sdk/dist; tsconfig.json maps the same specifier for type-checking.
    alias: [{ find: /^@signalbox\/sdk\/core$/, replacement: fileURLToPath(new URL('../sdk/src/core/index.ts', import.meta.url)) }],
  },
  server: { proxy: { '/api': 'http://localhost:4000', '/socket.io': { target: 'http://localhost:4000', ws: true } } },
  // One stylesheet, linked from index.html: the code main.tsx loads after its first requests (mount.tsx)
  // and the pages loaded later then wait for no CSS of their own.
  build: { outDir: 'dist', emptyOutDir: true, cssCodeSplit: false },
});
