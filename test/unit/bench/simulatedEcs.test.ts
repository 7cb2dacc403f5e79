import { describe, expect, it } from 'vitest';
import { createSimulatedEcs, DOCUMENTED_ECS_THROTTLING, type EcsApiError } from '../../../bench/aws/simulatedEcs.ts';
import { TokenBucket, takeAll } from '../../../bench/aws/tokenBucket.ts';

const runTask = (token: string) => ({
  cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/c',
  taskDefinition: 'fam',
  clientToken: token,
  launchType: 'FARGATE',
});

describe('Function: takeAll', () => {
  it('takes no token from any bucket when one of them is empty (a refused call takes no token)', () => {
    // Prepare
    const full = new TokenBucket(5, 1, 0);
    const empty = new TokenBucket(1, 1, 0);
    empty.take(0);

    // Act
    const ok = takeAll([full, empty], 0);

    // Assess
    expect(ok).toBe(false);
    expect([1, 2, 3, 4, 5].map(() => full.take(0))).toEqual([true, true, true, true, true]);
  });
});

describe('Function: createSimulatedEcs', () => {
  it('serves 20 RunTask calls at once, throttles the 21st, and serves again after a refill of 50 ms', () => {
    // Prepare
    let now = 0;
    const ecs = createSimulatedEcs({ now: () => now, throttling: DOCUMENTED_ECS_THROTTLING });

    // Act
    for (let i = 0; i < 20; i++) ecs.call('RunTask', runTask(`t${i}`));
    const refused = (() => {
      try {
        ecs.call('RunTask', runTask('t20'));
        return undefined;
      } catch (e) {
        return e as EcsApiError;
      }
    })();
    now = 50;
    ecs.call('RunTask', runTask('t21'));

    // Assess
    expect(refused?.type).toBe('ThrottlingException');
    expect(ecs.counters).toMatchObject({ runTaskCalls: 22, runTaskThrottled: 1, tasksLaunched: 21 });
  });

  it('returns the same task for the same clientToken and refuses the token with another request (ConflictException)', () => {
    // Prepare
    const ecs = createSimulatedEcs({ now: () => 0 });
    const first = ecs.call('RunTask', runTask('tok')) as { tasks: { taskArn: string }[] };

    // Act
    const again = ecs.call('RunTask', runTask('tok')) as { tasks: { taskArn: string }[] };
    let conflict: EcsApiError | undefined;
    try {
      ecs.call('RunTask', { ...runTask('tok'), taskDefinition: 'other' });
    } catch (e) {
      conflict = e as EcsApiError;
    }

    // Assess
    expect(again.tasks[0]?.taskArn).toBe(first.tasks[0]?.taskArn);
    expect(conflict?.type).toBe('ConflictException');
    expect(conflict?.extra.resourceIds).toEqual([first.tasks[0]?.taskArn]);
    expect(ecs.counters.tasksLaunched).toBe(1);
  });
});
