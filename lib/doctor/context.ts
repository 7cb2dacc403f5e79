/**
 * What every check of `longshore doctor` works with: the input, the account, the stage parameters
 * once read, and the findings so far; and how a finding is added. Each check is one module of
 * lib/doctor/checks/, run in turn by `runDoctor`.
 */
import { arnIn } from '../catalog/arn.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { DoctorPorts } from '../ports.ts';
import type { Finding } from './findings.ts';

export interface DoctorInput {
  catalog: Catalog;
  stage: string;
  region: string;
  /** Before the first deploy: the stack, its cluster and its roles do not exist yet. */
  before: boolean;
  /** An existing cluster the stage runs on (the stage parameter `clusterArn`), if any. */
  clusterArn?: string;
  /** SSM paths of stage parameters that differ from `/longshore/<stage>/<name>` (`--param`). */
  paramPaths?: Record<string, string>;
}

export interface CheckContext {
  input: DoctorInput;
  account: string;
  /** The SSM values of the stage parameters (ids), once read (by the stage-parameters check). */
  params: Map<string, string[]>;
  out: Finding[];
}

/** One check: adds its findings to the context and answers what it looked at ("4 secret references"). */
export type Check = (ctx: CheckContext, ports: DoctorPorts) => Promise<string>;

export const add = (ctx: CheckContext, f: Finding): void => {
  ctx.out.push(f);
};

/** The fix for what only a deploy of the stage creates. */
export const deployCommand = (ctx: CheckContext): string =>
  `npx osls deploy --stage ${ctx.input.stage} --region ${ctx.input.region}`;

/** A shell word: the fix commands are pasted into a shell as they are printed. */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** A catalog ARN in the account and Region checked (its CloudFormation pseudo parameters filled in). */
export const concrete = (ctx: CheckContext, arn: string): string =>
  arnIn(arn, { region: ctx.input.region, account: ctx.account });
