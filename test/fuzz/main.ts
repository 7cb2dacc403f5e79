/**
 * `npm run fuzz -- --runs N [--seed S] [--json]`: generated histories over the real use cases, the
 * real run store on DynamoDB Local (dynalite when Java is missing, with a notice) and the simulated
 * rest of AWS, each replayed to quiescence with the nine invariants checked after every step. Prints
 * the figures RELIABILITY.md reports; on a failure, the seed and path that replay it and the shrunk
 * history (keep it in test/fuzz/regressions.ts). Exit 1 on a failure.
 *
 * `npm run fuzz -- --replay '<history JSON>' [--logs]` replays one history and prints what each
 * invocation did (and, with --logs, every log line), to see why it fails.
 */
import { testEnvironment } from '../helpers/environment.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(option('runs') ?? 100);
const seed = option('seed') !== undefined ? Number(option('seed')) : Date.now() % 2 ** 31;
const path = option('path');
const json = args.includes('--json');
const replayed = option('replay');
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error(
    'usage: npm run fuzz -- --runs N [--seed S] [--path P] [--minutes M] [--json] | --replay JSON [--logs]',
  );
  process.exit(2);
}

// The handlers read their environment when they load: the tests' stage and account, as test/setup.ts sets them.
Object.assign(process.env, {
  ...testEnvironment('test', {
    networks: {
      default: { subnets: 'subnet-0a1b2c3d4e5f60718', securityGroups: 'sg-0123456789abcdef0', assignPublicIp: false },
    },
    runTaskRate: 1000,
  }),
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  // Every line is captured per invocation (the faults-logged-once check); none is printed.
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
});

const { hasJava, startDynalite, startDynamoDbLocal } = await import('../../lib/local/dynamo.ts');
const { runHistories } = await import('./property.ts');
const { replay } = await import('./replay.ts');

const engine = hasJava() ? await startDynamoDbLocal() : await startDynalite();
if (engine.engine === 'dynalite') console.error('[fuzz] Java not found: using dynalite instead of DynamoDB Local');
const started = Date.now();
try {
  if (replayed !== undefined) {
    let world: import('./world.ts').World | undefined;
    const report = await replay(JSON.parse(replayed), engine.endpoint, (w) => {
      world = w;
    });
    for (const r of world?.records ?? []) {
      const what = r.ok ? JSON.stringify(r.result)?.slice(0, 240) : `FAILED ${r.error?.name}: ${r.error?.message}`;
      console.log(
        `#${r.inv.id} ${r.inv.fn}${r.inv.dead ? ` (died ${r.inv.died?.when} ${r.inv.died?.service} ${r.inv.died?.command})` : ''}: ${what}`,
      );
      if (args.includes('--logs'))
        for (const l of world?.logs ?? [])
          if (l.inv === r.inv.id) console.log(`    ${l.level}: ${l.text.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    console.log(JSON.stringify(report, null, 2));
    process.exitCode = report.violations.length > 0 ? 1 : 0;
  } else {
    const minutes = Number(option('minutes') ?? 30);
    const outcome = await runHistories({
      endpoint: engine.endpoint,
      runs,
      seed,
      ...(path ? { path } : {}),
      timeLimitMs: minutes * 60_000,
      progress: (n, r, ms) =>
        console.error(
          `[fuzz] #${n}: ${r.stats.steps} steps, ${r.stats.invocations} invocations, ${r.stats.faults} faults, ${r.stats.crashes} crashes, ${ms} ms${r.violations.length ? ` FAILED (${r.violations[0]})` : ''}`,
        ),
    });
    const figures = { engine: engine.engine, seconds: Math.round((Date.now() - started) / 1000), ...outcome.figures };
    if (json) console.log(JSON.stringify({ ...figures, failure: outcome.failure }, null, 2));
    else {
      console.log(`histories run: ${figures.histories} (seed ${seed}, ${figures.seconds} s on ${engine.engine})`);
      for (const [k, v] of Object.entries(outcome.figures))
        if (k !== 'histories') console.log(`  ${k}: ${JSON.stringify(v)}`);
    }
    if (outcome.failure) {
      console.error(`\nFAILED: ${outcome.failure.error}`);
      console.error(
        `again: npm run fuzz -- --runs ${runs} --seed ${outcome.failure.seed} --path ${outcome.failure.path}`,
      );
      console.error(`this history alone: npm run fuzz -- --replay '${JSON.stringify(outcome.failure.history)}' --logs`);
      console.error(`shrunk history (add it to test/fuzz/regressions.ts):\n${JSON.stringify(outcome.failure.history)}`);
      process.exitCode = 1;
    }
  }
} finally {
  await engine.stop();
}
