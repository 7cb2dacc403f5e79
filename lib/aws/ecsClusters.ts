/**
 * ECS, read-only, for `longshore doctor`: a cluster's capacity providers and which capacity
 * providers exist. (The doctor's side; `ecs.ts` is the launcher's adapter of the same service.)
 */
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { awsCheck } from '../errors.ts';

export type ClustersPort = ReturnType<typeof buildClusterInspector>;

export const buildClusterInspector = (ecs: ECSClient) => ({
  /** The cluster's status and capacity providers, or undefined when ECS does not know it. */
  cluster: async (cluster: string): Promise<{ status: string; capacityProviders: string[] } | undefined> => {
    const out = await awsCheck('ecs:DescribeClusters', () =>
      ecs.send(new DescribeClustersCommand({ clusters: [cluster] })),
    );
    const c = out.clusters?.[0];
    if (!c || c.status === 'INACTIVE') return undefined;
    return { status: c.status ?? 'UNKNOWN', capacityProviders: c.capacityProviders ?? [] };
  },

  /** The names among these that are capacity providers of the account (ACTIVE). */
  existingCapacityProviders: async (names: string[]): Promise<string[]> => {
    if (names.length === 0) return [];
    const out = await awsCheck('ecs:DescribeCapacityProviders', () =>
      ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: names })),
    );
    return (out.capacityProviders ?? []).filter((p) => p.status === 'ACTIVE').flatMap((p) => (p.name ? [p.name] : []));
  },
});

export const clusterInspector = (region: string) => buildClusterInspector(new ECSClient({ region }));
