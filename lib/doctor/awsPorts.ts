/** The doctor's ports over the real AWS clients of one Region (the caller's credentials). */
import { accountInspector } from '../aws/account.ts';
import { accountLimits } from '../aws/accountLimits.ts';
import { networkInspector } from '../aws/ec2.ts';
import { imageInspector } from '../aws/ecr.ts';
import { clusterInspector } from '../aws/ecsClusters.ts';
import { iamInspector } from '../aws/iam.ts';
import { bucketInspector } from '../aws/s3Notifications.ts';
import { secretsInspector } from '../aws/secretsManager.ts';
import { ssmParameters } from '../aws/ssm.ts';
import type { DoctorPorts } from './runDoctor.ts';

export const awsDoctorPorts = (region: string): DoctorPorts => ({
  account: accountInspector(region),
  ssm: ssmParameters(region),
  secrets: secretsInspector(region),
  iam: iamInspector(region),
  buckets: bucketInspector(region),
  network: networkInspector(region),
  clusters: clusterInspector(region),
  images: imageInspector(region),
  limits: accountLimits(region),
});
