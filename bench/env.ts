/** Environment for benchmarks: the tests' fake account, stage `bench`; silent logs so output is not measured. */
import { testEnvironment } from '../test/helpers/environment.ts';

Object.assign(process.env, {
  ...testEnvironment('bench', {
    networks: {
      default: { subnets: 'subnet-0a1b2c3d4e5f60718', securityGroups: 'sg-0123456789abcdef0', assignPublicIp: false },
    },
    runTaskRate: 1_000_000,
  }),
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
