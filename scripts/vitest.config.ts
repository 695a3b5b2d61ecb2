import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'scripts',
    // Only the build script's tests; scripts/chaos is a runner of its own (npm run chaos).
    include: ['*.test.mjs'],
  },
});
