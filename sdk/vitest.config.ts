import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sdk',
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    // Property tests hash 100k units; give slow shared CI machines room.
    testTimeout: 60_000,
  },
});
