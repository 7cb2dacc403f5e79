/**
 * The local event bus: events go to the handlers as the deployed rules would send them, by the
 * rules' own patterns (lib/infra/triggers.ts), never by a copy of them. Every event that matches
 * is recorded; it is delivered only when the runtime delivers (the flow), not for `longshore invoke`,
 * where nothing runs on its own.
 */
import type { Catalog } from '../catalog/schema.ts';
import { matchingEventTriggers } from '../domain/eventTrigger.ts';
import { afterPattern, alertPattern, taskStatePattern } from '../infra/triggers.ts';
import { eventTriggerDelivery, runEventDelivery } from './eventFactory.ts';
import type { FunctionKey } from './functionKeys.ts';
import type { Recorder } from './Recorder.ts';

type Pattern = { [field: string]: Pattern | readonly unknown[] };

/**
 * Whether an event matches an EventBridge pattern, for the parts of the pattern language the stack's
 * rules use: a field lists the values it may have (exact, or `{ prefix }`), nested fields nest.
 */
export const matchesPattern = (pattern: Pattern, event: unknown): boolean =>
  Object.entries(pattern).every(([field, rule]) => {
    const value = (event as Record<string, unknown> | undefined)?.[field];
    if (!Array.isArray(rule)) return matchesPattern(rule as Pattern, value);
    return rule.some((allowed) =>
      typeof allowed === 'object' && allowed !== null && 'prefix' in allowed
        ? typeof value === 'string' && value.startsWith(String((allowed as { prefix: unknown }).prefix))
        : value === allowed,
    );
  });

/** A handler invocation the router asks for (the runtime decides whether it happens). */
export type Deliver = (fn: FunctionKey, event: unknown) => void;

export interface RouterOptions {
  stage: string;
  clusterArn: string;
  recorder: Recorder;
  /** The active catalog: which jobs' finished runs the `after` rule takes (read per event: the local tools may swap it). */
  catalog: () => Catalog;
  /** Absent for `longshore invoke`: events are recorded, nothing is delivered. */
  deliver?: Deliver;
}

export const createRouter = ({ stage, clusterArn, recorder, catalog, deliver }: RouterOptions) => {
  const taskState = taskStatePattern(stage, clusterArn) as Pattern;
  const alerting = alertPattern() as Pattern;
  return {
    /** An ECS task state change, as the task-state rule filters it. */
    taskEvent: (event: Record<string, unknown>): void => {
      if (!matchesPattern(taskState, event)) return;
      recorder.event({ detailType: 'ECS Task State Change', detail: event.detail as Record<string, unknown> });
      deliver?.('onTaskStateChange', event);
    },
    /** A run event PutEvents put on the bus; the alert rule takes the ones that need a person, the after rule the finished runs jobs follow. */
    runEvent: (source: string, detailType: string, detail: Record<string, unknown>): void => {
      recorder.event({ detailType, detail });
      if (!deliver) return;
      const delivered = runEventDelivery(source, detailType, detail);
      if (matchesPattern(alerting, delivered)) deliver('alert', delivered);
      const after = afterPattern(stage, catalog()) as Pattern | undefined;
      if (after && matchesPattern(after, delivered)) deliver('onRunFinished', delivered);
    },
    /**
     * An event put on a bus (the default one, or a named one): what each event trigger's rule whose
     * pattern matches hands onEvent (the full pattern language: lib/domain/eventPattern.ts).
     * Returned, not delivered: the caller invokes them (and waits), in the flow and in an invoke.
     */
    busEvent: (event: Record<string, unknown>, bus = 'default'): Record<string, unknown>[] => {
      const matched = matchingEventTriggers(catalog(), event, bus);
      if (matched.length > 0)
        recorder.event({
          detailType: String(event['detail-type']),
          detail: (event.detail ?? {}) as Record<string, unknown>,
        });
      return matched.map((m) => eventTriggerDelivery(m.job.name, m.triggerIndex, event));
    },
  };
};

export type Router = ReturnType<typeof createRouter>;
