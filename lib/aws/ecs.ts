/**
 * ECS, translated: RunTask's partial failures and exceptions become LaunchError with a kind
 * (throttled, capacity, config), so callers never inspect SDK output. The doctor's reads (a
 * cluster, the capacity providers) fail as AwsCheckError naming the call, as its checks expect.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandOutput,
  StopTaskCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { TaskDefinitionSpec } from '../domain/imageOverride.ts';
import { classifyLaunchFailure } from '../domain/launchFailure.ts';
import { awsCheck, LaunchError, TaskGoneError } from '../errors.ts';
import type { EcsPort, TaskDefinitionsPort } from '../ports.ts';

/** Adaptive retry mode adds client-side rate limiting on top of backoff when ECS throttles. */
export const ecsClient = /* @__PURE__ */ new ECSClient({ maxAttempts: 4, retryMode: 'adaptive' });

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

export const ecs = /* @__PURE__ */ buildEcs(ecsClient);

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

/**
 * The fields of a described task definition that RegisterTaskDefinition takes back (its request
 * syntax, ECS API reference); the rest (ARN, revision, status, registeredAt/By, compatibilities,
 * requiresAttributes) is ECS's own and refused or ignored on register.
 */
const REGISTRABLE = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

const specOf = (d: TaskDefinition): TaskDefinitionSpec =>
  Object.fromEntries(REGISTRABLE.filter((k) => d[k] !== undefined).map((k) => [k, d[k]])) as TaskDefinitionSpec;

/** An SDK failure as a LaunchError: throttling is retried later; anything else fails the launch. */
const asLaunchError = (e: unknown, call: string): LaunchError => {
  const err = e as Error;
  return new LaunchError(`${call}: ${err.name}: ${err.message}`, classifyLaunchFailure(err.name, err.message ?? ''), {
    cause: e,
  });
};

/** "Unable to describe task definition." is how ECS answers a family without an ACTIVE revision. */
const isMissingDefinition = (e: unknown): boolean => {
  const err = e as Error;
  return err.name === 'ClientException' && /unable to describe task definition/i.test(err.message ?? '');
};

export const buildTaskDefinitions = (client: ECSClient): TaskDefinitionsPort => ({
  latest: async (family) => {
    try {
      // A family without a revision number is its latest ACTIVE revision (DescribeTaskDefinition).
      const out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
      const d = out.taskDefinition;
      if (!d?.taskDefinitionArn || d.status !== 'ACTIVE') return undefined;
      return {
        arn: d.taskDefinitionArn,
        spec: specOf(d),
        tags: (out.tags ?? []).flatMap((t) => (t.key !== undefined ? [{ key: t.key, value: t.value ?? '' }] : [])),
        ...(d.registeredAt ? { registeredAt: d.registeredAt.toISOString() } : {}),
      };
    } catch (e) {
      if (isMissingDefinition(e)) return undefined;
      throw asLaunchError(e, 'DescribeTaskDefinition');
    }
  },

  register: async (spec, tags) => {
    try {
      const out = await client.send(
        new RegisterTaskDefinitionCommand({ ...(spec as unknown as RegisterTaskDefinitionCommandInput), tags }),
      );
      const arn = out.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new LaunchError('RegisterTaskDefinition returned no task definition', 'config');
      return arn;
    } catch (e) {
      if (e instanceof LaunchError) throw e;
      throw asLaunchError(e, 'RegisterTaskDefinition');
    }
  },

  activeFamilies: async (prefix) => {
    const families: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new ListTaskDefinitionFamiliesCommand({
          familyPrefix: prefix,
          status: 'ACTIVE',
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      families.push(...(out.families ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return families;
  },

  activeRevisions: async (family) => {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new ListTaskDefinitionsCommand({
          familyPrefix: family,
          status: 'ACTIVE',
          sort: 'DESC',
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      arns.push(...(out.taskDefinitionArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    // familyPrefix is a prefix: keep this family's own revisions only.
    return arns.filter((a) => a.split('/').pop()?.replace(/:\d+$/, '') === family);
  },

  registeredAt: async (arn) => {
    try {
      const out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      return out.taskDefinition?.registeredAt?.toISOString();
    } catch (e) {
      if (isMissingDefinition(e)) return undefined;
      throw e;
    }
  },

  deregister: async (arn) => {
    await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
  },
});

export const taskDefinitions = /* @__PURE__ */ buildTaskDefinitions(ecsClient);
