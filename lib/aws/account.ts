/** Who and where, for `longshore doctor`: the caller's account (STS) and a stack's outputs (CloudFormation). */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCheck } from '../errors.ts';

export type AccountPort = ReturnType<typeof buildAccount>;

export const buildAccount = (sts: STSClient, cfn: CloudFormationClient) => ({
  accountId: async (): Promise<string> => {
    const out = await awsCheck('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
    return out.Account ?? '';
  },

  /** The stack's outputs, or undefined when the stack does not exist. */
  stackOutputs: async (stackName: string): Promise<Record<string, string> | undefined> => {
    try {
      const out = await awsCheck('cloudformation:DescribeStacks', () =>
        cfn.send(new DescribeStacksCommand({ StackName: stackName })),
      );
      const stack = out.Stacks?.[0];
      if (!stack) return undefined;
      return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    } catch (e) {
      // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
      const cause = (e as { cause?: unknown }).cause as Error | undefined;
      if (cause?.name === 'ValidationError' && /does not exist/.test(cause.message)) return undefined;
      throw e;
    }
  },
});

export const accountInspector = (region: string) =>
  buildAccount(new STSClient({ region }), new CloudFormationClient({ region }));
