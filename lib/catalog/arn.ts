/**
 * ARNs in the catalog may use the CloudFormation pseudo parameters `${AWS::Partition}`,
 * `${AWS::Region}` and `${AWS::AccountId}` instead of literals, so that a catalog (and the template
 * built from it) carries no account number and deploys to any account and Region.
 */

const PSEUDO = {
  partition: '(?:aws|aws-cn|aws-us-gov|\\$\\{AWS::Partition\\})',
  region: '(?:[a-z]{2}(?:-gov)?-[a-z]+-\\d|\\$\\{AWS::Region\\})',
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

const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** An ARN of the catalog as it is in one account and Region: its pseudo parameters filled in. */
export const arnIn = (arn: string, where: { region: string; account: string }): string =>
  arn
    .replaceAll('${AWS::Partition}', partitionOf(where.region))
    .replaceAll('${AWS::Region}', where.region)
    .replaceAll('${AWS::AccountId}', where.account);
