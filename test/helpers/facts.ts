/** Attempt facts from a sample ECS event, as the tracker records them. */
import type { Job } from '../../lib/catalog/schema.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { type AttemptFacts, factsFromTaskDetail } from '../../lib/domain/attemptFacts.ts';
import { loadEvent } from './events.ts';

export const factsFromEvent = (name: string, job: Job): AttemptFacts =>
  factsFromTaskDetail(job, parseTaskStateChange(loadEvent(name)));
