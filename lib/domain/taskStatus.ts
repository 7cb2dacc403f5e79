/**
 * What an ECS task's `lastStatus` means for an attempt. ECS documents the lifecycle PROVISIONING ->
 * PENDING -> ACTIVATING -> RUNNING -> DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED
 * (API_Task, aws-facts §a); each is mapped explicitly, so only RUNNING makes a run RUNNING and a
 * status ECS adds later is recorded without moving the run.
 */

export type TaskPhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'unknown';

const PHASES: Readonly<Record<string, TaskPhase>> = {
  PROVISIONING: 'starting',
  PENDING: 'starting',
  ACTIVATING: 'starting',
  RUNNING: 'running',
  DEACTIVATING: 'stopping',
  STOPPING: 'stopping',
  DEPROVISIONING: 'stopping',
  STOPPED: 'stopped',
};

export const taskPhase = (lastStatus: string): TaskPhase =>
  Object.hasOwn(PHASES, lastStatus) ? (PHASES[lastStatus] as TaskPhase) : 'unknown';

/** The Fargate Spot two-minute notice: still running, told to stop, stop code SpotInterruption. */
export const isSpotNotice = (d: { lastStatus: string; desiredStatus?: string; stopCode?: string }): boolean =>
  d.lastStatus !== 'STOPPED' && d.desiredStatus === 'STOPPED' && d.stopCode === 'SpotInterruption';

/** Stop codes ECS documents today; a rule may name them. Unknown codes in events are still handled. */
export const KNOWN_STOP_CODES: readonly string[] = [
  'TaskFailedToStart',
  'EssentialContainerExited',
  'UserInitiated',
  'ServiceSchedulerInitiated',
  'SpotInterruption',
  'TerminationNotice',
  'InfrastructureHealth',
];
