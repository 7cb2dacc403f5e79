/**
 * Where the CLI's runs live: the local store (the running local flow, over its loopback port, or
 * the state directory directly) or a deployed stage (table and control function from the stack's
 * outputs, with the caller's AWS credentials).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { ControlRequestInput, ControlResponse } from '../contracts/control.ts';
import { type ChildTally, childRunId } from '../domain/fanOut.ts';
import type { JobState } from '../domain/jobState.ts';
import { type Attempt, isFinal, type Run } from '../domain/run.ts';
import { asError } from '../errors.ts';
import { localDeadLetters } from '../local/deadLetters.ts';
import { LOCAL_STAGE } from '../local/environment.ts';
import { FLOW_AUTH_HEADER, type FlowInfo, type StoreOp } from '../local/flowServer.ts';
import { localTaskLogs } from '../local/localLogs.ts';
import type { DeadLetterQueuesPort, ObjectFacts, RunPage, SlotHolder, TaskLogsPort } from '../ports.ts';
import { CliError, EXIT } from './exitCodes.ts';
import { listRuns, type RunListing, type RunQuery, type RunReader } from './runListing.ts';

export interface RunHistory {
  run: Run;
  attempts: Attempt[];
  /** For a run waiting for a concurrency slot: the runs that hold the job's slots. */
  slotHolders?: SlotHolder[];
  /** For a run that failed: the last lines of the container that decided its last attempt. */
  logExcerpt?: { attempt: number; container: string; lines: string[] };
  /** For a fan-out parent (issue 14): its children by status, and the first failed ones with their decisions. */
  children?: ChildrenView;
}

/** A fan-out parent's children as `runs show` gives them. */
export interface ChildrenView {
  total: number;
  created: number;
  tolerated: number;
  counts: ChildTally['counts'];
  counted: number;
  failed: { index: number; runId: string; status: string; decision?: string }[];
  /** Failed children beyond those listed. */
  moreFailed: number;
}

/** How many failed children `runs show` lists with their decisions. */
const SHOWN_FAILED = 10;

/** A fan-out parent's history with its children: the tally, and the first failed children's decisions. */
const withChildren = async (
  h: RunHistory | undefined,
  reader: Pick<RunReader, 'childTally' | 'getHistory'>,
): Promise<RunHistory | undefined> => {
  const progress = h?.run.fanOut;
  if (!h || !progress) return h;
  const tally = await reader.childTally(h.run.runId);
  const failed = await Promise.all(
    tally.failed.slice(0, SHOWN_FAILED).map(async (index) => {
      const runId = childRunId(h.run.job, h.run.runId, index);
      const child = await reader.getHistory(runId);
      const last = child?.attempts.at(-1);
      const d = last?.decision;
      return {
        index,
        runId,
        status: child?.run.status ?? 'UNKNOWN',
        ...(d
          ? { decision: `${d.action} [rule ${d.rule}]: ${d.diagnosis}` }
          : child?.run.reason
            ? { decision: child.run.reason }
            : {}),
      };
    }),
  );
  return {
    ...h,
    children: {
      ...progress,
      counts: tally.counts,
      counted: tally.counted,
      failed,
      moreFailed: Math.max(0, tally.failed.length - SHOWN_FAILED),
    },
  };
};

/** The history, with who holds the slots when the run waits for one. */
const withSlotHolders = async (
  h: RunHistory | undefined,
  holders: (job: string) => Promise<SlotHolder[]>,
): Promise<RunHistory | undefined> =>
  h?.run.status === 'QUEUED' && h.run.waitingForSlot ? { ...h, slotHolders: await holders(h.run.job) } : h;

export interface Backend {
  /** "local (.longshore)", "local flow (pid 123)", "stage prod (eu-west-1)". */
  label: string;
  local: boolean;
  /** The stage the runs are of (the local flow imitates `dev`): log groups are named by it. */
  stage: string;
  /** The tasks' container logs: CloudWatch Logs, or the local flow's files. */
  logs: TaskLogsPort;
  /** The dead-letter queues (`longshore dlq`): SQS's, or the local flow's files. */
  deadLetters: DeadLetterQueuesPort;
  /** An object of a bucket (`trigger --object`): S3's HeadObject, or the local bucket folder's file. */
  objectFacts(bucket: string, key: string): Promise<ObjectFacts | undefined>;
  runsOfJob(job: string, opts: { since?: string; limit: number; cursor?: string }): Promise<RunPage>;
  /** Runs across jobs, newest first, filtered, a page at a time (lib/cli/runListing.ts). */
  runs(query: RunQuery): Promise<RunListing>;
  history(runId: string): Promise<RunHistory | undefined>;
  /** Who holds the job's concurrency slots, and its queued runs, oldest first: why a run waits. */
  slotHolders(job: string): Promise<SlotHolder[]>;
  queuedRuns(job: string, limit: number): Promise<Run[]>;
  /** Whether the job is paused (`jobs pause`), and since when; undefined if it never was. */
  jobState(job: string): Promise<JobState | undefined>;
  control(request: ControlRequestInput): Promise<ControlResponse>;
  /**
   * Waits until the run is final (or the timeout), handing each reading of its history to
   * `onUpdate` as it goes; the local store runs it meanwhile.
   */
  waitFor(runId: string, timeoutMs: number, onUpdate?: (h: RunHistory) => void): Promise<RunHistory | undefined>;
  close(): Promise<void>;
}

/** What every backend reads, over its store (or the running flow's). */
const readsOver = (
  reader: RunReader,
): Pick<Backend, 'runsOfJob' | 'runs' | 'history' | 'slotHolders' | 'queuedRuns' | 'jobState'> => ({
  jobState: (job) => reader.getJobState(job),
  runsOfJob: (job, opts) => reader.runsOfJob(job, opts),
  runs: (query) => listRuns(reader, query),
  history: async (runId) => withChildren(await reader.getHistory(runId), reader),
  slotHolders: (job) => reader.slotHolders(job),
  queuedRuns: (job, limit) => reader.queuedRuns(job, limit),
});

/**
 * A local bucket folder's file as S3 would describe the object: its size and, as S3's ETag of an
 * object uploaded in one part, the MD5 of its content (the local upload events carry the same).
 */
const localObjectFacts = (bucketsDir: string, bucket: string, key: string): ObjectFacts | undefined => {
  const file = join(bucketsDir, bucket, key);
  if (!file.startsWith(join(bucketsDir, bucket) + sep) || !existsSync(file) || !statSync(file).isFile())
    return undefined;
  const content = readFileSync(file);
  return { etag: createHash('md5').update(content).digest('hex'), size: content.length };
};

/**
 * Reads the history every `everyMs` until the run is final, gone, held by its paused job (nothing
 * moves it until `jobs resume`), or the time is up.
 */
const pollHistory = async (
  read: () => Promise<RunHistory | undefined>,
  timeoutMs: number,
  everyMs: number,
  onUpdate: ((h: RunHistory) => void) | undefined,
): Promise<RunHistory | undefined> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await read();
    if (h) onUpdate?.(h);
    if (!h || isFinal(h.run.status) || h.run.status === 'PAUSED' || Date.now() > deadline) return h;
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

/** The local store, by way of a LocalRuntime in this process (its tasks run here while we wait). */
export const directLocalBackend = async (
  stateDir: string,
  catalogFile?: string,
  projectDir?: string,
): Promise<Backend> => {
  const { LocalRuntime } = await import('../local/LocalRuntime.ts');
  const { localDelayScale } = await import('../local/environment.ts');
  const rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir,
    ...(projectDir ? { projectDir } : {}),
    delayScale: localDelayScale(),
    ...(catalogFile ? { catalogFile } : {}),
  });
  // No flow runs on this state (or it would have answered): tasks still RUNNING are orphans.
  await rt.settleOrphans();
  // Ctrl-C while a run runs here (`trigger` waits for it): cancel it, as `up` does, then end.
  const interrupted = () => {
    void rt.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  return {
    label: `local (${stateDir})`,
    local: true,
    ...readsOver(rt.store),
    stage: LOCAL_STAGE,
    logs: localTaskLogs(rt.logsDir),
    deadLetters: (() => {
      const dlq = localDeadLetters(rt.stateDir, (fn, event) => rt.invoke(fn, event));
      // A redriven launch runs its task in this process: let it finish before the store closes.
      return { ...dlq, redrive: async (queue, ids) => dlq.redrive(queue, ids).finally(() => rt.idle(120_000)) };
    })(),
    objectFacts: async (bucket, key) => localObjectFacts(rt.bucketsDir, bucket, key),
    history: async (runId) =>
      withChildren(
        await withSlotHolders(await rt.store.getHistory(runId), (job) => rt.store.slotHolders(job)),
        rt.store,
      ),
    control: async (request) => {
      const out = await rt.invoke('control', request);
      if (!out.ok) throw new CliError(`control failed: ${out.error?.message}`, EXIT.backend);
      return out.result as ControlResponse;
    },
    waitFor: async (runId, timeoutMs, onUpdate) => {
      // The run runs in this process: read its history as it goes, then let what follows its end
      // (alerts, a slot's next run) finish before the process closes the store.
      const h = await pollHistory(() => rt.store.getHistory(runId), timeoutMs, 100, onUpdate);
      await rt.idle(timeoutMs);
      return (await rt.store.getHistory(runId)) ?? h;
    },
    close: () => {
      process.off('SIGINT', interrupted);
      return rt.stop();
    },
  };
};

/**
 * The local flow running in another terminal (`npm start`), over its loopback port, with the
 * per-start token of its state file (`flow.json`, owner-only).
 */
export const flowBackend = (
  { port, pid, token }: Pick<FlowInfo, 'port' | 'pid' | 'token'>,
  /** The flow's state folder: its task log files are read from here, as the flow writes them. */
  stateDir?: string,
): Backend => {
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', [FLOW_AUTH_HEADER]: `Bearer ${token}` },
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new CliError(`local flow: ${json.error}`, EXIT.backend);
    return json;
  };
  const store = async <T>(op: StoreOp, ...args: unknown[]) => (await call<{ value: T }>('/store', { op, args })).value;
  const reader: RunReader = {
    runsOfJob: (job, opts) => store<RunPage>('runsOfJob', job, opts),
    getHistory: async (runId) => (await store<RunHistory | null>('getHistory', runId)) ?? undefined,
    activeRuns: (job) => store<Run[]>('activeRuns', job),
    queuedRuns: (job, limit) => store<Run[]>('queuedRuns', job, limit),
    slotHolders: (job) => store<SlotHolder[]>('slotHolders', job),
    getJobState: async (job) => (await store<JobState | null>('getJobState', job)) ?? undefined,
    childTally: (runId) => store<ChildTally>('childTally', runId),
  };
  return {
    label: `local flow (pid ${pid})`,
    local: true,
    ...readsOver(reader),
    stage: LOCAL_STAGE,
    logs: stateDir ? localTaskLogs(join(stateDir, 'logs')) : { read: async () => ({ lines: [] }) },
    // The flow's dead-letter files, redriven through its handlers (its `/invoke`).
    deadLetters: localDeadLetters(stateDir ?? '.longshore', (fn, event) =>
      call<{ ok: boolean; result?: unknown; error?: { message: string } }>('/invoke', { fn, event }),
    ),
    objectFacts: async (bucket, key) =>
      stateDir ? localObjectFacts(join(stateDir, 'buckets'), bucket, key) : undefined,
    history: async (runId) =>
      withChildren(await withSlotHolders(await reader.getHistory(runId), (job) => reader.slotHolders(job)), reader),
    control: async (request) => {
      const out = await call<{ ok: boolean; result?: ControlResponse; error?: { message: string } }>('/invoke', {
        fn: 'control',
        event: request,
      });
      if (!out.ok) throw new CliError(`control failed: ${out.error?.message}`, EXIT.backend);
      return out.result as ControlResponse;
    },
    waitFor: (runId, timeoutMs, onUpdate) =>
      pollHistory(
        async () => (await store<RunHistory | null>('getHistory', runId)) ?? undefined,
        timeoutMs,
        500,
        onUpdate,
      ),
    close: async () => undefined,
  };
};

/** A deployed stage: the stack `longshore-<stage>` says where the table and the control function are. */
export const awsBackend = async (stage: string, region: string): Promise<Backend> => {
  const stackName = `longshore-${stage}`;
  const { buildStacks } = await import('../aws/cloudformation.ts');
  let outputs: Record<string, string> | undefined;
  try {
    outputs = await buildStacks(new CloudFormationClient({ region })).outputs(stackName);
  } catch (e) {
    // The adapter's AwsCheckError names the call; the CLI says what CloudFormation said.
    const said = asError((e as { cause?: unknown }).cause ?? e).message;
    throw new CliError(`Cannot read stack ${stackName} in ${region}: ${said}`, EXIT.backend);
  }
  if (!outputs)
    throw new CliError(
      `Cannot read stack ${stackName} in ${region}: Stack with id ${stackName} does not exist`,
      EXIT.backend,
    );
  const table = outputs.RunsTableName;
  const controlFn = outputs.ControlFunctionName;
  if (!table || !controlFn)
    throw new CliError(
      `Stack ${stackName} has no RunsTableName/ControlFunctionName outputs: is it a longshore stack?`,
      EXIT.backend,
    );
  const { buildRunStore } = await import('../aws/runStore.ts');
  const { createDocumentClient } = await import('../aws/dynamodb.ts');
  const { buildLambda } = await import('../aws/lambda.ts');
  const store = buildRunStore(createDocumentClient(new DynamoDBClient({ region })), table);
  const lambda = buildLambda(new LambdaClient({ region }));
  const { buildTaskLogs, logsClient } = await import('../aws/logs.ts');
  const { objectFacts, s3ClientFor } = await import('../aws/s3.ts');
  const s3 = s3ClientFor(region);
  const deadLetters = await stageDeadLetters(stage, region, outputs);
  return {
    label: `stage ${stage} (${region})`,
    local: false,
    ...readsOver(store),
    stage,
    logs: buildTaskLogs(logsClient(region)),
    deadLetters,
    objectFacts: async (bucket, key) => {
      try {
        return await objectFacts(s3, bucket, key);
      } catch (e) {
        throw new CliError(
          `Cannot read s3://${bucket}/${key}: ${asError(e).name}: ${asError(e).message}`,
          EXIT.backend,
        );
      }
    },
    history: async (runId) =>
      withChildren(await withSlotHolders(await store.getHistory(runId), (job) => store.slotHolders(job)), store),
    control: async (request) => {
      const { payload, functionError } = await lambda.invoke(controlFn, request);
      if (functionError)
        throw new CliError(
          `${controlFn} failed: ${(payload as { errorMessage?: string } | undefined)?.errorMessage ?? functionError}`,
          EXIT.backend,
        );
      return payload as ControlResponse;
    },
    waitFor: (runId, timeoutMs, onUpdate) => pollHistory(() => store.getHistory(runId), timeoutMs, 5000, onUpdate),
    close: async () => undefined,
  };
};

/**
 * A stage's dead-letter queues, from the stack's outputs. An events message goes back to its
 * function only if that is one of this stage's (`longshore-<stage>-...`): a redrive never invokes
 * anything else, whatever a message says.
 */
const stageDeadLetters = async (
  stage: string,
  region: string,
  outputs: Record<string, string>,
): Promise<DeadLetterQueuesPort> => {
  const launchDlq = outputs.LaunchDeadLetterQueueUrl;
  const eventsDlq = outputs.EventsDeadLetterQueueUrl;
  const launchQueue = outputs.LaunchQueueUrl;
  const missing = (): never => {
    throw new CliError(
      `Stack longshore-${stage} has no LaunchDeadLetterQueueUrl/EventsDeadLetterQueueUrl/LaunchQueueUrl outputs: deploy it again with this version`,
      EXIT.backend,
    );
  };
  if (!launchDlq || !eventsDlq || !launchQueue)
    return { list: async () => missing(), moveTasks: async () => missing(), redrive: async () => missing() };
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const { buildDeadLetterQueues } = await import('../aws/sqs.ts');
  const { invokeAsync } = await import('../aws/lambda.ts');
  const lambda = new LambdaClient({ region });
  const prefix = `longshore-${stage}-`;
  return buildDeadLetterQueues(new SQSClient({ region }), { launchDlq, eventsDlq, launchQueue }, (fn, payload) => {
    const name = fn.startsWith('arn:') ? (fn.split(':')[6] ?? '') : fn;
    if (!name.startsWith(prefix)) throw new Error(`${fn} is not a function of stage ${stage}; not invoked`);
    return invokeAsync(lambda, fn, payload);
  });
};
