/** Shared test setup: aws-sdk-client-mock matchers and the environment every handler reads. */
import 'aws-sdk-client-mock-vitest/extend';
import { testEnvironment } from './helpers/environment.ts';

const environment: Record<string, string> = {
  ...testEnvironment('test', {
    networks: {
      default: {
        subnets: 'subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788',
        securityGroups: 'sg-0123456789abcdef0',
        assignPublicIp: false,
      },
    },
    runTaskRate: 1000,
  }),
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_DEV: 'true',
};
for (const [name, value] of Object.entries(environment)) process.env[name] ??= value;
