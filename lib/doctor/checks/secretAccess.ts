/** The task execution role may read every secret the jobs reference (IAM's policy simulation). */
import { executionRoleName } from '../../domain/names.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext, deployCommand } from '../context.ts';
import { secretUses } from './secrets.ts';

export const checkSecretAccess = async (ctx: CheckContext, ports: Pick<DoctorPorts, 'roles'>): Promise<string> => {
  const uses = secretUses(ctx);
  if (uses.length === 0) return 'the jobs reference no secrets';
  const roleName = executionRoleName(ctx.input.stage, ctx.input.region);
  const roleArn = await ports.roles.roleArn(roleName);
  if (!roleArn) {
    add(ctx, {
      check: 'secret-access',
      severity: 'blocking',
      subject: roleName,
      what: `the task execution role ${roleName} does not exist`,
      why: 'every task of the stage starts with this role; without it no job can run (is the stage deployed?)',
      fix: `${deployCommand(ctx)}  (or run the doctor with --before)`,
    });
    return 'no execution role';
  }
  for (const u of uses) {
    const decisions = await ports.roles.simulate(roleArn, [u.action], [u.resource]);
    const denied = decisions.filter((d) => d.decision !== 'allowed');
    if (decisions.length === 0 || denied.length > 0) {
      const decision = denied[0]?.decision ?? 'no decision';
      add(ctx, {
        check: 'secret-access',
        severity: 'blocking',
        subject: u.where,
        what: `the execution role may not ${u.action} on ${u.resource} (${decision})`,
        why: 'ECS reads the secret with the execution role at task start; denied, the task stops with ResourceInitializationError (AccessDeniedException)',
        fix:
          decision === 'explicitDeny'
            ? `an explicit Deny applies (permissions boundary or SCP): aws iam simulate-principal-policy --policy-source-arn ${roleArn} --action-names ${u.action} --resource-arns ${u.resource}`
            : `${deployCommand(ctx)}  (the role is derived from the catalog: deploy the catalog that references this secret)`,
      });
    }
  }
  return `${uses.length} reads simulated for ${roleName}`;
};
