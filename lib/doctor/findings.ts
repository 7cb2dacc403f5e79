/** What `longshore doctor` reports: findings (what, why it will fail, the exact fix) per check. */

export const CHECKS = {
  'stage-parameters': 'Stage parameters in SSM',
  secrets: 'Secrets and parameters the jobs reference',
  'secret-access': 'The execution role may read each secret',
  buckets: 'Trigger buckets send events to EventBridge',
  queues: 'Trigger queues can feed onMessage',
  network: 'Subnets, security groups and routes',
  cluster: 'Cluster capacity providers',
  images: 'Images in ECR',
  quotas: 'Fargate vCPU and Lambda concurrency quotas',
} as const;
export type CheckName = keyof typeof CHECKS;

export interface Finding {
  check: CheckName;
  /** blocking: the deploy or the jobs will fail; warning: they may be slow or it could not be proven. */
  severity: 'blocking' | 'warning';
  /** The job, bucket, subnet... concerned. */
  subject: string;
  what: string;
  why: string;
  /** The exact command (or catalog change) that fixes it. */
  fix: string;
}

export interface CheckResult {
  check: CheckName;
  title: string;
  status: 'ok' | 'findings' | 'skipped';
  /** What was looked at (e.g. "4 secrets"), or why it was skipped. */
  note: string;
}

export interface DoctorReport {
  stage: string;
  region: string;
  account: string;
  before: boolean;
  checks: CheckResult[];
  findings: Finding[];
  blocking: number;
  warnings: number;
}
