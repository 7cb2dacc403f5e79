/**
 * CloudWatch Logs console links to a task's log stream. The awslogs driver names the stream
 * `<prefix>/<container>/<task id>`; the console URL encodes each part twice with `$` for `%`.
 */

const consoleEncode = (s: string): string => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');

/** "arn:aws:ecs:eu-west-1:1:task/cluster/abc" -> { region: "eu-west-1", taskId: "abc", partition: "aws" } */
export const parseTaskArn = (taskArn: string): { partition: string; region: string; taskId: string } | undefined => {
  const m = /^arn:([^:]+):ecs:([^:]+):[^:]*:task\/(?:[^/]+\/)?([A-Za-z0-9-]+)$/.exec(taskArn);
  return m ? { partition: m[1] as string, region: m[2] as string, taskId: m[3] as string } : undefined;
};

export const logStreamName = (prefix: string, container: string, taskId: string): string =>
  `${prefix}/${container}/${taskId}`;

/**
 * @example logLink('arn:aws:ecs:eu-west-1:1:task/c/abc', '/longshore/dev/x', 'longshore', 'main')
 * // 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Flongshore...'
 */
export const logLink = (taskArn: string, logGroup: string, prefix: string, container: string): string | undefined => {
  const t = parseTaskArn(taskArn);
  if (!t) return undefined;
  const host =
    t.partition === 'aws-cn'
      ? `${t.region}.console.amazonaws.cn`
      : t.partition === 'aws-us-gov'
        ? `console.amazonaws-us-gov.com`
        : `${t.region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${t.region}#logsV2:log-groups/log-group/${consoleEncode(logGroup)}/log-events/${consoleEncode(logStreamName(prefix, container, t.taskId))}`;
};
