/** The stage parameters the catalog uses exist in SSM, with the type the template reads them as. */
import { collectParams, paramDefaults } from '../../catalog/stageParams.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext } from '../context.ts';

export const checkStageParameters = async (
  ctx: CheckContext,
  ports: Pick<DoctorPorts, 'parameters'>,
): Promise<string> => {
  const params = collectParams(ctx.input.catalog);
  if (params.length === 0) return 'the catalog uses no stage parameters';
  const paths = { ...paramDefaults(params, ctx.input.stage), ...ctx.input.paramPaths };
  const { found, missing } = await ports.parameters.find(params.map((p) => paths[p.name] as string));
  for (const p of params) {
    const path = paths[p.name] as string;
    const value = found.get(path);
    const type = p.kind === 'list' ? 'StringList' : 'String';
    const example =
      p.kind === 'list'
        ? p.name.toLowerCase().includes('securitygroup')
          ? 'sg-0123456789abcdef0'
          : 'subnet-aaa,subnet-bbb'
        : 'fs-0123456789abcdef0';
    if (missing.includes(path) || !value) {
      add(ctx, {
        check: 'stage-parameters',
        severity: 'blocking',
        subject: path,
        what: `stage parameter '${p.name}' (${p.usedBy.join(', ')}) does not exist in SSM`,
        why: 'CloudFormation resolves it at deploy time; a missing parameter fails the deploy before anything is created',
        fix: `aws ssm put-parameter --region ${ctx.input.region} --name ${path} --type ${type} --value ${example}`,
      });
      continue;
    }
    if (value.type === 'SecureString' || (p.kind === 'string' && value.type !== 'String')) {
      add(ctx, {
        check: 'stage-parameters',
        severity: 'blocking',
        subject: path,
        what: `stage parameter '${p.name}' is a ${value.type}; the template reads it as ${type}`,
        why: 'CloudFormation parameters of type AWS::SSM::Parameter::Value<...> cannot read SecureString values',
        fix: `aws ssm put-parameter --region ${ctx.input.region} --name ${path} --type ${type} --overwrite --value <the ids>`,
      });
      continue;
    }
    ctx.params.set(
      p.name,
      (value.value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return `${params.length} stage parameters`;
};
