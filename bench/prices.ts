/**
 * US East (N. Virginia) list prices the cost figures use, on-demand, beyond free tiers, dated.
 * Each one's source is its pricing page; where the stored copy of the page did not show the number,
 * a dated secondary page that quotes it is named too. Check them again before quoting a figure.
 */
export const PRICES_CHECKED = '2026-12-01';

export interface Price {
  usd: number;
  per: string;
  source: string;
  confirmedBy?: string;
}

export const PRICES = {
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    confirmedBy: 'https://cloudchipr.com/blog/aws-lambda-pricing',
  },
  /** arm64, first 7.5 billion GB-seconds a month; INIT duration is billed too. */
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second (arm64)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    confirmedBy: 'https://cloudchipr.com/blog/aws-lambda-pricing',
  },
  dynamoWru: {
    usd: 0.625 / 1e6,
    per: 'write request unit (on-demand)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmedBy: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the November 2024 reduction)',
  },
  dynamoRru: {
    usd: 0.125 / 1e6,
    per: 'read request unit (on-demand)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmedBy: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
  },
  /** Standard queue, first 100 billion requests a month; each 64 KB chunk of a request is one request. */
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: 'request (standard queue)',
    source: 'https://aws.amazon.com/sqs/pricing/',
    confirmedBy: 'https://cloudburn.io/blog/amazon-sqs-pricing (March 2026)',
  },
  /** Custom events published to a bus (64 KB chunks); AWS service events (S3, ECS state changes) are free. */
  eventBridgeEvent: {
    usd: 1.0 / 1e6,
    per: 'custom event published',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    confirmedBy: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
  },
  /** Standard topic publishes; deliveries to subscribers (email, HTTP) are billed on top and left out. */
  snsPublish: {
    usd: 0.5 / 1e6,
    per: 'publish (standard topic)',
    source: 'https://aws.amazon.com/sns/pricing/',
    confirmedBy: 'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/ (June 2026)',
  },
  stepFunctionsTransition: {
    usd: 0.025 / 1000,
    per: 'state transition (Standard workflows)',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    confirmedBy:
      'https://github.com/aws/agent-toolkit-for-aws plugins/aws-startup-advisor/.../step-functions.md ("$0.025/1000 transitions")',
  },
} satisfies Record<string, Price>;

/** Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB (Lambda developer guide, "Configuring function memory"). */
export const LAMBDA_MB_PER_VCPU = 1769;
