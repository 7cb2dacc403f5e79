/** Environment for benchmarks: the same fake values the tests use; silent logs so output is not measured. */
process.env.LONGSHORE_STAGE = 'bench';
process.env.LONGSHORE_TABLE = 'longshore-bench-runs';
process.env.LONGSHORE_EVENT_BUS = 'longshore-bench-runs';
process.env.LONGSHORE_LAUNCH_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-bench-launch';
process.env.LONGSHORE_CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-bench';
process.env.LONGSHORE_ALERT_TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:longshore-bench-alerts';
process.env.LONGSHORE_NETWORKS = JSON.stringify({
  default: { subnets: 'subnet-0a1b2c3d4e5f60718', securityGroups: 'sg-0123456789abcdef0', assignPublicIp: false },
});
process.env.LONGSHORE_RUN_TASK_RATE = '1000000';
process.env.AWS_REGION = 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID = 'bench';
process.env.AWS_SECRET_ACCESS_KEY = 'bench';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
