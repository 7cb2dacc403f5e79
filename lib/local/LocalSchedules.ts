/**
 * The local EventBridge Scheduler: the stage's schedules as the stack defines them (one per enabled
 * or disabled schedule trigger of the catalog), answering GetSchedule and UpdateSchedule as
 * Scheduler does, so `jobs pause` and `jobs resume` run the deployed adapter unchanged. Only a
 * schedule's state can change here (the flow never edits the rest); the states an update set are
 * kept in the state folder (`schedules.json`), so a pause made while no flow runs holds in the next
 * `longshore up`, whose ticks ask `enabled` before each one (lib/local/watch.ts).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { GetScheduleCommandOutput, UpdateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { Catalog } from '../catalog/schema.ts';
import { scheduleGroupName, scheduleName } from '../domain/names.ts';
import { scheduleInput } from '../infra/triggers.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './environment.ts';

type State = 'ENABLED' | 'DISABLED';

const notFound = (what: string): Error =>
  Object.assign(new Error(`Schedule ${what} does not exist.`), {
    name: 'ResourceNotFoundException',
    $metadata: { httpStatusCode: 404 },
  });

export class LocalSchedules {
  private states: Record<string, State> = {};

  constructor(
    private readonly opts: {
      stage: string;
      catalog: () => Catalog;
      /** Where the changed states are kept; in memory only without it (invokes). */
      persistFile?: string;
    },
  ) {}

  /** The catalog's schedules: name -> job, trigger index, and the state the stack deploys it in. */
  private defined(): Map<string, { job: string; index: number; expression: string; timezone: string; state: State }> {
    const out = new Map<string, { job: string; index: number; expression: string; timezone: string; state: State }>();
    for (const job of this.opts.catalog().jobs)
      job.triggers.forEach((t, index) => {
        if (t.type !== 'schedule') return;
        out.set(scheduleName(this.opts.stage, job.name, index), {
          job: job.name,
          index,
          expression: t.expression,
          timezone: t.timezone,
          state: t.enabled ? 'ENABLED' : 'DISABLED',
        });
      });
    return out;
  }

  /** The states an update changed, as last kept (another process may have changed them: the CLI). */
  private load(): Record<string, State> {
    const file = this.opts.persistFile;
    if (file && existsSync(file)) {
      try {
        this.states = JSON.parse(readFileSync(file, 'utf8')) as Record<string, State>;
      } catch {
        // A file cut by a crash mid-write cannot happen (written whole, then renamed); anything else is kept as is.
      }
    }
    return this.states;
  }

  private save(): void {
    const file = this.opts.persistFile;
    if (!file) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(this.states, null, 2));
    renameSync(`${file}.tmp`, file);
  }

  private find(group: string | undefined, name: string | undefined) {
    const schedule = name ? this.defined().get(name) : undefined;
    if (!schedule || (group ?? 'default') !== scheduleGroupName(this.opts.stage))
      throw notFound(`${group ?? 'default'}/${name ?? ''}`);
    return schedule;
  }

  getSchedule(input: { GroupName?: string | undefined; Name?: string | undefined }): GetScheduleCommandOutput {
    const s = this.find(input.GroupName, input.Name);
    const group = scheduleGroupName(this.opts.stage);
    const arn = (what: string) => `arn:aws:${what}`;
    return {
      $metadata: {},
      Arn: arn(`scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${input.Name}`),
      GroupName: group,
      Name: input.Name,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: this.load()[input.Name as string] ?? s.state,
      Target: {
        Arn: arn(`lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:longshore-${this.opts.stage}-onSchedule`),
        RoleArn: arn(`iam::${LOCAL_ACCOUNT}:role/longshore-${this.opts.stage}-scheduler-${LOCAL_REGION}`),
        Input: scheduleInput(s.job, s.index),
      },
    };
  }

  updateSchedule(input: UpdateScheduleCommandInput): { ScheduleArn: string } {
    this.find(input.GroupName, input.Name);
    const name = input.Name as string;
    if (!input.Target || !input.FlexibleTimeWindow || !input.ScheduleExpression)
      throw Object.assign(new Error('Target, FlexibleTimeWindow and ScheduleExpression are required'), {
        name: 'ValidationException',
      });
    this.load();
    this.states[name] = input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
    this.save();
    return { ScheduleArn: this.getSchedule(input).Arn as string };
  }

  /** Whether a job's schedule trigger ticks now (the local flow's timers ask before each tick). */
  enabled(job: string, index: number): boolean {
    const name = scheduleName(this.opts.stage, job, index);
    const s = this.defined().get(name);
    return s !== undefined && (this.load()[name] ?? s.state) === 'ENABLED';
  }
}
