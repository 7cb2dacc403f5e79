import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every AWS SDK call the unit and integration tests make is recorded here (test/conformance/
// recordSdkCalls.ts), one folder per run. The `sdk-calls` project checks them against the service
// API models; it must start after the others have finished, so it exists only in its own run
// (`LONGSHORE_SDK_CALLS_CHECK=1 vitest run --project sdk-calls`, a step of .ci/test.sh with the
// same folder). vitest's `sequence.groupOrder` did not hold this order here (5.1.1).
process.env.LONGSHORE_SDK_CALLS_DIR ??= mkdtempSync(join(tmpdir(), 'longshore-sdk-calls-'));
const checkSdkCalls = process.env.LONGSHORE_SDK_CALLS_CHECK === '1';

/**
 * Projects: `unit` (no network, no engine, fast), `integration` (a real local DynamoDB engine
 * started once in globalSetup, and `osls package` against the real template), `conformance` (the
 * packaged templates against CloudFormation's specification, event patterns and schedules) and
 * `sdk-calls` (the recorded SDK calls against the API models, in a run of its own after the others).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/conformance/recordSdkCalls.ts', 'test/setup.ts', 'test/unit/setupClock.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.integration.test.ts'],
          setupFiles: ['test/conformance/recordSdkCalls.ts', 'test/setup.ts'],
          globalSetup: ['test/integration/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          environment: 'node',
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.conformance.test.ts'],
          exclude: ['test/conformance/sdkCalls.conformance.test.ts'],
          globalSetup: ['test/conformance/globalSetup.ts'],
          hookTimeout: 180_000,
          environment: 'node',
        },
      },
      ...(checkSdkCalls
        ? [
            {
              test: {
                name: 'sdk-calls',
                include: ['test/conformance/sdkCalls.conformance.test.ts'],
                environment: 'node',
              },
            },
          ]
        : []),
    ],
    coverage: {
      provider: 'v8',
      include: ['lib/**', 'functions/**'],
      exclude: ['lib/local/demo/**'],
    },
  },
});
