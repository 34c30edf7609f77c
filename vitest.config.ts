import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The examples import the package by name; their tests run them against the source.
  resolve: {
    alias: [
      { find: /^humanloop-otel-exporter\/local$/, replacement: source('./src/local/index.ts') },
      { find: /^humanloop-otel-exporter$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
