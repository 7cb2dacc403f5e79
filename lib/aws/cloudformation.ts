/** CloudFormation, read-only: a stack's outputs (the doctor's stage stack, the CLI's way to a stage's table and control function). */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsCheck } from '../errors.ts';
import type { StacksPort } from '../ports.ts';

export const buildStacks = (cfn: CloudFormationClient): StacksPort => ({
  outputs: async (stackName) => {
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
