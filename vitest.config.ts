import { defineConfig } from 'vitest/config';

export default defineConfig({
  // src/register/package-require.cts is TypeScript too (the default leaves .cts untransformed).
  oxc: { include: /\.(m?ts|cts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    setupFiles: ['test/helpers/no-second-callbacks.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
