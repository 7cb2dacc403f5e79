/**
 * One Lambda invocation as the generated histories run it, and the port wrapper every AWS call of
 * it goes through: one call at a time across concurrent invocations (the gate picks who goes next,
 * from the history's seed, so races replay exactly), the process dying before or after its Nth call
 * (a crash: every later call fails too, nothing more reaches AWS), and injected faults (throttling,
 * 5xx, a write applied whose answer was lost) at the history's rate.
 */
import type { FunctionKey } from '../../lib/local/functionKeys.ts';
import type { Rng } from './rng.ts';

/** The process is gone: thrown from the call the crash is planned at, and from every call after it. */
export class LambdaDiedError extends Error {
  override readonly name = 'LambdaDiedError';
}

export interface CrashPlan {
  /** The invocation's AWS call (1-based) the process dies at. */
  call: number;
  when: 'before' | 'after';
}

export type FaultPhase =
  /** Refused before anything happened (throttled, 5xx). */
  | 'before'
  /** Applied, then the answer was lost and the SDK gave up: the caller sees an error for a write that happened. */
  | 'after'
  /** Applied, the answer lost, and the SDK sent it again (its own retry): the caller sees the second answer. */
  | 'retried'
  /** Some entries of a batch refused (PutEvents, SendMessageBatch). */
  | 'partial';

export interface InjectedFault {
  /** In the error's message, so a log line can be traced to its fault. */
  token: string;
  service: string;
  command: string;
  name: string;
  phase: FaultPhase;
}

/** A fault as the AWS SDK throws it: the service's error name, its fault side, its HTTP status. */
export const sdkError = (name: string, message: string, status: number): Error =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
  });

export class Invocation {
  calls = 0;
  dead = false;
  died?: { service: string; command: string; when: 'before' | 'after'; call: number };
  /** Faults thrown into the code (before / after), and partial batch failures. */
  readonly faults: InjectedFault[] = [];
  /** Calls the SDK would have retried itself (invisible to the code). */
  retried = 0;

  constructor(
    readonly id: number,
    readonly fn: FunctionKey,
    readonly requestId: string,
    readonly crash: CrashPlan | undefined,
    /** Faults and crashes are off on the last delivery Lambda or SQS makes: the event must get through. */
    readonly faultsAllowed: boolean,
  ) {}
}

/**
 * Serialises the AWS calls of concurrent invocations. A call waits for its turn; once the running
 * call has finished, every other chain has run its synchronous continuation (up to its next call or
 * its end) by the next macrotask, so the set of waiting calls is complete and the pick is a pure
 * function of the seed.
 */
export class Gate {
  private readonly waiting: (() => void)[] = [];
  private busy = false;
  private scheduled = false;

  constructor(private readonly rng: Rng) {}

  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  done(): void {
    this.busy = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.busy || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.busy || this.waiting.length === 0) return;
      const i = this.waiting.length === 1 ? 0 : this.rng.int(this.waiting.length);
      const [go] = this.waiting.splice(i, 1);
      this.busy = true;
      go?.();
    });
  }
}

/** Which faults a call may meet, by service: error name and HTTP status, as the SDK reports them. */
const FAULTS: Record<string, readonly [string, number][]> = {
  DynamoDB: [
    ['ProvisionedThroughputExceededException', 400],
    ['ThrottlingException', 400],
    ['InternalServerError', 500],
  ],
  ECS: [
    ['ThrottlingException', 400],
    ['ServerException', 500],
  ],
  SQS: [['InternalError', 500]],
  EventBridge: [
    ['ThrottlingException', 400],
    ['InternalException', 500],
  ],
  SNS: [
    ['ThrottledException', 400],
    ['InternalErrorException', 500],
  ],
  Webhook: [['WebhookError', 503]],
};

/** Calls whose effect can happen while the answer is lost (a write, or a RunTask). */
const WRITES = /^(Put|Update|Delete|RunTask|StopTask|SendMessageBatch|PutEvents|Publish|Post)/;

export interface FaultCounts {
  injected: number;
  byKind: Record<string, number>;
}

/** Draws faults for calls at the history's rate, and counts them by service, name and phase. */
export class FaultInjector {
  private seq = 0;
  readonly counts: FaultCounts = { injected: 0, byKind: {} };

  constructor(
    private readonly rng: Rng,
    readonly rate: number,
  ) {}

  private token(): string {
    return `fault#${++this.seq}`;
  }

  private count(f: InjectedFault): void {
    this.counts.injected++;
    const k = `${f.service} ${f.name} (${f.phase})`;
    this.counts.byKind[k] = (this.counts.byKind[k] ?? 0) + 1;
  }

  /** A fault for this call, or none. */
  draw(inv: Invocation, service: string, command: string): { fault: InjectedFault; error: Error } | undefined {
    if (!inv.faultsAllowed || !this.rng.chance(this.rate)) return undefined;
    const [name, status] = this.rng.pick(FAULTS[service] ?? [['InternalError', 500]]);
    const write = WRITES.test(command);
    const roll = this.rng.next();
    const phase: FaultPhase = !write || roll < 0.6 ? 'before' : roll < 0.8 ? 'after' : 'retried';
    const fault = { token: this.token(), service, command, name, phase };
    this.count(fault);
    return {
      fault,
      error: sdkError(name, `${name}: injected ${fault.token} (${service} ${command}, ${phase})`, status),
    };
  }

  /** A refused entry of a batch (PutEvents, SendMessageBatch): its code and message, or none. */
  entry(inv: Invocation, service: string, command: string, code: string): InjectedFault | undefined {
    if (!inv.faultsAllowed || !this.rng.chance(this.rate)) return undefined;
    const fault = { token: this.token(), service, command, name: code, phase: 'partial' as const };
    this.count(fault);
    inv.faults.push(fault);
    return fault;
  }
}

export interface CallLog {
  service: string;
  command: string;
}

/**
 * The port wrapper: `send` of a client whose calls belong to `inv`. `real` does the call (the local
 * engine for DynamoDB, the world's simulation for the others).
 */
export const gatedSend =
  (
    deps: { gate: Gate; faults: FaultInjector; onCall?: (c: CallLog, inv: Invocation) => void },
    inv: Invocation,
    service: string,
    real: (command: { constructor: { name: string }; input?: unknown }) => Promise<unknown>,
  ) =>
  async (command: { constructor: { name: string }; input?: unknown }): Promise<unknown> => {
    const name = command.constructor.name.replace(/Command$/, '');
    await deps.gate.turn();
    try {
      if (inv.dead) throw new LambdaDiedError(`the invocation died before ${service} ${name}`);
      inv.calls++;
      const call = inv.calls;
      const die = (when: 'before' | 'after') => {
        inv.dead = true;
        inv.died = { service, command: name, when, call };
        return new LambdaDiedError(`Lambda died ${when} ${service} ${name} (call ${call})`);
      };
      if (inv.crash?.call === call && inv.crash.when === 'before') throw die('before');
      deps.onCall?.({ service, command: name }, inv);
      const drawn = deps.faults.draw(inv, service, name);
      if (drawn?.fault.phase === 'before') {
        inv.faults.push(drawn.fault);
        throw drawn.error;
      }
      let result = await real(command);
      if (drawn?.fault.phase === 'retried') {
        inv.retried++;
        result = await real(command);
      }
      if (drawn?.fault.phase === 'after') {
        inv.faults.push(drawn.fault);
        throw drawn.error;
      }
      if (inv.crash?.call === call && inv.crash.when === 'after') throw die('after');
      return result;
    } finally {
      deps.gate.done();
    }
  };
