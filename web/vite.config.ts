import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
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
