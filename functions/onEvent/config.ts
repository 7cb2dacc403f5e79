import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Events of the catalog's `event` triggers (one EventBridge rule each, on the default or a named bus). */
const config: FunctionConfig = () => ({
  handler: 'functions/onEvent/handler.handler',
  description: 'EventBridge events of event triggers -> one run per identity (conditional create), queued for launch',
  timeout: 30,
  async: true,
  // acceptEvent -> acceptRuns -> createRun
  storeMethods: ['createRun'],
  statements: [grants.enqueueLaunch()],
});
export default config;
