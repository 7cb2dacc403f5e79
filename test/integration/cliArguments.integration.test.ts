/**
 * The CLI checks every argument before any backend call: ids (run ids, job names, tokens) bounded
 * and pattern-checked, `--env` and `--command` parsed strictly. A flow stand-in on the loopback port
 * (the real server, a recording host) shows what reached the backend: nothing, for a refused call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/cli/exitCodes.ts';
import { type FlowHost, serveFlow } from '../../lib/local/flowServer.ts';
import { runMain } from '../helpers/cliInProcess.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-cli-args-'));
const RUN = 'nightly-report-aaaaaaaaaaaaaaaaaaaa';
const received: { fn: string; event: unknown }[] = [];
const host: FlowHost = {
  stateDir: state,
  store: {
    runsOfJob: async () => {
      received.push({ fn: 'store.runsOfJob', event: null });
      return { runs: [] };
    },
    getHistory: async () => {
      received.push({ fn: 'store.getHistory', event: null });
      return undefined;
    },
    getRun: async () => undefined,
    getJobState: async () => undefined,
    activeRuns: async () => [],
    queuedRuns: async () => [],
    childTally: async () => ({ counts: {}, counted: 0, countedIndices: [], failed: [] }),
    slotHolders: async () => [],
  },
  invoke: async (fn, event) => {
    received.push({ fn, event });
    return { ok: true, result: { ok: true, action: 'trigger', runId: RUN, status: 'QUEUED', created: true } };
  },
  idle: async () => true,
};
let stop: () => Promise<void>;

beforeAll(async () => {
  stop = await serveFlow(host);
});
afterAll(() => stop());
beforeEach(() => {
  received.length = 0;
});

const cli = (...args: string[]) => runMain(['--state', state, ...args]);

describe('CLI: arguments', () => {
  it.each([
    ['a 3,000-character run id', ['runs', 'show', 'a'.repeat(3000)], 'run'],
    ['a run id in capitals', ['runs', 'show', 'Nightly_Report-aaaaaaaaaaaaaaaaaaaa'], 'run'],
    ['a run id with a short hash', ['runs', 'retry', 'nightly-report-aaaa'], 'run'],
    ['a run id with an attempt', ['runs', 'cancel', `${RUN}/1`], 'run'],
    ['a 3,000-character --run', ['explain', 'events/ecs-task-stopped-oom.json', '--run', 'r'.repeat(3000)], '--run'],
    ['a 3,000-character job name', ['trigger', 'j'.repeat(3000)], 'job'],
    ['a job name in capitals', ['trigger', 'Nightly_Report'], 'job'],
    ['a 300-character --job', ['runs', 'list', '--job', 'j'.repeat(300)], '--job'],
    ['a 65-character --token', ['trigger', 'nightly-report', '--token', 't'.repeat(65)], '--token'],
    ['a --token with a space', ['runs', 'retry', RUN, '--token', 'a b'], '--token'],
    ['a 256-character --reason', ['runs', 'cancel', RUN, '--reason', 'r'.repeat(256)], '--reason'],
    ['an unknown --status', ['runs', 'list', '--status', 'DONE'], '--status'],
    ['a console --port over 65535', ['console', '--port', '70000'], '--port'],
    ['a console --port that is not a number', ['console', '--port', 'http'], '--port'],
  ])('refuses %s with exit 2 naming the argument and its rule, before any backend call', async (_what, args, name) => {
    // Act
    const r = await cli(...args);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain(`longshore: ${name}`);
    expect(r.err).toMatch(/must|at most|one of/);
    expect(r.err.length).toBeLessThan(400);
    expect(received).toEqual([]);
  });

  it.each([
    [['--env', 'NOEQUALS'], "--env 'NOEQUALS' is not NAME=VALUE"],
    [['--env', '=x'], "--env '=x': the name is empty"],
    [['--env', 'A=1', '--env', 'A=2'], '--env A is given twice'],
    [['--env', '1A=x'], "--env '1A': is not a valid variable name (letters, digits and _, not starting with a digit)"],
    [
      ['--env', 'A-B=x'],
      "--env 'A-B': is not a valid variable name (letters, digits and _, not starting with a digit)",
    ],
    [
      ['--env', 'S3_KEY=x'],
      "--env 'S3_KEY': is reserved: longshore sets LONGSHORE_*, S3_*, SCHEDULED_TIME and AWS_* itself",
    ],
    [['--env', 'A=a\u0007b'], '--env A: the value has a control character (U+0007)'],
    [['--command', '["node","a\\u0000b"]'], '--command: element 2 has a control character (U+0000)'],
    [['--command', '["node","-e","1\\u001b2"]'], '--command: element 3 has a control character (U+001B)'],
    [['--command', '"node"'], '--command must be a JSON array of strings'],
    [['--command', '["node",1]'], '--command must be a JSON array of strings'],
    [['--command', '[]'], '--command must be a JSON array of strings'],
    [['--command', 'node x'], '--command must be a JSON array of strings'],
    [['--cpu', 'abc'], '--cpu must be a positive integer'],
    [['--memory', '1.5'], '--memory must be a positive integer'],
    [
      ['--image-tag', '-rc1'],
      "--image-tag '-rc1' must be a Docker tag: letters, digits and _ first, then also . and -, at most 128 characters",
    ],
    [
      ['--image', 'Acme/App:1'],
      "--image 'Acme/App:1' must be an image reference: [registry/]repository[:tag][@sha256:digest], the repository in lowercase",
    ],
    [
      ['--image', 'public.ecr.aws/acme/app'],
      "--image 'public.ecr.aws/acme/app' must name a tag or a digest (without one it means :latest, which moves)",
    ],
    [['--image-tag', '2', '--image', 'a/b:1'], 'give --image-tag or --image, not both'],
  ])('refuses trigger %j with exit 2 and a clear message, before any backend call', async (flags, message) => {
    // Act
    const r = await cli('trigger', 'nightly-report', ...flags);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain(`longshore: ${message}`);
    expect(received).toEqual([]);
  });

  it('sends environment names that are JavaScript object keys as they are, none dropped', async () => {
    // Act
    const r = await cli(
      'trigger',
      'nightly-report',
      '--env',
      '__proto__=1',
      '--env',
      'constructor=2',
      '--env',
      'toString=3',
      '--env',
      'VALUE=a=b',
      '--env',
      'EMPTY=',
    );

    // Assess
    expect(r.code).toBe(EXIT.ok);
    const request = received[0]?.event as { overrides: { environment: Record<string, string> } };
    const environment = request.overrides.environment;
    expect(Object.getOwnPropertyNames(environment).sort()).toEqual([
      'EMPTY',
      'VALUE',
      '__proto__',
      'constructor',
      'toString',
    ]);
    expect(Object.entries(environment).sort()).toEqual([
      ['EMPTY', ''],
      ['VALUE', 'a=b'],
      ['__proto__', '1'],
      ['constructor', '2'],
      ['toString', '3'],
    ]);
  });

  it('sends a valid trigger with its command and size to the backend', async () => {
    // Act
    const r = await cli(
      'trigger',
      'nightly-report',
      '--token',
      'cli-args-1',
      '--command',
      '["node","-e","process.exit(0)"]',
      '--cpu',
      '512',
      '--memory',
      '1024',
    );

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(received).toEqual([
      {
        fn: 'control',
        event: expect.objectContaining({
          action: 'trigger',
          job: 'nightly-report',
          clientToken: 'cli-args-1',
          overrides: { command: ['node', '-e', 'process.exit(0)'], cpu: 512, memory: 1024 },
        }),
      },
    ]);
  });
});
