import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Finished runs (Run Succeeded / Failed / Timed Out / Cancelled on the service's bus) start the jobs `after` them. */
const config: FunctionConfig = () => ({
  handler: 'functions/onRunFinished/handler.handler',
  description: 'Finished runs -> one run per job that runs after them (conditional create), queued for launch',
  timeout: 30,
  async: true,
  // acceptAfterRun: getRun (the upstream's truth), acceptRuns -> createRun
  storeMethods: ['getRun', 'createRun'],
  statements: [grants.enqueueLaunch()],
});
export default config;
