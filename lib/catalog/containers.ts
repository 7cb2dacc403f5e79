/** Names shared by the task definition (build time) and the Lambdas (run time). */
import { jobLogGroup } from '../domain/names.ts';
import type { Job } from './schema.ts';

export const MAIN_CONTAINER_NAME = 'main';

/** The job's log group: its own setting, else `/longshore/<stage>/<job>`. */
export const logGroupName = (stage: string, job: Job): string =>
  job.container.logs.group ?? jobLogGroup(stage, job.name);
