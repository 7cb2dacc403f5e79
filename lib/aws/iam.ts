/** IAM, read-only, for `longshore doctor`: a role's ARN, and whether its policies allow an action on a resource. */
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { awsCheck } from '../errors.ts';

export interface SimulatedDecision {
  action: string;
  resource: string;
  /** allowed, implicitDeny or explicitDeny (IAM API Reference, EvaluationResult). */
  decision: string;
}

export type IamPort = ReturnType<typeof buildIam>;

export const buildIam = (iam: IAMClient) => ({
  roleArn: async (roleName: string): Promise<string | undefined> => {
    try {
      const out = await awsCheck('iam:GetRole', () => iam.send(new GetRoleCommand({ RoleName: roleName })));
      return out.Role?.Arn;
    } catch (e) {
      if (((e as { cause?: unknown }).cause as Error | undefined)?.name === 'NoSuchEntityException') return undefined;
      throw e;
    }
  },

  /** The role's identity policies evaluated for each action on each resource (no calls are made as the role). */
  simulate: async (roleArn: string, actions: string[], resources: string[]): Promise<SimulatedDecision[]> => {
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

export const iamInspector = (region: string) => buildIam(new IAMClient({ region }));
