/** IAM, read-only, for `longshore doctor`: a role's ARN, and whether its policies allow an action on a resource. */
import { GetRoleCommand, type IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { awsCheck } from '../errors.ts';
import type { RolesPort } from '../ports.ts';

export const buildRoles = (iam: IAMClient): RolesPort => ({
  roleArn: async (roleName) => {
    try {
      const out = await awsCheck('iam:GetRole', () => iam.send(new GetRoleCommand({ RoleName: roleName })));
      return out.Role?.Arn;
    } catch (e) {
      if (((e as { cause?: unknown }).cause as Error | undefined)?.name === 'NoSuchEntityException') return undefined;
      throw e;
    }
  },

  /** The decisions are IAM's EvalDecision values: allowed, implicitDeny or explicitDeny (IAM API Reference, EvaluationResult). */
  simulate: async (roleArn, actions, resources) => {
    const out = await awsCheck('iam:SimulatePrincipalPolicy', () =>
      iam.send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: actions, ResourceArns: resources }),
      ),
    );
    return (out.EvaluationResults ?? []).flatMap((r) =>
      (r.ResourceSpecificResults?.length
        ? r.ResourceSpecificResults
        : [{ EvalResourceName: r.EvalResourceName, EvalResourceDecision: r.EvalDecision }]
      ).map((x) => ({
        action: r.EvalActionName ?? '',
        resource: x.EvalResourceName ?? '',
        decision: x.EvalResourceDecision ?? r.EvalDecision ?? '',
      })),
    );
  },
});
