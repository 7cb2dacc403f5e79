/**
 * Validates a job catalog and reports every problem at once, each naming the job and the field and
 * saying what is allowed. Structure first (zod), then the rules that need the whole picture.
 *
 * Over 300 lines on purpose: it is one checklist, read top to bottom, one rule after the other, and
 * split into files its rules would be harder to see whole (what each field may be is the point).
 * Rules that are not catalog knowledge live elsewhere (names: lib/domain/names.ts, variables:
 * lib/domain/taskEnvironment.ts, stop codes: lib/domain/taskStatus.ts, sizes: fargateSizes.ts).
 */
import * as z from 'zod';
import { MAX_BATCH_OBJECTS, MAX_BATCH_WINDOW_SECONDS, MIN_BATCH_WINDOW_SECONDS } from '../domain/batch.ts';
import { parseDuration } from '../domain/duration.ts';
import { pathProblem } from '../domain/eventPath.ts';
import { patternProblems } from '../domain/eventPattern.ts';
import { type DataTrigger, identityPaths, MAX_EVENT_VARIABLES } from '../domain/eventTrigger.ts';
import { MAX_CHILDREN, MAX_COUNT_ITEMS, MAX_ITEMS_PER_TASK, tolerateProblem } from '../domain/fanOut.ts';
import { FARGATE_CPUS, isValidFargateSize, validMemoriesFor } from '../domain/fargateSizes.ts';
import { JOB_NAME_PATTERN, MAX_JOB_NAME_LENGTH } from '../domain/names.ts';
import { isValidTimeZone, parseScheduleExpression, ScheduleExpressionError } from '../domain/scheduleExpression.ts';
import { CONTROL_CHARS_RULE, envNameProblem, hasControlChars } from '../domain/taskEnvironment.ts';
import { KNOWN_STOP_CODES } from '../domain/taskStatus.ts';
import { CatalogError } from '../errors.ts';
import { issueSentences, listOr } from '../schemaIssues.ts';
import { arnPattern } from './arn.ts';
import {
  type Catalog,
  type Container,
  catalog as catalogSchema,
  type Job,
  job as jobSchema,
  type ParamRef,
  type Policy,
  type S3Trigger,
  type Sidecar,
} from './schema.ts';
import { KMS_KEY_ARN, secretRefProblems } from './secretRefs.ts';

type Report = (field: string, message: string) => void;

/**
 * The characters every resource a job's tags land on accepts (ECS task definitions and tasks, IAM
 * roles, CloudWatch Logs groups all document letters, digits, spaces and `+ - = . _ : / @`). The
 * table, which also refuses `@`, carries only longshore's own tags.
 */
const TAG_TEXT = /^[\p{L}\p{N} +\-=._:/@]*$/u;
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const EFS_ID = /^fs-[0-9a-f]{8,40}$/;
const ACCESS_POINT = /^fsap-[0-9a-f]{8,40}$/;
const ECR_REPO = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const S3_OBJECT_ARN = arnPattern('s3', '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.env', { region: 'empty' });
const SQS_QUEUE_ARN = arnPattern('sqs', '[A-Za-z0-9_-]{1,80}');
const SQS_FIFO_ARN = arnPattern('sqs', '[A-Za-z0-9_-]{1,75}\\.fifo');
/** EventBridge bus names: 1-256 of letters, digits and . - _ / (partner buses hold a /). */
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const MAX_IDENTITY_PATHS = 5;
const SM_ARN_OR_NAME = /^(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/;
const LOG_RETENTION = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const MAX_TIMEOUT_SECONDS = 14 * 86400;
const MAX_CONCURRENT = 1000;
const MAX_USER_TAGS = 45; // ECS allows 50 per task; longshore adds up to 5 of its own.

const isParam = (v: unknown): v is ParamRef => typeof v === 'object' && v !== null && 'param' in v;

const checkIdList = (
  report: Report,
  field: string,
  value: string[] | ParamRef,
  pattern: RegExp,
  what: string,
): void => {
  if (isParam(value)) return;
  if (value.length === 0) report(field, `needs at least one ${what} (or a stage parameter: { param: 'name' })`);
  if (value.length > 16) report(field, `has ${value.length} entries; RunTask allows at most 16`);
  for (const id of value) if (!pattern.test(id)) report(field, `'${id}' is not a ${what} id`);
};

const checkImage = (report: Report, field: string, image: Container['image']): void => {
  if (typeof image === 'string') {
    if (image.trim() === '' || /\s/.test(image))
      report(field, `'${image}' is not an image reference (registry/repository:tag)`);
    return;
  }
  if (!ECR_REPO.test(image.ecr))
    report(`${field}.ecr`, `'${image.ecr}' is not an ECR repository name (lowercase, digits, . _ - /)`);
  if (image.tag !== undefined && image.digest !== undefined) report(field, 'give tag or digest, not both');
  if (image.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(image.digest))
    report(`${field}.digest`, 'must be sha256:<64 hex>');
  if (image.tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(image.tag))
    report(`${field}.tag`, `'${image.tag}' is not a valid tag`);
};

const checkContainer = (report: Report, prefix: string, c: Container | Sidecar, envFiles: { count: number }): void => {
  checkImage(report, `${prefix}.image`, c.image);
  for (const name of Object.keys(c.environment)) {
    const problem = envNameProblem(name);
    if (problem) report(`${prefix}.environment.${name}`, problem);
    if (hasControlChars(c.environment[name] ?? '')) report(`${prefix}.environment.${name}`, CONTROL_CHARS_RULE);
  }
  (c.command ?? []).forEach((arg, i) => {
    if (hasControlChars(arg)) report(`${prefix}.command[${i}]`, CONTROL_CHARS_RULE);
  });
  for (const [name, ref] of Object.entries(c.secrets)) {
    const problem = envNameProblem(name);
    if (problem) report(`${prefix}.secrets.${name}`, problem);
    if (Object.hasOwn(c.environment, name))
      report(`${prefix}.secrets.${name}`, 'is also set in environment; a variable comes from one or the other');
    for (const p of secretRefProblems(ref)) report(`${prefix}.secrets.${name}`, p);
  }
  c.environmentFiles.forEach((file, i) => {
    if (!S3_OBJECT_ARN.test(file))
      report(
        `${prefix}.environmentFiles[${i}]`,
        `'${file}' must be an S3 object ARN ending in .env (arn:aws:s3:::bucket/path/file.env)`,
      );
  });
  envFiles.count += c.environmentFiles.length;
  const seen = new Set<number>();
  for (const port of c.ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      report(`${prefix}.ports`, `${port} is not a port (1-65535)`);
    if (seen.has(port)) report(`${prefix}.ports`, `${port} is listed twice`);
    seen.add(port);
  }
  if (
    c.stopTimeoutSeconds !== undefined &&
    (!Number.isInteger(c.stopTimeoutSeconds) || c.stopTimeoutSeconds < 2 || c.stopTimeoutSeconds > 120)
  ) {
    report(`${prefix}.stopTimeoutSeconds`, `${c.stopTimeoutSeconds} is out of range; Fargate allows 2-120 seconds`);
  }
  for (const [field, list] of [
    ['command', c.command],
    ['entryPoint', c.entryPoint],
    ['localCommand', c.localCommand],
  ] as const) {
    if (list !== undefined && list.length === 0)
      report(`${prefix}.${field}`, 'is empty; omit it to use the image default');
  }
};

const checkSize = (report: Report, job: Job): void => {
  const { cpu, memory, ephemeralStorageGiB, gpus } = job.size;
  if (job.capacity.type === 'ec2') {
    if (!Number.isInteger(cpu) || cpu < 128 || cpu > 196608)
      report('size.cpu', `${cpu} is out of range for EC2 (128-196608 cpu units)`);
    if (!Number.isInteger(memory) || memory < 128)
      report('size.memory', `${memory} is out of range for EC2 (at least 128 MiB)`);
    if (ephemeralStorageGiB !== undefined)
      report('size.ephemeralStorageGiB', 'is a Fargate setting; EC2 tasks use the instance volume');
    if (gpus !== undefined && (!Number.isInteger(gpus) || gpus < 1 || gpus > 16))
      report('size.gpus', `${gpus} is out of range (1-16)`);
    return;
  }
  if (gpus !== undefined)
    report(
      'size.gpus',
      'Fargate has no GPUs; use capacity { type: "ec2", capacityProvider } with a GPU capacity provider',
    );
  if (!FARGATE_CPUS.includes(cpu)) {
    report('size.cpu', `${cpu} is not a Fargate cpu; use ${listOr(FARGATE_CPUS)}`);
  } else if (!isValidFargateSize({ cpu, memory })) {
    report('size.memory', `${memory} is not valid with cpu ${cpu}; use ${listOr(validMemoriesFor(cpu))}`);
  }
  if (
    ephemeralStorageGiB !== undefined &&
    (!Number.isInteger(ephemeralStorageGiB) || ephemeralStorageGiB < 21 || ephemeralStorageGiB > 200)
  ) {
    report('size.ephemeralStorageGiB', `${ephemeralStorageGiB} is out of range; Fargate allows 21-200 GiB`);
  }
};

const checkBackoff = (report: Report, field: string, b: Policy['backoff']): void => {
  const base = parseDuration(b.base);
  const cap = parseDuration(b.cap);
  if (base === undefined || base < 1)
    report(`${field}.base`, `'${b.base}' is not a duration of at least 1s (e.g. '30s', '2m')`);
  if (cap === undefined) report(`${field}.cap`, `'${b.cap}' is not a duration (e.g. '15m', '6h')`);
  if (base !== undefined && cap !== undefined && cap < base)
    report(`${field}.cap`, `'${b.cap}' is below base '${b.base}'`);
  if (cap !== undefined && cap > 86400) report(`${field}.cap`, `'${b.cap}' is above 1d`);
  if (!(b.factor >= 1 && b.factor <= 10)) report(`${field}.factor`, `${b.factor} is out of range (1-10)`);
};

const checkPolicy = (report: Report, job: Job): void => {
  const p = job.policy;
  if (!Number.isInteger(p.retries) || p.retries < 0 || p.retries > 20)
    report('policy.retries', `${p.retries} is out of range (0-20)`);
  if (
    !Number.isInteger(p.maxInfrastructureRetries) ||
    p.maxInfrastructureRetries < 0 ||
    p.maxInfrastructureRetries > 20
  ) {
    report('policy.maxInfrastructureRetries', `${p.maxInfrastructureRetries} is out of range (0-20)`);
  }
  checkBackoff(report, 'policy.backoff', p.backoff);
  if (!(p.memoryGrowth > 1 && p.memoryGrowth <= 4))
    report('policy.memoryGrowth', `${p.memoryGrowth} is out of range (more than 1, at most 4)`);
  if (p.maxMemory !== undefined && p.maxMemory < job.size.memory) {
    report('policy.maxMemory', `${p.maxMemory} is below the job's memory ${job.size.memory}`);
  }
  const names = new Set<string>();
  p.rules.forEach((rule, i) => {
    const field = `policy.rules[${i}]${rule.name ? ` '${rule.name}'` : ''}`;
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(rule.name)) report(field, 'name must be lowercase letters, digits and -');
    if (names.has(rule.name)) report(field, `name '${rule.name}' is used twice`);
    names.add(rule.name);
    const m = rule.match;
    if (
      m.exitCodes === undefined &&
      m.stopCodes === undefined &&
      m.reason === undefined &&
      m.launchFailure === undefined
    ) {
      report(`${field}.match`, 'matches nothing; give exitCodes, stopCodes, reason or launchFailure');
    }
    for (const code of m.exitCodes ?? []) {
      const [lo, hi] = Array.isArray(code) ? code : [code, code];
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > 255 || hi < lo) {
        report(
          `${field}.match.exitCodes`,
          `${JSON.stringify(code)} is not an exit code or [low, high] range within 0-255`,
        );
      }
    }
    for (const code of m.stopCodes ?? []) {
      if (!KNOWN_STOP_CODES.includes(code))
        report(`${field}.match.stopCodes`, `'${code}' is not an ECS stop code; use ${listOr(KNOWN_STOP_CODES)}`);
    }
    for (const key of ['reason', 'launchFailure'] as const) {
      const source = m[key];
      if (source === undefined) continue;
      try {
        new RegExp(source);
      } catch (e) {
        report(`${field}.match.${key}`, `is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    if (rule.action === 'retry-on-demand' && job.capacity.type !== 'fargate-spot') {
      report(`${field}.action`, "retry-on-demand only applies to jobs on capacity { type: 'fargate-spot' }");
    }
    if (rule.retries !== undefined && (!Number.isInteger(rule.retries) || rule.retries < 0 || rule.retries > 20)) {
      report(`${field}.retries`, `${rule.retries} is out of range (0-20)`);
    }
    if (rule.retries !== undefined && rule.action !== 'retry')
      report(`${field}.retries`, `only applies to action 'retry', not '${rule.action}'`);
    if (rule.backoff !== undefined) checkBackoff(report, `${field}.backoff`, rule.backoff);
  });
};

const checkTriggers = (report: Report, job: Job): void => {
  if (job.triggers.length === 0)
    report(
      'triggers',
      "needs at least one trigger ({ type: 's3' | 'schedule' | 'manual' | 'after' | 'event' | 'sqs' })",
    );
  const seen = new Set<string>();
  job.triggers.forEach((t, i) => {
    const field = `triggers[${i}]`;
    const key = JSON.stringify(t);
    if (seen.has(key)) report(field, 'repeats an earlier trigger of this job');
    seen.add(key);
    if (t.type === 's3') {
      if (!BUCKET.test(t.bucket) || t.bucket.includes('..')) {
        report(`${field}.bucket`, `'${t.bucket}' is not an S3 bucket name (3-63 lowercase letters, digits, . and -)`);
      }
      for (const k of ['prefix', 'suffix'] as const) {
        const v = t[k];
        if (v !== undefined && (v === '' || v.length > 1024))
          report(`${field}.${k}`, 'must be 1-1024 characters; omit it to match every key');
      }
      if (t.batch) checkBatch(report, `${field}.batch`, t.batch);
    } else if (t.type === 'schedule') {
      try {
        parseScheduleExpression(t.expression);
      } catch (e) {
        if (!(e instanceof ScheduleExpressionError)) throw e;
        report(`${field}.expression`, e.message);
      }
      if (!isValidTimeZone(t.timezone))
        report(
          `${field}.timezone`,
          `'${t.timezone}' is not an IANA time zone (e.g. 'Europe/Paris', 'America/New_York', 'UTC')`,
        );
    } else if (t.type === 'after') {
      // The upstream job's existence and cycles need the whole catalog: checkAfterGraph.
      if (t.on.length === 0) report(`${field}.on`, "needs at least one status (e.g. ['SUCCEEDED'])");
      if (new Set(t.on).size !== t.on.length) report(`${field}.on`, 'lists a status more than once');
      if (t.filter?.keyPrefix !== undefined && (t.filter.keyPrefix === '' || t.filter.keyPrefix.length > 1024))
        report(`${field}.filter.keyPrefix`, 'must be 1-1024 characters; omit it to match every key');
    } else if (t.type === 'event') {
      if (t.bus !== undefined && (!BUS_NAME.test(t.bus) || t.bus.startsWith('arn:')))
        report(
          `${field}.bus`,
          `'${t.bus}' is not an event bus name (1-256 letters, digits, . - _ /; a name, not an ARN)`,
        );
      for (const p of patternProblems(t.pattern, `${field}.pattern`))
        report(p.split(': ')[0] ?? field, p.slice(p.indexOf(': ') + 2));
      checkDataTrigger(report, field, t, job);
    } else if (t.type === 'sqs') {
      if (typeof t.queue === 'string' && !SQS_QUEUE_ARN.test(t.queue) && !SQS_FIFO_ARN.test(t.queue))
        report(
          `${field}.queue`,
          `'${t.queue}' is not an SQS queue ARN (arn:aws:sqs:region:account:name) or { param: 'name' }`,
        );
      if (typeof t.kmsKey === 'string' && !KMS_KEY_ARN.test(t.kmsKey))
        report(
          `${field}.kmsKey`,
          `'${t.kmsKey}' is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); an alias cannot be granted kms:Decrypt`,
        );
      checkDataTrigger(report, field, t, job);
    }
  });
  if (job.triggers.filter((t) => t.type === 'manual').length > 1) report('triggers', "lists 'manual' more than once");
};

/** An s3 trigger's `batch`: how many objects, how long to wait for them, how many bytes at most. */
const checkBatch = (report: Report, field: string, b: NonNullable<S3Trigger['batch']>): void => {
  if (!Number.isInteger(b.maxObjects) || b.maxObjects < 1 || b.maxObjects > MAX_BATCH_OBJECTS)
    report(`${field}.maxObjects`, `${b.maxObjects} is out of range (1-${MAX_BATCH_OBJECTS})`);
  const window = parseDuration(b.window);
  if (window === undefined) report(`${field}.window`, `'${b.window}' is not a duration (e.g. '30s', '10m', '1h')`);
  else if (window < MIN_BATCH_WINDOW_SECONDS || window > MAX_BATCH_WINDOW_SECONDS)
    report(`${field}.window`, `'${b.window}' is out of range (1s-1d)`);
  if (b.maxBytes !== undefined && (!Number.isSafeInteger(b.maxBytes) || b.maxBytes < 1))
    report(`${field}.maxBytes`, `${b.maxBytes} is not a positive whole number of bytes; omit it for no limit`);
};

/** What an event or sqs trigger takes from its document: variable names and paths, and identity paths. */
const checkDataTrigger = (report: Report, field: string, t: DataTrigger, job: Job): void => {
  const own = new Set(
    [job.container, ...job.sidecars].flatMap((c) => [...Object.keys(c.environment), ...Object.keys(c.secrets)]),
  );
  const names = Object.keys(t.environment);
  if (names.length > MAX_EVENT_VARIABLES)
    report(`${field}.environment`, `has ${names.length} variables; at most ${MAX_EVENT_VARIABLES}`);
  for (const [name, path] of Object.entries(t.environment)) {
    const problem = envNameProblem(name);
    if (problem) report(`${field}.environment.${name}`, problem);
    else if (own.has(name))
      report(
        `${field}.environment.${name}`,
        "is also set by the job's container (environment or secrets); a variable comes from one place",
      );
    const bad = pathProblem(path);
    if (bad) report(`${field}.environment.${name}`, bad);
  }
  const paths = identityPaths(t);
  if (paths.length === 0 || paths.length > MAX_IDENTITY_PATHS)
    report(
      `${field}.identity`,
      `needs 1-${MAX_IDENTITY_PATHS} paths (the default is the ${t.type === 'event' ? 'event id' : 'message id'})`,
    );
  paths.forEach((p, i) => {
    const bad = pathProblem(p);
    if (bad) report(`${field}.identity${Array.isArray(t.identity) ? `[${i}]` : ''}`, bad);
  });
  if (t.type === 'sqs' && paths.some((p) => p !== '$.messageId' && !p.startsWith('$.body')))
    report(
      `${field}.identity`,
      "an sqs identity is '$.messageId' or paths into the body ('$.body.orderId'); other record fields change between receives or sends",
    );
};

const checkVolumes = (report: Report, job: Job): void => {
  const containers = new Set(['main', ...job.sidecars.map((s) => s.name)]);
  const names = new Set<string>();
  job.volumes.forEach((v, i) => {
    const field = `volumes[${i}]`;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(v.name)) report(`${field}.name`, `'${v.name}' must be letters, digits, _ and -`);
    if (names.has(v.name)) report(`${field}.name`, `'${v.name}' is used twice`);
    names.add(v.name);
    if (!v.mountPath.startsWith('/')) report(`${field}.mountPath`, `'${v.mountPath}' must be an absolute path`);
    for (const c of v.containers ?? []) {
      if (!containers.has(c))
        report(`${field}.containers`, `'${c}' is not a container of this job; use ${listOr([...containers])}`);
    }
    const efs = v.efs;
    if (!efs) return;
    if (typeof efs.fileSystemId === 'string' && !EFS_ID.test(efs.fileSystemId))
      report(`${field}.efs.fileSystemId`, `'${efs.fileSystemId}' is not an EFS id (fs-...)`);
    if (typeof efs.accessPointId === 'string' && !ACCESS_POINT.test(efs.accessPointId))
      report(`${field}.efs.accessPointId`, `'${efs.accessPointId}' is not an access point id (fsap-...)`);
    if (efs.iamAuthorization && !efs.transitEncryption)
      report(`${field}.efs`, 'iamAuthorization needs transitEncryption: true');
    if (efs.accessPointId !== undefined && !efs.transitEncryption)
      report(`${field}.efs`, 'an access point needs transitEncryption: true');
    if (efs.accessPointId !== undefined && efs.rootDirectory !== undefined && efs.rootDirectory !== '/') {
      report(
        `${field}.efs.rootDirectory`,
        'must be omitted when an access point is used (the access point sets the root)',
      );
    }
  });
};

const checkCapacity = (report: Report, job: Job): void => {
  const c = job.capacity;
  if (c.type === 'fargate-spot' && job.architecture !== 'X86_64') {
    report(
      'capacity',
      'Fargate Spot runs only X86_64 tasks; set architecture: "X86_64" or use capacity { type: "fargate" }',
    );
  }
  if (c.type !== 'ec2') return;
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(c.capacityProvider))
    report('capacity.capacityProvider', `'${c.capacityProvider}' is not a capacity provider name`);
  if (/^FARGATE(_SPOT)?$/.test(c.capacityProvider))
    report('capacity.capacityProvider', `use type 'fargate' or 'fargate-spot' for ${c.capacityProvider}`);
  if (c.placementStrategy.length > 5)
    report('capacity.placementStrategy', `has ${c.placementStrategy.length} entries; ECS allows 5`);
  if (c.placementConstraints.length > 10)
    report('capacity.placementConstraints', `has ${c.placementConstraints.length} entries; ECS allows 10`);
  c.placementConstraints.forEach((pc, i) => {
    if (pc.type === 'memberOf' && (pc.expression.trim() === '' || pc.expression.length > 2000)) {
      report(
        `capacity.placementConstraints[${i}].expression`,
        'must be a cluster query language expression of 1-2000 characters',
      );
    }
  });
};

/** Fan-out (issue 14, lib/domain/fanOut.ts): sizes in range, at most 10,000 children, a tolerance that parses. */
const checkFanOut = (report: Report, job: Job): void => {
  const f = job.fanOut;
  if (!f) return;
  const { count } = f.items;
  const countOk = Number.isInteger(count) && count >= 1 && count <= MAX_COUNT_ITEMS;
  if (!countOk) report('fanOut.items.count', `${count} is out of range (an integer, 1-${MAX_COUNT_ITEMS})`);
  const perTaskOk = Number.isInteger(f.itemsPerTask) && f.itemsPerTask >= 1 && f.itemsPerTask <= MAX_ITEMS_PER_TASK;
  if (!perTaskOk)
    report('fanOut.itemsPerTask', `${f.itemsPerTask} is out of range (an integer, 1-${MAX_ITEMS_PER_TASK})`);
  if (countOk && perTaskOk && Math.ceil(count / f.itemsPerTask) > MAX_CHILDREN)
    report(
      'fanOut.items.count',
      `${count} items of ${f.itemsPerTask} per task make ${Math.ceil(count / f.itemsPerTask)} children; at most ${MAX_CHILDREN} (AWS Batch's array limit): raise itemsPerTask`,
    );
  if (
    f.maxParallel !== undefined &&
    (!Number.isInteger(f.maxParallel) || f.maxParallel < 1 || f.maxParallel > MAX_CHILDREN)
  )
    report(
      'fanOut.maxParallel',
      `${f.maxParallel} is out of range (an integer, 1-${MAX_CHILDREN}); omit it for no limit`,
    );
  const tolerate = tolerateProblem(f.tolerate);
  if (tolerate) report('fanOut.tolerate', tolerate);
};

const checkJob = (report: Report, job: Job, ctx: { networks: Set<string>; alerts: Set<string> }): void => {
  if (!JOB_NAME_PATTERN.test(job.name)) {
    report('name', 'must be lowercase letters, digits and -, starting with a letter and not ending with -');
  }
  if (job.name.length > MAX_JOB_NAME_LENGTH) {
    report(
      'name',
      `is ${job.name.length} characters; at most ${MAX_JOB_NAME_LENGTH} so that every derived AWS name fits its limit`,
    );
  }
  const envFiles = { count: 0 };
  checkContainer(report, 'container', job.container, envFiles);
  const retention = job.container.logs.retentionDays;
  if (!LOG_RETENTION.includes(retention))
    report('container.logs.retentionDays', `${retention} is not a CloudWatch retention; use ${listOr(LOG_RETENTION)}`);
  if (job.container.logs.group !== undefined && !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(job.container.logs.group)) {
    report('container.logs.group', `'${job.container.logs.group}' is not a log group name`);
  }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(job.container.logs.streamPrefix))
    report('container.logs.streamPrefix', 'must be 1-64 letters, digits, _ . -');
  const sidecars = new Set<string>();
  job.sidecars.forEach((s, i) => {
    const field = `sidecars[${i}]`;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(s.name) || s.name === 'main')
      report(`${field}.name`, `'${s.name}' must be letters, digits, _ and - and not 'main'`);
    if (sidecars.has(s.name)) report(`${field}.name`, `'${s.name}' is used twice`);
    sidecars.add(s.name);
    checkContainer(report, field, s, envFiles);
  });
  if (envFiles.count > 10)
    report('environmentFiles', `${envFiles.count} files across containers; ECS allows 10 per task definition`);
  checkVolumes(report, job);
  checkSize(report, job);
  checkCapacity(report, job);
  checkTriggers(report, job);
  checkPolicy(report, job);
  checkFanOut(report, job);
  if (!ctx.networks.has(job.network))
    report(
      'network',
      `'${job.network}' is not a network in the catalog; use ${listOr([...ctx.networks]) || 'one declared under networks'}`,
    );
  if (job.alerts !== false && !ctx.alerts.has(job.alerts))
    report('alerts', `'${job.alerts}' is not an alert route in the catalog; use ${listOr([...ctx.alerts])} or false`);
  const timeout = parseDuration(job.timeout);
  if (timeout === undefined) report('timeout', `'${job.timeout}' is not a duration (e.g. '30m', '2h', '1h30m')`);
  else if (timeout < 60 || timeout > MAX_TIMEOUT_SECONDS)
    report('timeout', `'${job.timeout}' is out of range (1m-14d)`);
  if (
    job.maxConcurrent !== undefined &&
    (!Number.isInteger(job.maxConcurrent) || job.maxConcurrent < 1 || job.maxConcurrent > MAX_CONCURRENT)
  ) {
    report('maxConcurrent', `${job.maxConcurrent} is out of range (1-${MAX_CONCURRENT}); omit it for no limit`);
  }
  const tags = Object.entries(job.tags);
  if (tags.length > MAX_USER_TAGS)
    report('tags', `has ${tags.length} tags; at most ${MAX_USER_TAGS} (ECS allows 50, longshore adds its own)`);
  for (const [k, v] of tags) {
    if (k.toLowerCase().startsWith('aws:') || k.startsWith('longshore:'))
      report(`tags.${k}`, "keys starting with 'aws:' or 'longshore:' are reserved");
    if (k.length > 128 || v.length > 256)
      report(`tags.${k}`, 'key must be at most 128 and value at most 256 characters');
    if (!TAG_TEXT.test(k) || !TAG_TEXT.test(v))
      report(`tags.${k}`, 'may contain only letters, digits, spaces and + - = . _ : / @');
  }
  checkOverridePolicy(report, job);
  checkResult(report, job);
  job.taskRole.statements.forEach((s, i) => {
    if (s.actions.length === 0 || s.resources.length === 0)
      report(`taskRole.statements[${i}]`, 'needs at least one action and one resource');
    if (s.actions.some((a) => a === '*' || a.endsWith(':*')))
      report(`taskRole.statements[${i}].actions`, 'wildcard actions are not allowed; list the actions the job needs');
  });
};

/** `result`: the last JSON log line only; why not a file is docs/decisions.md, "Run results". */
const checkResult = (report: Report, job: Job): void => {
  const r = job.result;
  if (!r) return;
  if (r.file !== undefined)
    report(
      'result.file',
      "is not supported: a file inside a Fargate task cannot be read once the task stopped; print it as the container's last log line (e.g. `cat /out/result.json` last) and declare result: { lastLogLine: true }",
    );
  else if (r.lastLogLine !== true)
    report('result', 'declare result: { lastLogLine: true } (the last log line that is JSON), or leave result out');
};

const checkOverridePolicy = (report: Report, job: Job): void => {
  const env = job.overrides.environment;
  if (typeof env === 'boolean') return;
  const secretNames = new Set([job.container, ...job.sidecars].flatMap((c) => Object.keys(c.secrets)));
  const seen = new Set<string>();
  for (const name of env) {
    const field = `overrides.environment.${name}`;
    const problem = envNameProblem(name);
    if (problem) report(field, problem);
    else if (secretNames.has(name)) report(field, 'is a secret of this job; secrets come only from their reference');
    if (seen.has(name)) report(field, 'is listed twice');
    seen.add(name);
  }
  if (
    !job.triggers.some((t) => t.type === 'manual') &&
    (env.length > 0 || job.overrides.command || job.overrides.image)
  )
    report(
      'overrides',
      "allows overrides, but the job has no manual trigger ({ type: 'manual' }): no one can send them",
    );
};

/**
 * The `after` graph: every upstream job exists, and no job follows itself, directly or through
 * others (a cycle would start runs forever). Each problem names the trigger that closes it.
 */
export const checkAfterGraph = (jobs: readonly Job[], problems: string[]): void => {
  const names = new Set(jobs.map((j) => j.name));
  const upstreams = new Map(
    jobs.map((j) => [j.name, j.triggers.flatMap((t) => (t.type === 'after' ? [t.job] : []))] as const),
  );
  /** A path of jobs from `from` back to `target` along upstream edges, or undefined. */
  const pathTo = (from: string, target: string, seen: Set<string>): string[] | undefined => {
    if (from === target) return [target];
    if (seen.has(from)) return undefined;
    seen.add(from);
    for (const next of upstreams.get(from) ?? []) {
      const rest = pathTo(next, target, seen);
      if (rest) return [from, ...rest];
    }
    return undefined;
  };
  for (const job of jobs) {
    job.triggers.forEach((t, i) => {
      if (t.type !== 'after') return;
      const field = `job '${job.name}': triggers[${i}].job`;
      if (!names.has(t.job)) {
        problems.push(`${field}: '${t.job}' is not a job of this catalog (jobs: ${[...names].sort().join(', ')})`);
        return;
      }
      const cycle = pathTo(t.job, job.name, new Set());
      if (cycle) problems.push(`${field}: cycle ${[job.name, ...cycle].join(' -> ')}`);
    });
  }
};

const jobOwner = (raw: unknown, index: number): string => {
  const name = (raw as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `job '${name}'` : `job #${index + 1}`;
};

/**
 * Parses and validates a catalog; throws CatalogError listing every problem.
 *
 * @example validateCatalog(rawCatalog).jobs.map((j) => j.name)
 */
export const validateCatalog = (raw: unknown): Catalog => {
  // Structure of the top level and of each job separately, so one broken job does not hide the
  // problems of the others.
  const top = catalogSchema.extend({ jobs: z.array(z.unknown()) }).safeParse(raw, { reportInput: true });
  if (!top.success) throw new CatalogError(issueSentences(top.error, 'catalog'));
  const problems: string[] = [];
  const jobs: Job[] = [];
  top.data.jobs.forEach((rawJob, i) => {
    const parsedJob = jobSchema.safeParse(rawJob, { reportInput: true });
    if (parsedJob.success) jobs.push(parsedJob.data);
    else problems.push(...issueSentences(parsedJob.error, jobOwner(rawJob, i)));
  });
  const cat: Catalog = { ...top.data, jobs };
  const networks = new Set(Object.keys(cat.networks));
  const alerts = new Set(Object.keys(cat.alerts));
  if (networks.size === 0)
    problems.push("catalog: networks: declare at least one network (jobs use 'default' unless they name another)");
  for (const [name, net] of Object.entries(cat.networks)) {
    const report: Report = (field, message) => problems.push(`network '${name}': ${field}: ${message}`);
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(name)) report('name', 'must be letters, digits, _ and -, at most 32');
    checkIdList(report, 'subnets', net.subnets, SUBNET, 'subnet');
    checkIdList(report, 'securityGroups', net.securityGroups, SECURITY_GROUP, 'security group');
    if (!isParam(net.securityGroups) && net.securityGroups.length > 5)
      report('securityGroups', 'RunTask allows at most 5 security groups');
  }
  for (const [name, route] of Object.entries(cat.alerts)) {
    if (route.webhookSecret !== undefined && !SM_ARN_OR_NAME.test(route.webhookSecret)) {
      problems.push(
        `alert route '${name}': webhookSecret: '${route.webhookSecret}' is not a Secrets Manager secret name or ARN`,
      );
    }
  }
  if (top.data.jobs.length === 0) problems.push('catalog: jobs: declare at least one job');
  const seen = new Set<string>();
  for (const job of cat.jobs) {
    if (seen.has(job.name)) problems.push(`job '${job.name}': name: is used by another job; job names must be unique`);
    seen.add(job.name);
    checkJob((field, message) => problems.push(`job '${job.name}': ${field}: ${message}`), job, { networks, alerts });
  }
  checkAfterGraph(cat.jobs, problems);
  if (problems.length > 0) throw new CatalogError(problems);
  return cat;
};
