import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'properties/**/*.test.ts', 'traces/**/*.test.ts', 'adapters/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
