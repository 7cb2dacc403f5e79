import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Every few minutes: timeouts, stuck starts, lost STOPPED events, missed schedule ticks. */
const config: FunctionConfig = () => ({
  handler: 'functions/sweeper/handler.handler',
  description: 'Stops timed-out runs, reconciles stuck or lost attempts, detects missed schedules',
  timeout: 120,
  async: true,
  statements: [
    grants.table(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']),
    grants.enqueueLaunch(),
    grants.stopTasks(),
    grants.describeTasks(),
    grants.publishRunEvents(),
  ],
});
export default config;
