/**
 * Service Quotas codes, from the quota list of Service Quotas (service code `fargate`):
 * "Fargate On-Demand vCPU resource count" and "Fargate Spot vCPU resource count"; `lambda`
 * "Concurrent executions" is L-B99A9384 (used in the doctor's fix commands).
 */
export const QUOTA_CODES = {
  fargateOnDemandVcpu: 'L-3032A538',
  fargateSpotVcpu: 'L-36FBB829',
  lambdaConcurrentExecutions: 'L-B99A9384',
} as const;
