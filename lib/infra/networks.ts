/**
 * The launcher's view of the catalog's networks: subnets and security groups per network, resolved
 * from stage parameters at deploy time into one JSON environment variable.
 */
import type { CfnValue } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { listAsString } from './params.ts';

export const networksEnvironment = (ctx: BuildContext): CfnValue => {
  const vars: Record<string, CfnValue> = {};
  const doc: Record<string, { subnets: string; securityGroups: string; assignPublicIp: boolean }> = {};
  Object.entries(ctx.catalog.networks).forEach(([name, net], i) => {
    vars[`subnets${i}`] = listAsString(net.subnets);
    vars[`groups${i}`] = listAsString(net.securityGroups);
    doc[name] = { subnets: `\${subnets${i}}`, securityGroups: `\${groups${i}}`, assignPublicIp: net.assignPublicIp };
  });
  return { 'Fn::Sub': [JSON.stringify(doc), vars] };
};
