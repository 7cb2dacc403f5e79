/**
 * ECS, translated: RunTask's partial failures and exceptions become LaunchError with a kind
 * (throttled, capacity, config), so callers never inspect SDK output. The doctor's reads (a
 * cluster, the capacity providers) fail as AwsCheckError naming the call, as its checks expect.
 */
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandOutput,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { classifyLaunchFailure } from '../domain/launchFailure.ts';
import { awsCheck, LaunchError, TaskGoneError } from '../errors.ts';
import type { EcsPort } from '../ports.ts';

/** Adaptive retry mode adds client-side rate limiting on top of backoff when ECS throttles. */
export const ecsClient = new ECSClient({ maxAttempts: 4, retryMode: 'adaptive' });

export const buildEcs = (client: ECSClient): EcsPort => ({
  /**
   * Runs one task; throws LaunchError. A ConflictException (same clientToken, different request)
   * names the task already started for the token: it is returned, never launched again.
   */
  runTask: async (request) => {
    let out: RunTaskCommandOutput;
    try {
      out = await client.send(new RunTaskCommand(request));
    } catch (e) {
      const err = e as Error & { resourceIds?: string[] };
      if (err.name === 'ConflictException' && err.resourceIds?.[0])
        return { taskArn: err.resourceIds[0], adopted: true };
      const reason = `${err.name}: ${err.message}`;
      throw new LaunchError(reason, classifyLaunchFailure(err.name, err.message), { cause: e });
    }
    const taskArn = out.tasks?.[0]?.taskArn;
    if (taskArn) return { taskArn, adopted: false };
    const failure = out.failures?.[0];
    const reason = failure
      ? `${failure.reason ?? 'unknown'}${failure.detail ? `: ${failure.detail}` : ''}`
      : 'RunTask returned no task and no failure';
    throw new LaunchError(reason, classifyLaunchFailure(undefined, reason));
  },

  /**
   * Tasks ECS lists for this startedBy: finds the task of a launch whose clientToken expired.
   * startedBy is the only filter ("When you specify startedBy as the filter, it must be the only
   * filter that you use", ECS API reference, ListTasks); the cluster only says where to look. The
   * caller adopts any task listed, so nothing is filtered beyond duplicates across pages. Without
   * desiredStatus ECS lists tasks it wants running (its documented default): a task that already
   * stopped is not found here, but its STOPPED event settles the attempt, so it is not launched again.
   */
  tasksStartedBy: async (cluster, startedBy) => {
    const arns = new Set<string>();
    let nextToken: string | undefined;
    do {
      const out = await client.send(new ListTasksCommand({ cluster, startedBy, ...(nextToken ? { nextToken } : {}) }));
      for (const arn of out.taskArns ?? []) arns.add(arn);
      nextToken = out.nextToken;
    } while (nextToken);
    return [...arns];
  },

  stopTask: async (cluster, taskArn, reason) => {
    try {
      await client.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
    } catch (e) {
      const error = e as { name?: string; message?: string };
      if (error.name === 'InvalidParameterException' && /referenced task was not found/i.test(error.message ?? ''))
        throw new TaskGoneError(taskArn, { cause: e });
      throw e;
    }
  },

  /** Tasks by ARN; ARNs ECS no longer knows (stopped over an hour ago) come back in `missing`. */
  describeTasks: async (cluster, taskArns) => {
    if (taskArns.length === 0) return { tasks: [], missing: [] };
    const out = await client.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
    return {
      tasks: (out.tasks ?? []).map((t) => ({ ...t })),
      missing: (out.failures ?? []).filter((f) => f.reason === 'MISSING').flatMap((f) => (f.arn ? [f.arn] : [])),
    };
  },

  cluster: async (cluster) => {
    const out = await awsCheck('ecs:DescribeClusters', () =>
      client.send(new DescribeClustersCommand({ clusters: [cluster] })),
    );
    const c = out.clusters?.[0];
    if (!c || c.status === 'INACTIVE') return undefined;
    return { status: c.status ?? 'UNKNOWN', capacityProviders: c.capacityProviders ?? [] };
  },

  activeCapacityProviders: async (names) => {
    if (names.length === 0) return [];
    const out = await awsCheck('ecs:DescribeCapacityProviders', () =>
      client.send(new DescribeCapacityProvidersCommand({ capacityProviders: names })),
    );
    return (out.capacityProviders ?? []).filter((p) => p.status === 'ACTIVE').flatMap((p) => (p.name ? [p.name] : []));
  },
});

export const ecs = buildEcs(ecsClient);

/**
 * Calls `listener` for every RunTask attempt ECS throttles, the SDK's own retries included: the
 * middleware sits in the deserialize step, inside the retry loop of the finalizeRequest step
 * (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/middleware.html), so a pacer
 * hears of a shortage the SDK would otherwise hide by retrying it away.
 */
export const onRunTaskThrottled = (client: ECSClient, listener: () => void): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        const err = e as Error;
        if (
          context.commandName === 'RunTaskCommand' &&
          classifyLaunchFailure(err.name, err.message ?? '') === 'throttled'
        )
          listener();
        throw e;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'longshoreRunTaskThrottled' },
  );
};
