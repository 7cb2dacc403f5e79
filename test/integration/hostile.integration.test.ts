/**
 * The hostile corpus (test/hostile/cases.ts) through the real handlers, the store on the local
 * engine and the simulated rest of AWS (LocalRuntime in invoke mode, as `longshore invoke`), plus
 * the CLI's own inputs and invalid catalogs. Each case ends in its one expected outcome, and the
 * store is never left with a partial write: an input refused at the edge changes no item. A refusal
 * is logged once (one ERROR line) where it reaches the handler's error logging.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobInput } from '../../lib/catalog/schema.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { HOSTILE, type HostileCase } from '../hostile/cases.ts';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const { LocalRuntime } = await import('../../lib/local/LocalRuntime.ts');
type Runtime = Awaited<ReturnType<typeof LocalRuntime.start>>;
const state = mkdtempSync(join(tmpdir(), 'longshore-hostile-'));
let rt: Runtime;
const lines: string[] = [];

beforeAll(async () => {
  for (const m of ['log', 'debug', 'info', 'warn', 'error'] as const)
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  rt = await LocalRuntime.start({ mode: 'invoke', stateDir: state });
});
afterAll(async () => {
  await rt.stop();
  await LocalRuntime.shutdownEngine();
  vi.restoreAllMocks();
});

const errorLines = () => lines.filter((l) => /"level": ?"ERROR"/.test(l));
const dump: unknown[] = [];

describe('Hostile corpus: every handler', () => {
  afterAll(() => {
    if (process.env.LONGSHORE_HOSTILE_DUMP)
      writeFileSync(process.env.LONGSHORE_HOSTILE_DUMP, JSON.stringify(dump, null, 1));
  });

  it.each(HOSTILE.map((h) => [`${h.class}: ${h.name} (${h.fn})`, h] as [string, HostileCase]))(
    '%s',
    async (_name, h) => {
      // Prepare
      const before = await rt.scanAll();
      lines.length = 0;

      // Act
      const out = await rt.invoke(h.fn, structuredClone(h.event));

      // Assess
      const after = await rt.scanAll();
      const result = out.result as Record<string, unknown> | undefined;
      if (process.env.LONGSHORE_HOSTILE_DUMP) {
        dump.push({
          name: h.name,
          fn: h.fn,
          expect: h.expect,
          out: JSON.stringify(out).slice(0, 600),
          errors: errorLines().length,
          changed: after.length - before.length,
        });
        return;
      }
      const e = h.expect;
      if ('invalid' in e) {
        expect(out.error?.name, JSON.stringify(out)).toBe('InvalidEventError');
        expect(out.error?.message).toContain(e.invalid);
        expect(errorLines()).toHaveLength(1);
        expect(after).toEqual(before);
      } else if ('error' in e) {
        expect(out.error?.name, JSON.stringify(out)).toBe(e.error);
        expect(out.error?.message).toContain(e.says);
        expect(errorLines()).toHaveLength(1);
        expect(after).toEqual(before);
      } else if ('refused' in e) {
        expect(out.ok, JSON.stringify(out)).toBe(true);
        expect(result).toMatchObject({ ok: false, error: { code: e.refused } });
        expect(JSON.stringify(result?.error)).toContain(e.says);
        expect(after).toEqual(before);
      } else if ('failures' in e) {
        expect(out.ok, JSON.stringify(out)).toBe(true);
        expect(
          ((result?.batchItemFailures ?? []) as { itemIdentifier: string }[]).map((f) => f.itemIdentifier),
        ).toEqual(e.failures);
      } else {
        expect(out.ok, JSON.stringify(out)).toBe(true);
        if (e.ok !== true) expect(result).toMatchObject(e.ok);
      }
      // Never a raw TypeError, a marshaller error or an AWS validation error, whatever the outcome.
      expect(JSON.stringify(out)).not.toMatch(
        /TypeError|ValidationException|marshall|Cannot read propert|undefined is not/,
      );
    },
  );
});

describe('Hostile corpus: the CLI', () => {
  const files = mkdtempSync(join(tmpdir(), 'longshore-hostile-files-'));
  const file = (name: string, content: string) => {
    const path = join(files, name);
    writeFileSync(path, content);
    return path;
  };

  it.each<[string, string[], number, string]>([
    ['an event file that is not JSON', ['invoke', 'onUpload', file('bad.json', '{"detail":')], 2, 'as JSON'],
    ['an event file that does not exist', ['invoke', 'onUpload', join(files, 'missing.json')], 2, 'Cannot read'],
    ['an event for the wrong handler', ['invoke', 'onUpload', 'events/ecs-task-running.json'], 2, 'Invalid S3'],
    [
      'a function that does not exist',
      ['invoke', 'constructor', 'events/sweeper-tick.json'],
      2,
      "Unknown function 'constructor'",
    ],
    [
      'a --command that is not a JSON array',
      ['trigger', 'csv-ingest', '--command', '{"sh":1}'],
      2,
      '--command must be a JSON array of strings',
    ],
    ['a --cpu that is not a number', ['trigger', 'csv-ingest', '--cpu', '1e3x'], 2, '--cpu must be a positive integer'],
    ['a --memory that is negative', ['trigger', 'csv-ingest', '--memory', '-1'], 2, '--memory'],
    [
      'an --env name that is __proto__, for a job that does not accept it',
      ['trigger', 'csv-ingest', '--env', '__proto__=1'],
      4,
      'environment.__proto__',
    ],
    [
      'an --env value with an escape sequence',
      ['trigger', 'csv-ingest', '--env', 'BATCH_ROWS=1\u001b[2J'],
      2,
      'control character',
    ],
    ['a --token with a space', ['trigger', 'csv-ingest', '--token', 'a b'], 2, 'token'],
    ['a run id with shell metacharacters', ['runs', 'show', '$(id);rm'], 2, 'run id'],
    ['a job that does not exist', ['trigger', 'payroll'], 3, "Unknown job 'payroll'"],
  ])('refuses %s with a clear message and its exit code', async (_what, args, code, message) => {
    // Prepare
    const { runMain } = await import('../helpers/cliInProcess.ts');

    // Act
    const r = await runMain([...args, '--state', state]);

    // Assess
    expect([r.code, `${r.out}${r.err}`]).toEqual([code, expect.stringContaining(message)]);
    expect(`${r.out}${r.err}`).not.toMatch(/TypeError|at .*\.ts:\d+/);
  });
});

describe('Hostile corpus: invalid catalogs', () => {
  const job = (over: Record<string, unknown>) => ({ ...baseJob(), ...over }) as JobInput;
  it.each<[string, unknown, string]>([
    ['a catalog that is not an object', 'jobs', 'catalog'],
    ['a job without a name', baseCatalog([{ ...baseJob(), name: undefined } as unknown as JobInput]), 'name'],
    ['a job named __proto__', baseCatalog([job({ name: '__proto__' })]), '__proto__'],
    ['two jobs with one name', baseCatalog([job({ name: 'twin' }), job({ name: 'twin' })]), 'twin'],
    ['a job whose timeout is a number', baseCatalog([job({ timeout: 60 })]), 'timeout'],
    [
      'a job whose overrides allow a field that does not exist',
      baseCatalog([job({ overrides: { volumes: true } })]),
      "unknown field 'volumes'",
    ],
    [
      'a schedule that is not an expression',
      baseCatalog([job({ triggers: [{ type: 'schedule', expression: 'every day' }] })]),
      'expression',
    ],
    [
      'an environment variable longshore reserves',
      baseCatalog([job({ container: { image: 'x:1', environment: { S3_KEY: 'x' } } })]),
      'S3_KEY',
    ],
    ['a network the catalog does not define', baseCatalog([job({ network: 'elsewhere' })]), 'elsewhere'],
    ['a memory size Fargate does not offer', baseCatalog([job({ size: { cpu: 256, memory: 4096 } })]), 'memory'],
    [
      'an event pattern EventBridge would refuse',
      baseCatalog([
        job({ triggers: [{ type: 'event', pattern: { detail: { n: [{ numeric: ['>', 1, '>', 2] }] } } }] }),
      ]),
      'triggers[0].pattern.detail.n[0]',
    ],
    [
      'an event pattern whose operator is unknown',
      baseCatalog([job({ triggers: [{ type: 'event', pattern: { source: [{ regex: '.*' }] } }] })]),
      '"regex" is not an EventBridge operator',
    ],
    [
      'an event path with a filter expression',
      baseCatalog([
        job({ triggers: [{ type: 'event', pattern: { source: ['a'] }, environment: { X: '$.detail[?(@.a)]' } }] }),
      ]),
      'triggers[0].environment.X',
    ],
    [
      'an event variable named __proto__',
      baseCatalog([
        job({
          triggers: [{ type: 'event', pattern: { source: ['a'] }, environment: JSON.parse('{"__proto__":"$.id"}') }],
        }),
      ]),
      'environment',
    ],
    [
      'an sqs queue given as a URL',
      baseCatalog([job({ triggers: [{ type: 'sqs', queue: 'https://sqs.eu-west-1.amazonaws.com/1/q' }] })]),
      'triggers[0].queue',
    ],
  ])('refuses %s, naming the field', async (_what, input, field) => {
    // Prepare
    const { validateCatalog } = await import('../../lib/catalog/validate.ts');
    const { CatalogError } = await import('../../lib/errors.ts');

    // Act
    let error: unknown;
    try {
      validateCatalog(input);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(CatalogError);
    expect(String((error as Error).message)).toContain(field);
  });
});
