/** EC2, read-only, for `longshore doctor`: subnets, security groups, routes and VPC endpoints of the job networks. */
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsCheck } from '../errors.ts';
import type { NetworkPort } from '../ports.ts';

export const buildNetwork = (ec2: EC2Client): NetworkPort => ({
  /** By a filter, not by ids: an unknown id is simply absent instead of failing the call. */
  subnets: async (ids) => {
    const out = await awsCheck('ec2:DescribeSubnets', () =>
      ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ids }] })),
    );
    return (out.Subnets ?? []).map((s) => ({ id: s.SubnetId ?? '', vpcId: s.VpcId ?? '' }));
  },

  securityGroups: async (ids) => {
    const out = await awsCheck('ec2:DescribeSecurityGroups', () =>
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: ids }] })),
    );
    return (out.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', vpcId: g.VpcId ?? '' }));
  },

  routeTables: async (vpcId) => {
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

  vpcEndpoints: async (vpcId) => {
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
