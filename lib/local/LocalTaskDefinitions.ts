/**
 * The local flow's task definitions, as ECS keeps them: each job's family (the stack's, revision 1,
 * made from the catalog), and the revisions RegisterTaskDefinition adds for runs on another image
 * (lib/runTaskDefinition.ts), numbered per family, with their tags; DescribeTaskDefinition answers a
 * family's latest ACTIVE revision (or a revision by ARN), DeregisterTaskDefinition makes one
 * INACTIVE. RunTask (SimulatedEcs) resolves its `taskDefinition` here, so a derived revision runs.
 */
import type { Catalog } from '../catalog/schema.ts';
import { jobFamilyOf } from '../domain/imageOverride.ts';
import { MAIN_CONTAINER_NAME, taskFamily } from '../domain/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './environment.ts';
import { imageOf } from './simTask.ts';

interface LocalRevision {
  family: string;
  revision: number;
  arn: string;
  definition: Record<string, unknown> & { containerDefinitions: { name?: string; image?: string }[] };
  tags: { key?: string; value?: string }[];
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: Date;
}

const arnOf = (family: string, revision: number): string =>
  `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/${family}:${revision}`;

/** ECS's answer for a task definition it cannot describe (a family without an ACTIVE revision). */
const unableToDescribe = (): Error =>
  Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });

export class LocalTaskDefinitions {
  private readonly registered: LocalRevision[] = [];

  constructor(
    private readonly stage: string,
    private readonly catalog: () => Catalog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The stack's revision of each job's family (what CloudFormation registered). */
  private base(): LocalRevision[] {
    return this.catalog().jobs.map((job) => {
      const family = taskFamily(this.stage, job.name);
      return {
        family,
        revision: 1,
        arn: arnOf(family, 1),
        definition: {
          family,
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: String(job.size.cpu),
          memory: String(job.size.memory),
          containerDefinitions: [
            { name: MAIN_CONTAINER_NAME, image: imageOf(job.container), essential: true },
            ...job.sidecars.map((s) => ({ name: s.name, image: imageOf(s), essential: s.essential })),
          ],
        },
        tags: Object.entries(job.tags).map(([key, value]) => ({ key, value })),
        status: 'ACTIVE' as const,
        registeredAt: new Date(0),
      };
    });
  }

  private all(): LocalRevision[] {
    return [...this.base(), ...this.registered];
  }

  /** A family (its latest ACTIVE revision), `family:revision`, or an ARN. */
  private find(ref: string | undefined): LocalRevision | undefined {
    const name = (ref ?? '').split('/').pop() ?? '';
    const m = /^(.+):(\d+)$/.exec(name);
    const all = this.all();
    if (m) return all.find((r) => r.family === m[1] && r.revision === Number(m[2]));
    return all.filter((r) => r.family === name && r.status === 'ACTIVE').at(-1);
  }

  register(input: { family?: string; tags?: { key?: string; value?: string }[] }) {
    const { tags, ...definition } = input;
    const family = String(definition.family);
    const revision = this.all().filter((r) => r.family === family).length + 1;
    const r: LocalRevision = {
      family,
      revision,
      arn: arnOf(family, revision),
      definition: { ...(definition as LocalRevision['definition']) },
      tags: tags ?? [],
      status: 'ACTIVE',
      registeredAt: this.now(),
    };
    this.registered.push(r);
    return { taskDefinition: this.described(r), tags: r.tags };
  }

  describe(input: { taskDefinition?: string; include?: string[] }) {
    const r = this.find(input.taskDefinition);
    if (!r) throw unableToDescribe();
    return { taskDefinition: this.described(r), ...(input.include?.includes('TAGS') ? { tags: r.tags } : {}) };
  }

  listFamilies(input: { familyPrefix?: string; status?: string }) {
    const families = this.all()
      .filter((r) => r.family.startsWith(input.familyPrefix ?? '') && (!input.status || r.status === input.status))
      .map((r) => r.family);
    return { families: [...new Set(families)].sort() };
  }

  listDefinitions(input: { familyPrefix?: string; status?: string; sort?: string }) {
    const arns = this.all()
      .filter((r) => r.family.startsWith(input.familyPrefix ?? '') && (!input.status || r.status === input.status))
      .map((r) => r.arn);
    return { taskDefinitionArns: input.sort === 'DESC' ? arns.reverse() : arns };
  }

  deregister(input: { taskDefinition?: string }) {
    const r = this.registered.find((x) => x.arn === this.find(input.taskDefinition)?.arn);
    if (!r) throw unableToDescribe();
    r.status = 'INACTIVE';
    return { taskDefinition: this.described(r) };
  }

  /** What RunTask runs: the job (by its family, or the family a derived one comes from) and its main image. */
  resolve(ref: string | undefined): { job: string; arn: string; image?: string } | undefined {
    const r = this.find(ref);
    if (!r) return undefined;
    const base = jobFamilyOf(r.family) ?? r.family;
    const job = this.catalog().jobs.find((j) => taskFamily(this.stage, j.name) === base);
    if (!job) return undefined;
    const image = r.definition.containerDefinitions.find((c) => c.name === MAIN_CONTAINER_NAME)?.image;
    return { job: job.name, arn: r.arn, ...(image ? { image } : {}) };
  }

  private described(r: LocalRevision): Record<string, unknown> {
    return {
      ...r.definition,
      taskDefinitionArn: r.arn,
      revision: r.revision,
      status: r.status,
      registeredAt: r.registeredAt,
    };
  }
}
