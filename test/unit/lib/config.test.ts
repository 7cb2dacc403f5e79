import { describe, expect, it } from 'vitest';
import { loadConfig, parseNetworks } from '../../../lib/config.ts';
import { ConfigError } from '../../../lib/errors.ts';

describe('Function: parseNetworks', () => {
  it('reads each network of LONGSHORE_NETWORKS with its comma-separated subnets and security groups', () => {
    // Act
    const networks = parseNetworks(process.env.LONGSHORE_NETWORKS);

    // Assess
    expect(networks).toEqual({
      default: {
        subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
        securityGroups: ['sg-0123456789abcdef0'],
        assignPublicIp: false,
      },
    });
  });

  it.each([
    [undefined, 'Environment variable LONGSHORE_NETWORKS is required'],
    ['{', 'LONGSHORE_NETWORKS is not JSON'],
    [
      '{"default":{"subnets":" , ","securityGroups":"sg-1","assignPublicIp":false}}',
      "network 'default' has no subnets",
    ],
  ])('refuses %j with a ConfigError naming the variable', (value, message) => {
    // Act & Assess
    expect(() => parseNetworks(value)).toThrow(ConfigError);
    expect(() => parseNetworks(value)).toThrow(message);
  });
});

describe('Function: loadConfig', () => {
  it('lists every service variable that is missing, in one error', () => {
    // Act & Assess
    expect(() => loadConfig({ LONGSHORE_STAGE: 'test' })).toThrow(
      'Environment variables required: LONGSHORE_TABLE, LONGSHORE_EVENT_BUS, LONGSHORE_LAUNCH_QUEUE_URL, LONGSHORE_CLUSTER_ARN, LONGSHORE_ALERT_TOPIC_ARN',
    );
  });
});
