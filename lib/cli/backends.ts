/**
 * Where the CLI's runs live: the local store (the running local flow, over its loopback port, or
 * the state directory directly) or a deployed stage (table and control function from the stack's
 * outputs, with the caller's AWS credentials).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { ControlRequestInput, ControlResponse } from '../contracts/control.ts';
import { type Attempt, isFinal, type Run } from '../domain/run.ts';
import { asError } from '../errors.ts';
import { FLOW_AUTH_HEADER, type FlowInfo } from '../local/flowServer.ts';
import type { RunPage } from '../ports.ts';
import { CliError, EXIT } from './exitCodes.ts';

export interface RunHistory {
  run: Run;
  attempts: Attempt[];
}

export interface Backend {
  /** "local (.longshore)", "local flow (pid 123)", "stage prod (eu-west-1)". */
  label: string;
  local: boolean;
  runsOfJob(job: string, opts: { since?: string; limit: number; cursor?: string }): Promise<RunPage>;
  history(runId: string): Promise<RunHistory | undefined>;
  control(request: ControlRequestInput): Promise<ControlResponse>;
  /** Waits until the run is final (or the timeout); the local store runs it meanwhile. */
  waitFor(runId: string, timeoutMs: number): Promise<RunHistory | undefined>;
  close(): Promise<void>;
}

/** The local store, by way of a LocalRuntime in this process (its tasks run here while we wait). */
export const directLocalBackend = async (stateDir: string, catalogFile?: string): Promise<Backend> => {
  const { LocalRuntime } = await import('../local/LocalRuntime.ts');
  const { localDelayScale } = await import('../local/environment.ts');
  const rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir,
    delayScale: localDelayScale(),
    ...(catalogFile ? { catalogFile } : {}),
  });
  return {
    label: `local (${stateDir})`,
    local: true,
    runsOfJob: (job, opts) => rt.store.runsOfJob(job, opts),
    history: (runId) => rt.store.getHistory(runId),
    control: async (request) => {
      const out = await rt.invoke('control', request);
      if (!out.ok) throw new CliError(`control failed: ${out.error?.message}`, EXIT.backend);
      return out.result as ControlResponse;
    },
    waitFor: async (runId, timeoutMs) => {
      await rt.idle(timeoutMs);
      return rt.store.getHistory(runId);
    },
    close: () => rt.stop(),
  };
};

/**
 * The local flow running in another terminal (`npm start`), over its loopback port, with the
 * per-start token of its state file (`flow.json`, owner-only).
 */
export const flowBackend = ({ port, pid, token }: Pick<FlowInfo, 'port' | 'pid' | 'token'>): Backend => {
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
  const store = async <T>(op: string, ...args: unknown[]) => (await call<{ value: T }>('/store', { op, args })).value;
  return {
    label: `local flow (pid ${pid})`,
    local: true,
    runsOfJob: (job, opts) => store<RunPage>('runsOfJob', job, opts),
    history: async (runId) => (await store<RunHistory | null>('getHistory', runId)) ?? undefined,
    control: async (request) => {
      const out = await call<{ ok: boolean; result?: ControlResponse; error?: { message: string } }>('/invoke', {
        fn: 'control',
        event: request,
      });
      if (!out.ok) throw new CliError(`control failed: ${out.error?.message}`, EXIT.backend);
      return out.result as ControlResponse;
    },
    waitFor: async (runId, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const h = (await store<RunHistory | null>('getHistory', runId)) ?? undefined;
        if (!h || isFinal(h.run.status) || Date.now() > deadline) return h;
        await new Promise((r) => setTimeout(r, 500));
      }
    },
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
  return {
    label: `stage ${stage} (${region})`,
    local: false,
    runsOfJob: (job, opts) => store.runsOfJob(job, opts),
    history: (runId) => store.getHistory(runId),
    control: async (request) => {
      const { payload, functionError } = await lambda.invoke(controlFn, request);
      if (functionError)
        throw new CliError(
          `${controlFn} failed: ${(payload as { errorMessage?: string } | undefined)?.errorMessage ?? functionError}`,
          EXIT.backend,
        );
      return payload as ControlResponse;
    },
    waitFor: async (runId, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const h = await store.getHistory(runId);
        if (!h || isFinal(h.run.status) || Date.now() > deadline) return h;
        await new Promise((r) => setTimeout(r, 5000));
      }
    },
    close: async () => undefined,
  };
};
