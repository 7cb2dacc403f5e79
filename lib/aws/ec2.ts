/** EC2, read-only, for `longshore doctor`: subnets, security groups, routes and VPC endpoints of the job networks. */
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { awsCheck } from '../errors.ts';

export interface SubnetInfo {
  id: string;
  vpcId: string;
}
export interface RouteTableInfo {
  id: string;
  main: boolean;
  subnetIds: string[];
  /** Targets of the default route (0.0.0.0/0): nat-..., igw-..., tgw-..., eni-..., pcx-... */
  defaultRouteTargets: string[];
}
export interface VpcEndpointInfo {
  serviceName: string;
  type: string;
  state: string;
}

export type NetworkPort = ReturnType<typeof buildNetworkInspector>;

export const buildNetworkInspector = (ec2: EC2Client) => ({
  /** The subnets that exist among these ids (a filter, so unknown ids are simply absent). */
  subnets: async (ids: string[]): Promise<SubnetInfo[]> => {
    const out = await awsCheck('ec2:DescribeSubnets', () =>
      ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ids }] })),
    );
    return (out.Subnets ?? []).map((s) => ({ id: s.SubnetId ?? '', vpcId: s.VpcId ?? '' }));
  },

  securityGroups: async (ids: string[]): Promise<{ id: string; vpcId: string }[]> => {
    const out = await awsCheck('ec2:DescribeSecurityGroups', () =>
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: ids }] })),
    );
    return (out.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', vpcId: g.VpcId ?? '' }));
  },

  routeTables: async (vpcId: string): Promise<RouteTableInfo[]> => {
    const out = await awsCheck('ec2:DescribeRouteTables', () =>
      ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
    );
    return (out.RouteTables ?? []).map((t) => ({
      id: t.RouteTableId ?? '',
      main: (t.Associations ?? []).some((a) => a.Main === true),
      subnetIds: (t.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
      defaultRouteTargets: (t.Routes ?? [])
        .filter((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.State !== 'blackhole')
        .flatMap((r) =>
          [r.NatGatewayId, r.GatewayId, r.TransitGatewayId, r.NetworkInterfaceId, r.VpcPeeringConnectionId].filter(
            (x): x is string => typeof x === 'string',
          ),
        ),
    }));
  },

  vpcEndpoints: async (vpcId: string): Promise<VpcEndpointInfo[]> => {
    const out = await awsCheck('ec2:DescribeVpcEndpoints', () =>
      ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
    );
    return (out.VpcEndpoints ?? []).map((e) => ({
      serviceName: e.ServiceName ?? '',
      type: e.VpcEndpointType ?? '',
      state: (e.State ?? '').toLowerCase(),
    }));
  },
});

export const networkInspector = (region: string) => buildNetworkInspector(new EC2Client({ region }));
