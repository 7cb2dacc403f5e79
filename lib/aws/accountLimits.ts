/**
 * The account's limits that decide whether the jobs fit, read-only, for `longshore doctor`: the
 * Fargate vCPU quotas (Service Quotas) and Lambda's concurrency (GetAccountSettings, which gives the
 * applied value and the unreserved part).
 */
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { awsCheck } from '../errors.ts';

/**
 * Service Quotas codes, from the quota list of Service Quotas (service code `fargate`):
 * "Fargate On-Demand vCPU resource count" and "Fargate Spot vCPU resource count"; `lambda`
 * "Concurrent executions" is L-B99A9384 (used in the fix commands).
 */
export const QUOTA_CODES = {
  fargateOnDemandVcpu: 'L-3032A538',
  fargateSpotVcpu: 'L-36FBB829',
  lambdaConcurrentExecutions: 'L-B99A9384',
} as const;

export type AccountLimitsPort = ReturnType<typeof buildAccountLimits>;

export const buildAccountLimits = (quotas: ServiceQuotasClient, lambda: LambdaClient) => ({
  fargateVcpu: async (kind: 'on-demand' | 'spot'): Promise<number | undefined> => {
    const QuotaCode = kind === 'spot' ? QUOTA_CODES.fargateSpotVcpu : QUOTA_CODES.fargateOnDemandVcpu;
    try {
      const out = await awsCheck('servicequotas:GetServiceQuota', () =>
        quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'fargate', QuotaCode })),
      );
      return out.Quota?.Value;
    } catch (e) {
      if (((e as { cause?: unknown }).cause as Error | undefined)?.name === 'NoSuchResourceException') return undefined;
      throw e;
    }
  },

  lambdaConcurrency: async (): Promise<{ total: number; unreserved: number }> => {
    const out = await awsCheck('lambda:GetAccountSettings', () => lambda.send(new GetAccountSettingsCommand({})));
    return {
      total: out.AccountLimit?.ConcurrentExecutions ?? 0,
      unreserved: out.AccountLimit?.UnreservedConcurrentExecutions ?? 0,
    };
  },
});

export const accountLimits = (region: string) =>
  buildAccountLimits(new ServiceQuotasClient({ region }), new LambdaClient({ region }));
