/**
 * Virtual time for a whole process: `Date`, `setTimeout`/`setInterval` (global and `node:timers`)
 * run on a simulated clock that moves only when the process has nothing else to do. Real I/O (HTTP
 * to DynamoDB Local and to the local AWS endpoint) is tracked, so the clock never jumps while a
 * request is on the wire: it jumps to the next timer only once every request in flight is parked
 * on a simulated delay (`park`) and the event loop is idle.
 *
 * Install it before any code that captures `setTimeout` is loaded (the SDK's adaptive retry keeps a
 * reference): the simulation imports the deployed bundles after `installVirtualTime()`.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

interface Timer {
  id: number;
  at: number;
  seq: number;
  fn: (...args: unknown[]) => void;
  args: unknown[];
  repeat?: number;
  cleared: boolean;
}

export interface VirtualTime {
  /** Simulated epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of simulated time (a delay that is not real work). */
  sleep(ms: number): Promise<void>;
  /** Marks real work that the clock must wait for; call the returned function when it is done. */
  busy(): () => void;
  /** A request in flight waits for a simulated delay: the clock may move meanwhile. */
  park<T>(ms: number, then: () => T): Promise<T>;
  /**
   * Runs timers until none is left (or `stop` says so); returns the final time. Timers due within
   * `quantumMs` of the next one fire together, so their real I/O overlaps (each callback still sees
   * its own due time; what it starts may complete up to a quantum late).
   */
  run(opts?: { stop?: () => boolean; quantumMs?: number }): Promise<number>;
  /** Timers scheduled and not yet fired. */
  pending(): number;
  /** How the clock has been driven (for the simulation's own cost). */
  stats(): { settles: number; turns: number; fired: number; busyWaits: number };
  /** The real clock, for wall time. */
  realNow(): number;
}

const req = createRequire(import.meta.url);

export const installVirtualTime = (startMs: number): VirtualTime => {
  const RealDate = Date;
  const realSetImmediate = setImmediate;
  const realSetTimeout = setTimeout;
  const realClearTimeout = clearTimeout;
  const realPerformanceNow = performance.now.bind(performance);
  let now = startMs;
  let seq = 0;
  let ids = 1;
  const heap: Timer[] = [];
  const byId = new Map<number, Timer>();
  let busyCount = 0;
  let idleWaiters: (() => void)[] = [];

  const less = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  const push = (t: Timer) => {
    heap.push(t);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i] as Timer, heap[p] as Timer)) break;
      [heap[i], heap[p]] = [heap[p] as Timer, heap[i] as Timer];
      i = p;
    }
  };
  const pop = (): Timer | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l] as Timer, heap[m] as Timer)) m = l;
        if (r < heap.length && less(heap[r] as Timer, heap[m] as Timer)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Timer, heap[i] as Timer];
        i = m;
      }
    }
    return top;
  };

  /** What `setTimeout` returns: enough of Node's Timeout for the SDK, middy and Powertools. */
  class VirtualTimeout {
    constructor(readonly id: number) {}
    ref() {
      return this;
    }
    unref() {
      return this;
    }
    hasRef() {
      return true;
    }
    refresh() {
      const t = byId.get(this.id);
      if (t && !t.cleared) {
        t.cleared = true;
        const fresh: Timer = { ...t, at: now + (t.repeat ?? 0), seq: seq++, cleared: false };
        byId.set(this.id, fresh);
        push(fresh);
      }
      return this;
    }
    close() {
      clear(this);
    }
    [Symbol.toPrimitive]() {
      return this.id;
    }
  }

  const schedule = (fn: unknown, ms: unknown, args: unknown[], repeat: boolean): VirtualTimeout => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    // As Node does: a delay under 1 ms (or not a number) is 1 ms (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args).
    // Without it a loop that waits for a fraction of a token (the SDK's adaptive retry limiter,
    // once ECS throttles) schedules timers that never move an epoch-milliseconds clock, and the
    // simulation spins at one instant.
    const n = Number(ms);
    const delay = n >= 1 && n <= 2_147_483_647 ? n : 1;
    const id = ids++;
    const t: Timer = {
      id,
      at: now + delay,
      seq: seq++,
      fn: fn as Timer['fn'],
      args,
      cleared: false,
      ...(repeat ? { repeat: Math.max(1, delay) } : {}),
    };
    byId.set(id, t);
    push(t);
    return new VirtualTimeout(id);
  };
  const clear = (handle: unknown) => {
    if (handle === undefined || handle === null) return;
    const id = typeof handle === 'object' ? (handle as VirtualTimeout).id : Number(handle);
    const t = byId.get(id);
    if (t) {
      t.cleared = true;
      byId.delete(id);
    }
  };

  const vSetTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => schedule(fn, ms, args, false);
  const vSetInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => schedule(fn, ms, args, true);

  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now);
      else super(...(args as [string]));
    }
    static override now() {
      return now;
    }
  }

  const g = globalThis as Record<string, unknown>;
  g.Date = VirtualDate;
  g.setTimeout = vSetTimeout;
  g.clearTimeout = clear;
  g.setInterval = vSetInterval;
  g.clearInterval = clear;
  const timers = req('node:timers') as Record<string, unknown>;
  timers.setTimeout = vSetTimeout;
  timers.clearTimeout = clear;
  timers.setInterval = vSetInterval;
  timers.clearInterval = clear;

  // Every HTTP request is real work until its response has been read to the end.
  const busy = (): (() => void) => {
    busyCount++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      busyCount--;
      if (busyCount === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    };
  };
  const http = req('node:http') as Record<string, unknown>;
  const realRequest = http.request as (...a: unknown[]) => import('node:http').ClientRequest;
  http.request = (...a: unknown[]) => {
    const done = busy();
    const r = realRequest(...a);
    r.once('response', (res: import('node:http').IncomingMessage) => {
      res.once('end', done);
      res.once('close', done);
      res.once('error', done);
    });
    r.once('error', done);
    let answered = false;
    r.once('response', () => {
      answered = true;
    });
    r.once('close', () => {
      // A request closed without a response (aborted) is done too; with one, 'end' decides.
      if (!answered) done();
    });
    return r;
  };
  syncBuiltinESMExports();

  const ioPending = () =>
    process
      .getActiveResourcesInfo()
      .some((k) => k.startsWith('FSReq') || k.startsWith('GetAddrInfo') || k === 'FileHandleCloseReq');

  const stats = { settles: 0, turns: 0, fired: 0, busyWaits: 0 };
  /** Waits until no request is in flight and the event loop went round with nothing new. */
  const settle = async (): Promise<void> => {
    stats.settles++;
    let quietTurns = 0;
    let turns = 0;
    while (quietTurns < 3) {
      if (busyCount > 0) {
        const stuck = process.env.BENCH_SIM_PROGRESS
          ? realSetTimeout(() => {
              process.stderr.write(
                `virtual time: ${busyCount} request(s) busy for 10 s of real time at ${new RealDate(now).toISOString()}: ${process.getActiveResourcesInfo().join(',')}\n`,
              );
            }, 10_000)
          : undefined;
        stats.busyWaits++;
        await new Promise<void>((resolve) => idleWaiters.push(resolve));
        if (stuck) realClearTimeout(stuck);
        quietTurns = 0;
        continue;
      }
      await new Promise((r) => realSetImmediate(r));
      stats.turns++;
      if (busyCount === 0 && !ioPending()) quietTurns++;
      else quietTurns = 0;
      if (process.env.BENCH_SIM_PROGRESS && ++turns % 200_000 === 0)
        process.stderr.write(
          `virtual time: not settling (${busyCount} busy): ${process.getActiveResourcesInfo().join(',')}\n`,
        );
    }
  };

  const fire = (t: Timer) => {
    stats.fired++;
    if (t.repeat !== undefined) {
      const next: Timer = { ...t, at: t.at + t.repeat, seq: seq++ };
      byId.set(t.id, next);
      push(next);
    } else {
      byId.delete(t.id);
    }
    try {
      t.fn(...t.args);
    } catch (e) {
      process.emitWarning(`virtual timer callback threw: ${(e as Error).stack ?? String(e)}`);
    }
  };

  return {
    now: () => now,
    realNow: realPerformanceNow,
    sleep: (ms) => new Promise((resolve) => vSetTimeout(resolve, ms)),
    busy,
    park: (ms, then) => {
      const done = parkStart();
      return new Promise((resolve, reject) =>
        vSetTimeout(() => {
          done();
          try {
            resolve(then());
          } catch (e) {
            reject(e);
          }
        }, ms),
      );
    },
    pending: () => byId.size,
    stats: () => ({ ...stats }),
    run: async (opts = {}) => {
      const quantum = opts.quantumMs ?? 0;
      for (;;) {
        await settle();
        if (opts.stop?.()) return now;
        let t = heap[0];
        while (t?.cleared) {
          pop();
          t = heap[0];
        }
        if (!t) return now;
        const horizon = Math.max(now, t.at) + quantum;
        // Fire everything due by the horizon, in order, then let the work it started settle.
        while (heap[0] && ((heap[0] as Timer).cleared || (heap[0] as Timer).at <= horizon)) {
          const due = pop() as Timer;
          if (due.cleared) continue;
          if (due.at > now) now = due.at;
          fire(due);
        }
      }
    },
  };

  /** A parked request is not real work until its delay is over (then it is again, until answered). */
  function parkStart(): () => void {
    busyCount--;
    if (busyCount === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
    return () => {
      busyCount++;
    };
  }
};
