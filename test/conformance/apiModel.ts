/**
 * SDK call inputs held to the services' API models.
 *
 * - Structure: the `aws-sdk` v2 package's `apis/<service>.min.json` (a dev dependency): members
 *   exist, required members are present, types (structure, list, map, string, integer, long,
 *   double, boolean, timestamp, blob). The minified models carry no enums, lengths, ranges or
 *   patterns (see decisions.md).
 * - Constraints: the same models in full (enums, min/max lengths and ranges, patterns) from
 *   botocore's `data/` (the source the v2 models are generated from), where botocore is installed
 *   (`LONGSHORE_BOTOCORE_DATA`, else the `botocore` of `python3`, else Debian's python3-botocore).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ShapeDef {
  shape?: string;
  type?: string;
  members?: Record<string, ShapeDef>;
  required?: string[];
  member?: ShapeDef;
  key?: ShapeDef;
  value?: ShapeDef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}
export interface Model {
  operations: Record<string, { input?: ShapeDef }>;
  shapes: Record<string, ShapeDef>;
}

/** Client (class name without "Client") to its model: v2 file id and botocore service folder. */
export const MODELS: Record<string, { v2: string; botocore: string }> = {
  ECS: { v2: 'ecs-2014-11-13', botocore: 'ecs' },
  DynamoDB: { v2: 'dynamodb-2012-08-10', botocore: 'dynamodb' },
  SQS: { v2: 'sqs-2012-11-05', botocore: 'sqs' },
  EventBridge: { v2: 'eventbridge-2015-10-07', botocore: 'events' },
  Scheduler: { v2: 'scheduler-2021-06-30', botocore: 'scheduler' },
  SNS: { v2: 'sns-2010-03-31', botocore: 'sns' },
  SecretsManager: { v2: 'secretsmanager-2017-10-17', botocore: 'secretsmanager' },
  CloudWatchLogs: { v2: 'logs-2014-03-28', botocore: 'logs' },
  CloudFormation: { v2: 'cloudformation-2010-05-15', botocore: 'cloudformation' },
  Lambda: { v2: 'lambda-2015-03-31', botocore: 'lambda' },
  SSM: { v2: 'ssm-2014-11-06', botocore: 'ssm' },
  IAM: { v2: 'iam-2010-05-08', botocore: 'iam' },
  S3: { v2: 's3-2006-03-01', botocore: 's3' },
  EC2: { v2: 'ec2-2016-11-15', botocore: 'ec2' },
  ECR: { v2: 'ecr-2015-09-21', botocore: 'ecr' },
  ServiceQuotas: { v2: 'service-quotas-2019-06-24', botocore: 'service-quotas' },
  STS: { v2: 'sts-2011-06-15', botocore: 'sts' },
};

const require = createRequire(import.meta.url);
const v2Dir = join(dirname(require.resolve('aws-sdk/package.json')), 'apis');
export const awsSdkV2Version = (
  JSON.parse(readFileSync(join(v2Dir, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** botocore's data folder, or undefined when no botocore is installed. */
export const botocoreData = ((): { dir: string; version: string } | undefined => {
  const candidates = [process.env.LONGSHORE_BOTOCORE_DATA];
  try {
    candidates.push(
      execFileSync(
        'python3',
        ['-c', 'import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),"data"))'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ).trim(),
    );
  } catch {
    // no python3 or no botocore: try Debian's package below
  }
  candidates.push('/usr/lib/python3/dist-packages/botocore/data');
  for (const dir of candidates) {
    if (!dir || !existsSync(join(dir, 'ecs'))) continue;
    let version = 'unknown';
    try {
      version = /__version__ = '([^']+)'/.exec(readFileSync(join(dir, '..', '__init__.py'), 'utf8'))?.[1] ?? version;
    } catch {
      // version unknown
    }
    return { dir, version };
  }
  return undefined;
})();

const v2Cache = new Map<string, Model>();
const fullCache = new Map<string, Model | undefined>();

export const v2Model = (client: string): Model | undefined => {
  const id = MODELS[client]?.v2;
  if (!id) return undefined;
  if (!v2Cache.has(id)) v2Cache.set(id, JSON.parse(readFileSync(join(v2Dir, `${id}.min.json`), 'utf8')) as Model);
  return v2Cache.get(id);
};

export const fullModel = (client: string): Model | undefined => {
  const folder = MODELS[client]?.botocore;
  if (!folder || !botocoreData) return undefined;
  if (!fullCache.has(folder)) {
    const base = join(botocoreData.dir, folder);
    const version = readdirSync(base).sort().at(-1) as string;
    const file = join(base, version, 'service-2.json');
    const text = existsSync(`${file}.gz`)
      ? gunzipSync(readFileSync(`${file}.gz`)).toString('utf8')
      : readFileSync(file, 'utf8');
    fullCache.set(folder, JSON.parse(text) as Model);
  }
  return fullCache.get(folder);
};

export interface CallProblem {
  where: string;
  problem: string;
  /** Which rule: `model:structure`, `model:constraint` or a prose rule id. */
  check: string;
}

/** Validates one input against one model; counts each check made. */
export class ModelValidator {
  checks = 0;
  constructor(
    private readonly model: Model,
    /** Structure only (v2 minified) or constraints too (full model). */
    private readonly mode: 'structure' | 'constraints',
  ) {}

  private resolve(def: ShapeDef): ShapeDef {
    if (!def.shape) return def;
    const { shape, ...rest } = def;
    return { ...this.resolve(this.model.shapes[shape] ?? {}), ...rest };
  }

  validateInput(operation: string, input: unknown): CallProblem[] | undefined {
    const op = this.model.operations[operation];
    if (!op) return undefined;
    const problems: CallProblem[] = [];
    this.value(operation, input ?? {}, op.input ?? { type: 'structure', members: {} }, problems);
    return problems;
  }

  private value(where: string, v: unknown, def: ShapeDef, problems: CallProblem[]): void {
    const s = this.resolve(def);
    const type = s.type ?? 'string';
    const check = this.mode === 'structure' ? 'model:structure' : 'model:constraint';
    const fail = (problem: string) => problems.push({ where, problem, check });
    const typeCheck = (ok: boolean, what: string) => {
      this.checks++;
      if (!ok) fail(`expected ${what}, got ${JSON.stringify(v)?.slice(0, 80)}`);
      return ok;
    };
    const size = (n: number, what: string) => {
      if (this.mode !== 'constraints') return;
      if (s.min !== undefined) {
        this.checks++;
        if (n < s.min) fail(`${what} ${n} is below the minimum ${s.min}`);
      }
      if (s.max !== undefined) {
        this.checks++;
        if (n > s.max) fail(`${what} ${n} is above the maximum ${s.max}`);
      }
    };
    switch (type) {
      case 'structure': {
        if (!typeCheck(typeof v === 'object' && v !== null && !Array.isArray(v), 'a structure')) return;
        const obj = v as Record<string, unknown>;
        const members = s.members ?? {};
        for (const r of s.required ?? []) {
          this.checks++;
          if (obj[r] === undefined) fail(`required member ${r} is missing`);
        }
        for (const [k, x] of Object.entries(obj)) {
          if (x === undefined) continue;
          this.checks++;
          const m = members[k];
          if (!m) {
            problems.push({ where: `${where}.${k}`, problem: 'is not a member of the model', check });
            continue;
          }
          this.value(`${where}.${k}`, x, m, problems);
        }
        return;
      }
      case 'list':
        if (!typeCheck(Array.isArray(v), 'a list')) return;
        size((v as unknown[]).length, 'list length');
        (v as unknown[]).forEach((x, i) => {
          this.value(`${where}[${i}]`, x, s.member ?? {}, problems);
        });
        return;
      case 'map':
        if (!typeCheck(typeof v === 'object' && v !== null && !Array.isArray(v), 'a map')) return;
        size(Object.keys(v as object).length, 'map size');
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          this.value(`${where}{key}`, k, s.key ?? {}, problems);
          this.value(`${where}.${k}`, x, s.value ?? {}, problems);
        }
        return;
      case 'string': {
        if (!typeCheck(typeof v === 'string', 'a string')) return;
        const text = v as string;
        if (this.mode !== 'constraints') return;
        if (s.enum) {
          this.checks++;
          if (!s.enum.includes(text)) fail(`'${text}' is not one of ${s.enum.join(', ')}`);
        }
        size([...text].length, 'length');
        if (s.pattern) {
          let re: RegExp | undefined;
          try {
            re = new RegExp(s.pattern, 'u');
          } catch {
            re = undefined; // a Java-only construct: not checkable here
          }
          if (re) {
            this.checks++;
            if (!re.test(text)) fail(`'${text.slice(0, 80)}' does not match the pattern ${s.pattern}`);
          }
        }
        return;
      }
      case 'integer':
      case 'long':
        if (!typeCheck(Number.isInteger(v), 'an integer')) return;
        size(v as number, 'value');
        return;
      case 'double':
      case 'float':
        if (!typeCheck(typeof v === 'number', 'a number')) return;
        size(v as number, 'value');
        return;
      case 'boolean':
        typeCheck(typeof v === 'boolean', 'a boolean');
        return;
      case 'timestamp':
        typeCheck(
          typeof v === 'number' || typeof v === 'string' || (typeof v === 'object' && v !== null && '$timestamp' in v),
          'a timestamp',
        );
        return;
      case 'blob':
        if (!typeCheck(typeof v === 'string' || (typeof v === 'object' && v !== null && '$blob' in v), 'a blob'))
          return;
        if (typeof v === 'object' && v !== null) size((v as { $blob: number }).$blob, 'size');
        return;
      default:
        typeCheck(true, type);
    }
  }
}
