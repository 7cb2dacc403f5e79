/**
 * ARNs in the catalog may use the CloudFormation pseudo parameters `${AWS::Partition}`,
 * `${AWS::Region}` and `${AWS::AccountId}` instead of literals, so that a catalog (and the template
 * built from it) carries no account number and deploys to any account and Region.
 */

/**
 * AWS partitions and the Regions each one holds, as the AWS SDK's endpoint data states them
 * (`@aws-sdk/core` util-endpoints `partitions`, November 2026): the commercial, China, GovCloud,
 * European Sovereign Cloud and ISO partitions. Most specific first: `us-gov-`, `us-iso*-` before `us-`.
 */
const PARTITIONS: readonly { id: string; region: RegExp }[] = [
  { id: 'aws-us-gov', region: /^us-gov-\w+-\d+$/ },
  { id: 'aws-iso', region: /^us-iso-\w+-\d+$/ },
  { id: 'aws-iso-b', region: /^us-isob-\w+-\d+$/ },
  { id: 'aws-iso-e', region: /^eu-isoe-\w+-\d+$/ },
  { id: 'aws-iso-f', region: /^us-isof-\w+-\d+$/ },
  { id: 'aws-cn', region: /^cn-\w+-\d+$/ },
  { id: 'aws-eusc', region: /^eusc-de-\w+-\d+$/ },
  { id: 'aws', region: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/ },
];

const PSEUDO = {
  partition: `(?:${PARTITIONS.map((p) => p.id).join('|')}|\\$\\{AWS::Partition\\})`,
  region: '(?:[a-z]{2,4}(?:-(?:gov|iso[bef]?|de))?-[a-z]+-\\d+|\\$\\{AWS::Region\\})',
  account: '(?:\\d{12}|\\$\\{AWS::AccountId\\})',
};

export const arnPattern = (service: string, resource: string, opts: { region?: 'required' | 'empty' } = {}): RegExp => {
  const region = opts.region === 'empty' ? '' : PSEUDO.region;
  const account = opts.region === 'empty' ? '' : PSEUDO.account;
  return new RegExp(`^arn:${PSEUDO.partition}:${service}:${region}:${account}:${resource}$`);
};

export const ANY_PSEUDO = /\$\{AWS::(?:Partition|Region|AccountId|URLSuffix)\}/;

/** The ARN of something in this stack's account and Region, with pseudo parameters. */
export const localArn = (service: string, resource: string): string =>
  `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`;

/** A CloudFormation value for a string that may hold pseudo parameters. */
export type CfnString = string | { 'Fn::Sub': string };
export const cfnString = (value: string): CfnString => (ANY_PSEUDO.test(value) ? { 'Fn::Sub': value } : value);

/** The partition of a Region (`aws` for a Region of no known partition, as the SDK defaults). */
export const partitionOf = (region: string): string => PARTITIONS.find((p) => p.region.test(region))?.id ?? 'aws';

/** An ARN of the catalog as it is in one account and Region: its pseudo parameters filled in. */
export const arnIn = (arn: string, where: { region: string; account: string }): string =>
  arn
    .replaceAll('${AWS::Partition}', partitionOf(where.region))
    .replaceAll('${AWS::Region}', where.region)
    .replaceAll('${AWS::AccountId}', where.account);
