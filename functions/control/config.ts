import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Operator requests from the CLI: trigger a job, retry a run, cancel a run. Invoked synchronously. */
const config: FunctionConfig = () => ({
  handler: 'functions/control/handler.handler',
  description: 'Manual trigger, retry and cancel (invoked by the longshore CLI)',
  timeout: 30,
  async: false,
  statements: [
    grants.table(['GetItem', 'PutItem', 'UpdateItem', 'Query', 'DeleteItem']),
    grants.enqueueLaunch(),
    grants.stopTasks(),
    grants.publishRunEvents(),
  ],
});
export default config;
