/** Attempt facts from a sample ECS event, as the tracker records them. */
import type { Job } from '../../lib/catalog/schema.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import type { AttemptFacts } from '../../lib/domain/policy.ts';
import { withEssential } from '../../lib/outcomes.ts';
import { loadEvent } from './events.ts';

export const factsFromEvent = (name: string, job: Job): AttemptFacts => {
  const d = parseTaskStateChange(loadEvent(name));
  return {
    kind: 'task',
    containers: withEssential(
      job,
      d.containers.map((c) => ({
        name: c.name,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
      })),
    ),
    ...(d.stopCode ? { stopCode: d.stopCode } : {}),
    ...(d.stoppedReason ? { stoppedReason: d.stoppedReason } : {}),
  };
};
