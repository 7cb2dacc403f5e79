/**
 * Fakes for the side-effect ports: a clock, the run store, the launch queue, the event bus and ECS.
 * The ECS fake behaves like ECS where it matters: the same clientToken returns the same task. The
 * store fake only answers what a test gives it: store semantics are tested over DynamoDB Local.
 */
import { STORE_ACCESS } from '../../lib/aws/runStore.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import type { TaskDefinitionSpec } from '../../lib/domain/imageOverride.ts';
import { createTokenBucket } from '../../lib/domain/rateLimiter.ts';
import type { RunEvent } from '../../lib/domain/runEvents.ts';
import type { RunTaskRequest } from '../../lib/domain/taskRequest.ts';
import { LaunchError, TaskGoneError } from '../../lib/errors.ts';
import type {
  AlertChannel,
  AlertKey,
  CoreDeps,
  LaunchDeps,
  LaunchEnqueue,
  LaunchedTask,
  RunStore,
  SchedulesPort,
} from '../../lib/ports.ts';

export const fakeClock = (start = '2026-11-22T10:00:00.000Z') => {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance: (seconds: number) => {
      t += seconds * 1000;
    },
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
};

/**
 * A run store that answers with the given methods and records every call; a method the test did
 * not give fails it, naming the method (a handler test then says what it expects the use case to do).
 */
export const fakeStore = (
  methods: Partial<RunStore> = {},
): RunStore & { calls: { method: string; args: unknown[] }[] } => {
  const calls: { method: string; args: unknown[] }[] = [];
  const store = Object.fromEntries(
    Object.keys(STORE_ACCESS).map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push({ method, args });
        const fn = methods[method as keyof RunStore] as ((...a: unknown[]) => Promise<unknown>) | undefined;
        if (!fn) throw new Error(`unexpected store.${method}`);
        return fn(...args);
      },
    ]),
  );
  return Object.assign(store as unknown as RunStore, { calls });
};

export const fakeQueue = () => {
  const sent: LaunchEnqueue[] = [];
  return {
    sent,
    enqueue: async (messages: LaunchEnqueue[]) => {
      sent.push(...messages);
    },
    /** Takes every message sent so far (for a test to deliver them). */
    take: (): LaunchEnqueue[] => sent.splice(0, sent.length),
  };
};

export const fakeEvents = () => {
  const published: RunEvent[] = [];
  return {
    published,
    publish: async (events: RunEvent[]) => {
      published.push(...events);
    },
    types: () => published.map((e) => e.type),
    /**
     * The types a consumer that keeps event ids receives: each run event once (by `eventId`), in
     * the order first published. A run event is published again by a redelivery that cannot tell
     * whether the delivery before it did; its id says it is the same event.
     */
    seen: () => {
      const ids = new Set<unknown>();
      return published
        .filter((e) => {
          const id = e.detail.eventId;
          if (id === undefined) return true;
          if (ids.has(id)) return false;
          ids.add(id);
          return true;
        })
        .map((e) => e.type);
    },
  };
};

export type FakeEcsBehaviour = (request: RunTaskRequest, call: number) => LaunchedTask | Error | undefined;

export const fakeEcs = (behaviour: FakeEcsBehaviour = () => undefined) => {
  const calls: RunTaskRequest[] = [];
  const byToken = new Map<string, string>();
  const stopped: { taskArn: string; reason: string }[] = [];
  const gone = new Set<string>();
  let seq = 0;
  return {
    calls,
    stopped,
    /** Tasks ECS started (distinct clientTokens that produced a task). */
    tasks: () => [...byToken.values()],
    runTask: async (request: RunTaskRequest): Promise<LaunchedTask> => {
      calls.push(request);
      const custom = behaviour(request, calls.length);
      if (custom instanceof Error) throw custom;
      if (custom) return custom;
      const known = byToken.get(request.clientToken);
      if (known) return { taskArn: known, adopted: false };
      const taskArn = `arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/${(++seq).toString(16).padStart(32, '0')}`;
      byToken.set(request.clientToken, taskArn);
      return { taskArn, adopted: false };
    },
    tasksStartedBy: async (_cluster: string, startedBy: string): Promise<string[]> =>
      calls
        .filter((c) => c.startedBy === startedBy)
        .flatMap((c) => (byToken.has(c.clientToken) ? [byToken.get(c.clientToken) as string] : [])),
    /** Tasks ECS no longer knows: StopTask on one throws TaskGoneError, as the adapter does. */
    gone,
    stopTask: async (_cluster: string, taskArn: string, reason: string): Promise<void> => {
      if (gone.has(taskArn)) throw new TaskGoneError(taskArn);
      stopped.push({ taskArn, reason });
    },
    /** What DescribeTasks answers: set `described[arn]` to a Task, leave it out for MISSING. */
    described: {} as Record<string, Record<string, unknown>>,
    describeTasks: async function (
      this: { described: Record<string, Record<string, unknown>> },
      _cluster: string,
      arns: string[],
    ) {
      return {
        tasks: arns.flatMap((a) => (this.described[a] ? [this.described[a] as never] : [])),
        missing: arns.filter((a) => !this.described[a]),
      };
    },
  };
};

/**
 * Task definitions as ECS keeps them: families of numbered revisions, the latest ACTIVE one
 * answered for a family, tags per revision, deregistration making a revision INACTIVE. A job's
 * family is there from the start (the stack's), with its main container's image.
 */
export const fakeTaskDefinitions = (
  base: Record<string, string> = {},
  opts: { now?: () => Date; failRegister?: (call: number) => Error | undefined } = {},
) => {
  type Revision = {
    arn: string;
    family: string;
    spec: TaskDefinitionSpec;
    tags: { key: string; value: string }[];
    active: boolean;
    registeredAt: string;
  };
  const revisions: Revision[] = [];
  const calls: { call: string; arg: string }[] = [];
  const now = opts.now ?? (() => new Date('2026-11-22T09:00:00.000Z'));
  const add = (spec: TaskDefinitionSpec, tags: { key: string; value: string }[]): string => {
    const n = revisions.filter((r) => r.family === spec.family).length + 1;
    const arn = `arn:aws:ecs:eu-west-1:111122223333:task-definition/${spec.family}:${n}`;
    revisions.push({ arn, family: spec.family, spec, tags, active: true, registeredAt: now().toISOString() });
    return arn;
  };
  for (const [family, image] of Object.entries(base))
    add(
      {
        family,
        cpu: '1024',
        containerDefinitions: [
          { name: 'main', image, essential: true },
          { name: 'otel', image: 'otel:1' },
        ],
      },
      [{ key: 'team', value: 'data' }],
    );
  let registers = 0;
  return {
    revisions,
    calls,
    latest: async (family: string) => {
      calls.push({ call: 'latest', arg: family });
      const r = revisions.filter((x) => x.family === family && x.active).at(-1);
      return r
        ? { arn: r.arn, spec: structuredClone(r.spec), tags: [...r.tags], registeredAt: r.registeredAt }
        : undefined;
    },
    register: async (spec: TaskDefinitionSpec, tags: { key: string; value: string }[]) => {
      calls.push({ call: 'register', arg: spec.family });
      const failure = opts.failRegister?.(++registers);
      if (failure) throw failure;
      return add(structuredClone(spec), tags);
    },
    activeFamilies: async (prefix: string) => [
      ...new Set(revisions.filter((r) => r.active && r.family.startsWith(prefix)).map((r) => r.family)),
    ],
    activeRevisions: async (family: string) =>
      revisions
        .filter((r) => r.active && r.family === family)
        .map((r) => r.arn)
        .reverse(),
    registeredAt: async (arn: string) => revisions.find((r) => r.arn === arn)?.registeredAt,
    deregister: async (arn: string) => {
      calls.push({ call: 'deregister', arg: arn });
      const r = revisions.find((x) => x.arn === arn);
      if (r) r.active = false;
    },
  };
};

/**
 * An ECS that enforces the account's RunTask token bucket on the fake clock (Fargate: 20 calls/s,
 * burst 100) and answers ThrottlingException beyond it; each call then takes `callSeconds`.
 */
export const throttlingEcs = (
  clock: ReturnType<typeof fakeClock>,
  opts: { ratePerSecond: number; burst: number; callSeconds?: number },
) => {
  const bucket = createTokenBucket({ ...opts, now: () => clock.now().getTime() });
  let throttled = 0;
  const ecs = fakeEcs(() => {
    const granted = bucket.take();
    if (opts.callSeconds) clock.advance(opts.callSeconds);
    if (granted) return undefined;
    throttled++;
    return new LaunchError('ThrottlingException: Rate exceeded', 'throttled');
  });
  return Object.assign(ecs, { throttled: () => throttled });
};

export const fakeMetrics = () => {
  const recorded: { job: string; name: string; value: number }[] = [];
  const faults: string[] = [];
  return {
    recorded,
    faults,
    record: (job: string, name: string, value: number) => void recorded.push({ job, name, value }),
    fault: (kind: string) => void faults.push(kind),
  };
};

export const NETWORKS = {
  default: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: false },
};

export const SETTINGS = { stage: 'test', clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-test' };

/**
 * The stage's schedules in memory, as Scheduler keeps them: each starts ENABLED (as the stack
 * deploys an enabled schedule trigger) unless named in `missing`; every call is recorded.
 */
export const fakeSchedules = (missing: string[] = []) => {
  const states = new Map<string, boolean>();
  const calls: { group: string; name: string; enabled: boolean }[] = [];
  const schedules: SchedulesPort & { calls: typeof calls; states: typeof states } = {
    calls,
    states,
    setEnabled: async (group, name, enabled) => {
      calls.push({ group, name, enabled });
      if (missing.includes(name)) return 'missing';
      if ((states.get(name) ?? true) === enabled) return 'unchanged';
      states.set(name, enabled);
      return 'changed';
    },
  };
  return schedules;
};

/** Deps for use cases over a real (local) store and fakes for everything else. */
export const buildDeps = (store: RunStore, catalog: Catalog, clock = fakeClock()) => {
  const queue = fakeQueue();
  const events = fakeEvents();
  const ecs = fakeEcs();
  const metrics = fakeMetrics();
  const core: CoreDeps = { settings: SETTINGS, store, queue, events, catalog: () => catalog, now: clock.now, metrics };
  const taskDefinitions = fakeTaskDefinitions(
    Object.fromEntries(
      catalog.jobs.map((j) => [
        `longshore-${SETTINGS.stage}-${j.name}`,
        `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${j.name}:1.0.0`,
      ]),
    ),
    { now: clock.now },
  );
  const launch: LaunchDeps = {
    ...core,
    ecs,
    taskDefinitions,
    networks: NETWORKS,
    pace: async () => undefined,
    random: () => 0.5,
  };
  const schedules = fakeSchedules();
  return { core, launch, queue, events, ecs, clock, metrics, taskDefinitions, schedules };
};

/**
 * The alert markers in memory, with the store's semantics (lib/aws/runStore/alertRecords.ts, proven
 * over DynamoDB Local): a claim holds a lease; a marker that says sent, or another holder's running
 * lease, is not claimed.
 */
export const memoryAlertStore = () => {
  const markers = new Map<
    string,
    { holder: string; leaseUntil?: string; status: 'sending' | 'sent'; sent: AlertChannel[]; expiresAt: number }
  >();
  const id = (k: AlertKey) => `${k.runId}#${k.what}`;
  const store: Pick<RunStore, 'claimAlert' | 'recordAlertSent'> = {
    claimAlert: async (k, holder, now, leaseSeconds, expiresAt) => {
      const m = markers.get(id(k));
      if (m && (m.status === 'sent' || (m.holder !== holder && (m.leaseUntil ?? '') > now.toISOString())))
        return { claimed: false, why: m.status === 'sent' ? 'sent' : 'in-progress', sent: [...m.sent] };
      const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
      markers.set(id(k), {
        holder,
        leaseUntil,
        status: 'sending',
        sent: m?.sent ?? [],
        expiresAt: m?.expiresAt ?? expiresAt,
      });
      return { claimed: true, sent: [...(m?.sent ?? [])] };
    },
    recordAlertSent: async (k, holder, channel, done) => {
      const m = markers.get(id(k));
      if (!m || m.holder !== holder || m.status !== 'sending') return false;
      if (channel && !m.sent.includes(channel)) m.sent = [...m.sent, channel].sort();
      if (done) {
        m.status = 'sent';
        delete m.leaseUntil;
      }
      return true;
    },
  };
  return Object.assign(store, { markers });
};
