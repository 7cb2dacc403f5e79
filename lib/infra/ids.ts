/** CloudFormation logical ids shared by the resource builders and the function configs. */
export const IDS = {
  table: 'RunsTable',
  cluster: 'JobsCluster',
  createClusterCondition: 'CreateJobsCluster',
  existingClusterParam: 'ExistingClusterArn',
  eventBus: 'RunEventsBus',
  alertTopic: 'AlertTopic',
  alertTopicKey: 'AlertTopicKey',
  alertTopicKeyAlias: 'AlertTopicKeyAlias',
  launchQueue: 'LaunchQueue',
  launchDlq: 'LaunchDeadLetterQueue',
  eventsDlq: 'EventsDeadLetterQueue',
  eventsDlqPolicy: 'EventsDeadLetterQueuePolicy',
  scheduleGroup: 'JobSchedules',
  schedulerRole: 'SchedulerRole',
  dashboard: 'OperationsDashboard',
} as const;

/** The Lambda function resource serverless generates for a function key ("launcher" -> "LauncherLambdaFunction"). */
export const lambdaLogicalId = (fnKey: string): string => `${fnKey[0]?.toUpperCase()}${fnKey.slice(1)}LambdaFunction`;
export const functionRoleLogicalId = (fnKey: string): string => `${fnKey[0]?.toUpperCase()}${fnKey.slice(1)}Role`;
