/** Stack outputs: what the CLI reads to find a deployed stage's resources. */
import { functionName } from '../domain/names.ts';
import { type CfnValue, getAtt, ref } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { IDS, lambdaLogicalId } from './ids.ts';
import { clusterArnValue } from './platform.ts';

export const outputs = (ctx: BuildContext): Record<string, CfnValue> => ({
  RunsTableName: { Value: ref(IDS.table), Description: 'DynamoDB table of runs and attempts' },
  ClusterArn: { Value: clusterArnValue, Description: 'ECS cluster the jobs run on' },
  RunEventBusName: { Value: ref(IDS.eventBus), Description: 'EventBridge bus of run events' },
  AlertTopicArn: { Value: ref(IDS.alertTopic), Description: 'SNS topic of alerts (subscribe on-call here)' },
  LaunchQueueUrl: { Value: ref(IDS.launchQueue), Description: 'Launch buffer queue' },
  LaunchDeadLetterQueueUrl: { Value: ref(IDS.launchDlq), Description: 'Launches that failed 10 receives' },
  EventsDeadLetterQueueUrl: { Value: ref(IDS.eventsDlq), Description: 'Events no handler could process' },
  ControlFunctionName: { Value: functionName(ctx.stage, 'control'), Description: 'Function the CLI invokes' },
  ControlFunctionArn: { Value: getAtt(lambdaLogicalId('control'), 'Arn') },
});
