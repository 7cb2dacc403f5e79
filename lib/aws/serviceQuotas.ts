/** Service Quotas, read-only, for `longshore doctor`: the account's Fargate vCPU quotas. */
import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { QUOTA_CODES } from '../domain/quotaCodes.ts';
import { awsCheck } from '../errors.ts';
import type { QuotasPort } from '../ports.ts';

export const buildQuotas = (quotas: ServiceQuotasClient): QuotasPort => ({
  fargateVcpu: async (kind) => {
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
});
