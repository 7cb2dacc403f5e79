/** The launcher's networks, from `LONGSHORE_NETWORKS` (resolved from stage parameters at deploy time). */
import * as z from 'zod';
import type { NetworkSettings } from '../domain/taskRequest.ts';
import { ConfigError } from '../errors.ts';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const networks = z.record(
  z.string(),
  z.strictObject({ subnets: list, securityGroups: list, assignPublicIp: z.boolean() }),
);

export const parseNetworks = (json: string | undefined): Record<string, NetworkSettings> => {
  if (!json) throw new ConfigError('Environment variable LONGSHORE_NETWORKS is required');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('LONGSHORE_NETWORKS is not JSON');
  }
  const parsed = networks.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`LONGSHORE_NETWORKS is malformed: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  for (const [name, n] of Object.entries(parsed.data)) {
    if (n.subnets.length === 0) throw new ConfigError(`LONGSHORE_NETWORKS: network '${name}' has no subnets`);
  }
  return parsed.data;
};
