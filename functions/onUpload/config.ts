import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** S3 uploads (EventBridge "Object Created" or classic notifications) become queued runs. */
const config: FunctionConfig = () => ({
  handler: 'functions/onUpload/handler.handler',
  description: 'S3 uploads -> one run per matching job (conditional create), queued for launch',
  timeout: 30,
  async: true,
  // acceptUploads -> acceptRuns
  storeMethods: ['createRun'],
  statements: [grants.enqueueLaunch()],
});
export default config;
