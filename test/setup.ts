/** Shared test setup: aws-sdk-client-mock matchers and the environment every handler reads. */
import 'aws-sdk-client-mock-vitest/extend';

process.env.LONGSHORE_STAGE ??= 'test';
process.env.LONGSHORE_TABLE ??= 'longshore-test-runs';
process.env.LONGSHORE_EVENT_BUS ??= 'longshore-test-runs';
process.env.LONGSHORE_LAUNCH_QUEUE_URL ??= 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-test-launch';
process.env.LONGSHORE_CLUSTER_ARN ??= 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-test';
process.env.LONGSHORE_ALERT_TOPIC_ARN ??= 'arn:aws:sns:eu-west-1:111122223333:longshore-test-alerts';
process.env.LONGSHORE_NETWORKS ??= JSON.stringify({
  default: {
    subnets: 'subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788',
    securityGroups: 'sg-0123456789abcdef0',
    assignPublicIp: false,
  },
});
process.env.LONGSHORE_RUN_TASK_RATE ??= '1000';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'true';
