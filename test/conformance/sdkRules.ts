/**
 * Rules the API models state only in prose, each with its source, checked on recorded SDK calls.
 */
import type { CallProblem } from './apiModel.ts';

export interface ProseRule {
  id: string;
  client: string;
  operation: string;
  source: string;
  /** Problems of one input; [] when it follows the rule. */
  check(input: Record<string, unknown>): string[];
}

/** UTF-8 bytes of a string. */
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

// Tag rules shared by the services we tag through (ECS RunTask here): at most 50, key 1-128 and
// value 0-256 characters of letters, numbers, spaces and _ . : / = + - @, no aws: prefix.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const tagProblems = (tags: { key?: string; value?: string }[] | undefined): string[] => {
  if (!tags) return [];
  const out: string[] = [];
  if (tags.length > 50) out.push(`${tags.length} tags; at most 50`);
  for (const { key = '', value = '' } of tags) {
    if (key.length < 1 || key.length > 128 || !TAG_CHARS.test(key)) out.push(`tag key '${key}' breaks the tag rules`);
    if (key.toLowerCase().startsWith('aws:')) out.push(`tag key '${key}' uses the reserved prefix aws:`);
    if (value.length > 256 || !TAG_CHARS.test(value)) out.push(`tag value '${value}' breaks the tag rules`);
  }
  return out;
};

const RUN_TASK = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html';

export const PROSE_RULES: ProseRule[] = [
  {
    id: 'ecs-listtasks-startedby-only-filter',
    client: 'ECS',
    operation: 'ListTasks',
    source:
      'ECS API Reference, ListTasks, startedBy: "When you specify startedBy as the filter, it must be the only filter that you use."',
    check: (i) => {
      if (i.startedBy === undefined) return [];
      const others = ['containerInstance', 'family', 'serviceName', 'desiredStatus', 'launchType', 'daemonName'].filter(
        (k) => i[k] !== undefined,
      );
      return others.length ? [`startedBy is combined with ${others.join(', ')}`] : [];
    },
  },
  {
    id: 'ecs-runtask-launchtype-xor-strategy',
    client: 'ECS',
    operation: 'RunTask',
    source: `${RUN_TASK}, capacityProviderStrategy: "If a capacityProviderStrategy is specified, the launchType parameter must be omitted."`,
    check: (i) =>
      i.launchType !== undefined && i.capacityProviderStrategy !== undefined
        ? ['launchType and capacityProviderStrategy are both given']
        : [],
  },
  {
    id: 'ecs-runtask-overrides-8192',
    client: 'ECS',
    operation: 'RunTask',
    source: `${RUN_TASK}, overrides: "A total of 8192 characters are allowed for overrides. This limit includes the JSON formatting characters of the override structure."`,
    check: (i) => {
      if (i.overrides === undefined) return [];
      const n = JSON.stringify(i.overrides).length;
      return n > 8192 ? [`overrides are ${n} characters`] : [];
    },
  },
  {
    id: 'ecs-runtask-client-token',
    client: 'ECS',
    operation: 'RunTask',
    source: `${RUN_TASK}, clientToken: "Up to 64 characters are allowed. The valid characters are characters in the range of 33-126, inclusive."`,
    check: (i) => {
      const t = i.clientToken;
      if (t === undefined) return [];
      return typeof t === 'string' && t.length >= 1 && t.length <= 64 && /^[\x21-\x7e]+$/.test(t)
        ? []
        : [`clientToken '${String(t)}' is not 1-64 characters of ASCII 33-126`];
    },
  },
  {
    id: 'ecs-runtask-started-by',
    client: 'ECS',
    operation: 'RunTask',
    source: `${RUN_TASK}, startedBy: "Up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and underscores (_) are allowed."`,
    check: (i) =>
      i.startedBy === undefined || /^[A-Za-z0-9/_-]{1,128}$/.test(String(i.startedBy))
        ? []
        : [`startedBy '${String(i.startedBy)}' has characters or a length RunTask refuses`],
  },
  {
    id: 'ecs-runtask-tags',
    client: 'ECS',
    operation: 'RunTask',
    source: `${RUN_TASK}, tags: at most 50; key 1-128, value 0-256 UTF-8 characters; letters, numbers, spaces and + - = . _ : / @; aws: reserved`,
    check: (i) => tagProblems(i.tags as { key?: string; value?: string }[] | undefined),
  },
  {
    id: 'ecs-stoptask-reason-255',
    client: 'ECS',
    operation: 'StopTask',
    source: 'ECS API Reference, StopTask, reason: "Up to 255 characters are allowed in this message."',
    check: (i) =>
      typeof i.reason === 'string' && i.reason.length > 255 ? [`reason is ${i.reason.length} characters`] : [],
  },
  ...(['SendMessage', 'SendMessageBatch'] as const).map(
    (operation): ProseRule => ({
      id: 'sqs-delay-seconds-900',
      client: 'SQS',
      operation,
      source: `SQS API Reference, ${operation}, DelaySeconds: "Valid values: 0 to 900. Maximum: 15 minutes."`,
      check: (i) => {
        const delays =
          operation === 'SendMessage'
            ? [i.DelaySeconds]
            : ((i.Entries as { DelaySeconds?: number }[] | undefined) ?? []).map((e) => e.DelaySeconds);
        return delays
          .filter((d) => d !== undefined && !(Number.isInteger(d) && (d as number) >= 0 && (d as number) <= 900))
          .map((d) => `DelaySeconds ${String(d)} is outside 0-900`);
      },
    }),
  ),
  {
    id: 'eventbridge-putevents-entry',
    client: 'EventBridge',
    operation: 'PutEvents',
    source:
      'EventBridge user guide, "Calculating PutEvents event entry size": at most 256 KB per entry (Time 14 bytes + UTF-8 bytes of Source, DetailType, Detail and each Resources entry); PutEvents API Reference: 1-10 entries, Detail "A valid JSON object"',
    check: (i) => {
      const entries = (i.Entries as Record<string, unknown>[] | undefined) ?? [];
      const out: string[] = [];
      if (entries.length < 1 || entries.length > 10) out.push(`${entries.length} entries; PutEvents takes 1-10`);
      entries.forEach((e, n) => {
        const size =
          (e.Time !== undefined ? 14 : 0) +
          ['Source', 'DetailType', 'Detail'].reduce(
            (sum, k) => sum + (typeof e[k] === 'string' ? bytes(e[k] as string) : 0),
            0,
          ) +
          ((e.Resources as string[] | undefined) ?? []).reduce((sum, r) => sum + bytes(r), 0);
        if (size > 256 * 1024) out.push(`entry ${n} is ${size} bytes`);
        if (typeof e.Detail === 'string') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(e.Detail);
          } catch {
            parsed = undefined;
          }
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
            out.push(`entry ${n}: Detail is not a JSON object`);
        }
      });
      return out;
    },
  },
  {
    id: 'sns-publish-subject',
    client: 'SNS',
    operation: 'Publish',
    source:
      'SNS API Reference, Publish, Subject: "must be ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks or control characters; and must be less than 100 characters long."',
    check: (i) => {
      const s = i.Subject;
      if (s === undefined) return [];
      return typeof s === 'string' && s.length < 100 && /^[\x21-\x7e][\x20-\x7e]*$/.test(s)
        ? []
        : [`Subject ${JSON.stringify(s)} breaks the subject rules`];
    },
  },
];

export const proseProblems = (client: string, operation: string, input: unknown): CallProblem[] =>
  PROSE_RULES.filter((r) => r.client === client && r.operation === operation).flatMap((r) =>
    r
      .check((input ?? {}) as Record<string, unknown>)
      .map((problem) => ({ where: `${client}.${operation}`, problem, check: r.id })),
  );

/** How many prose checks apply to one call. */
export const proseRuleCount = (client: string, operation: string): number =>
  PROSE_RULES.filter((r) => r.client === client && r.operation === operation).length;
