/**
 * Canary secrets: the whole local flow (LocalRuntime, as `npm start` runs it: the demo, an upload
 * whose task gets the warehouse password, a manual trigger with overrides, an alert through the
 * webhook route) and `longshore invoke` on every handler, with distinctive secret values for the
 * jobs' secrets and the webhook secret. None may appear in a log line, stdout, stderr, a store item,
 * a published event, an alert, an AWS call's input (RunTask's included), a task's log, or the
 * template serverless.ts builds. The values reach only where they must: the task's process
 * environment (SimulatedEcs injects them, as ECS does) and the webhook request's URL.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoPlan } from '../../lib/local/demo.ts';

// Every log line is printed (and so checked): the logger reads its level when it loads, after this.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const CANARY = vi.hoisted(() => {
  const mark = (what: string) => `CANARY-${what}-7f3a9c1e5b`;
  return {
    values: [mark('db'), mark('smtp'), mark('warehouse'), `https://webhook.local/${mark('webhook')}`, mark('webhook')],
    secrets: {
      jobs: {
        'nightly-report': { DB_PASSWORD: mark('db'), SMTP_TOKEN: mark('smtp') },
        'csv-ingest': { WAREHOUSE_PASSWORD: mark('warehouse') },
      },
      secrets: { 'longshore/reporting-webhook': `https://webhook.local/${mark('webhook')}` },
    },
  };
});

// Every reader of local.secrets.json gets the canaries (the flow's and `longshore invoke`'s runtime).
vi.mock('../../lib/local/localSecrets.ts', async (original) => ({
  ...(await original<typeof import('../../lib/local/localSecrets.ts')>()),
  loadLocalSecrets: () => ({ secrets: structuredClone(CANARY.secrets), created: false }),
}));

/** Every line written to stdout, stderr or the console while the suite runs (the logger prints through console). */
const written: string[] = [];
const capture = () => {
  const spies = [
    ...(['log', 'debug', 'info', 'warn', 'error'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        written.push(args.map(String).join(' '));
      }),
    ),
    ...[process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        written.push(String(chunk));
        return true;
      }),
    ),
  ];
  return () => {
    for (const s of spies) s.mockRestore();
  };
};

/** Where a canary shows in `text`, or [] (each finding names the place). */
const leaks = (where: string, value: unknown): string[] => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return CANARY.values.filter((c) => text?.includes(c)).map((c) => `${where}: ${c}`);
};

let restore: () => void = () => undefined;
// One state directory for the flow and the invokes: a process runs one embedded store (lib/local/engine.ts).
const state = mkdtempSync(join(tmpdir(), 'longshore-canary-'));
const { LocalRuntime } = await import('../../lib/local/LocalRuntime.ts');
type Runtime = Awaited<ReturnType<typeof LocalRuntime.start>>;

describe('Canary secrets: the local flow', () => {
  let rt: Runtime;
  let plan: DemoPlan;

  beforeAll(async () => {
    const { logger } = await import('../../lib/logger.ts');
    const { demoPlan } = await import('../../lib/local/demo.ts');
    const { scriptFrom } = await import('../../lib/local/taskScript.ts');
    restore = capture();
    logger.setLogLevel('DEBUG');
    plan = demoPlan(new Date());
    rt = await LocalRuntime.start({
      mode: 'flow',
      stateDir: state,
      pace: { startMs: 20, stepMs: 40 },
      script: scriptFrom(plan.script),
    });
  });
  afterAll(async () => {
    const { logger } = await import('../../lib/logger.ts');
    await rt.stop();
    logger.setLogLevel('SILENT');
    restore();
  });

  it('shows no job secret or webhook secret anywhere the flow writes, over the demo, an upload and a trigger', async () => {
    // Prepare
    const { playDemo } = await import('../../lib/local/demo.ts');

    // Act
    const demo = await playDemo(rt, plan, () => undefined);
    await rt.upload('acme-partner-drop', 'incoming/canary.csv', 'id,amount\n1,2\n');
    await rt.invoke('control', {
      action: 'trigger',
      job: 'csv-ingest',
      clientToken: 'canary-1',
      overrides: { environment: { BATCH_ROWS: '10' } },
    });
    await rt.idle(30_000);

    // Assess: the flow did what carries secrets (a task with the warehouse password, a webhook alert).
    expect(demo.idle).toBe(true);
    expect(demo.webhooks).toBeGreaterThan(0);
    const runTasks = rt.recorder.calls.filter((c) => c.command === 'RunTaskCommand' || c.command === 'RunTask');
    expect(runTasks.length).toBeGreaterThan(0);
    const taskLogs = readdirSync(rt.logsDir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => [join(f.parentPath, f.name), readFileSync(join(f.parentPath, f.name), 'utf8')] as const);
    const findings = [
      ...written.flatMap((line, i) => leaks(`output line ${i}`, line)),
      ...(await rt.scanAll()).flatMap((item) => leaks(`store item ${String(item.pk)} ${String(item.sk)}`, item)),
      ...rt.recorder.events.flatMap((e, i) => leaks(`published event ${i}`, e)),
      ...rt.recorder.alerts.flatMap((a, i) => leaks(`alert ${i}`, a)),
      ...rt.recorder.webhooks.flatMap((w, i) => leaks(`webhook post ${i}`, w)),
      ...rt.recorder.calls.flatMap((c, i) => leaks(`AWS call ${i} ${c.service} ${c.command}`, c.input)),
      ...taskLogs.flatMap(([file, text]) => leaks(`task log ${file}`, text)),
    ];
    expect(findings).toEqual([]);
    // The canaries were there to find: the task that needed the password had it in its environment.
    expect(taskLogs.some(([, text]) => text.includes('warehouse credentials present'))).toBe(true);
  });
});

describe('Canary secrets: longshore invoke on every handler', () => {
  const eventsDir = mkdtempSync(join(tmpdir(), 'longshore-canary-events-'));
  const reportFailed = (() => {
    const e = JSON.parse(readFileSync('events/run-failed.json', 'utf8')) as { detail: Record<string, unknown> };
    e.detail = { ...e.detail, job: 'nightly-report', runId: 'nightly-report-ka7nq3xv2mwe5rtb4yhc' };
    const file = join(eventsDir, 'report-failed.json');
    writeFileSync(file, JSON.stringify(e));
    return file;
  })();

  beforeAll(async () => {
    const { logger } = await import('../../lib/logger.ts');
    restore = capture();
    logger.setLogLevel('DEBUG');
  });
  afterAll(async () => {
    const { logger } = await import('../../lib/logger.ts');
    logger.setLogLevel('SILENT');
    restore();
    await LocalRuntime.shutdownEngine();
  });

  it.each([
    ['onUpload', 'events/s3-object-created.json'],
    ['onSchedule', 'events/schedule-rule.json'],
    ['control', 'events/control-trigger.json'],
    ['launcher', 'events/launch-queue.json'],
    ['onTaskStateChange', 'events/ecs-task-stopped-secrets-failure.json'],
    ['sweeper', 'events/sweeper-tick.json'],
    ['alert', 'events/run-failed.json'],
    ['alert', reportFailed],
  ])('shows no secret in what `longshore invoke %s %s` prints, as text or JSON', async (fn, file) => {
    // Prepare
    const { runMain } = await import('../helpers/cliInProcess.ts');
    written.length = 0;

    // Act
    const text = await runMain(['invoke', fn, file, '--state', state]);
    const json = await runMain(['--json', 'invoke', fn, file, '--state', state]);

    // Assess
    expect([text.code, json.code], `${text.err}\n${json.err}`).toEqual([0, 0]);
    expect([
      ...leaks('stdout', text.out),
      ...leaks('stderr', text.err),
      ...leaks('stdout (--json)', json.out),
      ...leaks('stderr (--json)', json.err),
      ...written.flatMap((line, i) => leaks(`log line ${i}`, line)),
    ]).toEqual([]);
  });
});

describe('Canary secrets: the template', () => {
  it('holds references to the secrets, never a value, for the project catalog', async () => {
    // Prepare
    const { functions } = await import('../../functions/index.ts');
    const { buildService } = await import('../../lib/infra/service.ts');
    const { PROTECTED_STAGES } = await import('../../lib/infra/context.ts');
    const { default: catalogInput } = await import('../../jobs.ts');
    const { validateCatalog } = await import('../../lib/catalog/validate.ts');

    // Act
    const { config } = buildService(
      { stage: 'prod', catalog: validateCatalog(catalogInput), protectedStages: PROTECTED_STAGES },
      functions,
    );

    // Assess
    expect(leaks('template', config)).toEqual([]);
  });
});
