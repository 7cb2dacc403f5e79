import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (no network, no engine, fast) and `integration` (a real local DynamoDB
 * engine started once in globalSetup, and `osls package` against the real template).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup.ts', 'test/unit/setupClock.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.integration.test.ts'],
          setupFiles: ['test/setup.ts'],
          globalSetup: ['test/integration/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          environment: 'node',
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['lib/**', 'functions/**'],
      exclude: ['lib/local/demo/**'],
    },
  },
});
