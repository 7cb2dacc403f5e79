/**
 * A Lambda instance for the warm benchmark: loads one bundle (a deployed handler or a floor) and
 * invokes it on the events the parent sends over IPC, one at a time as Lambda does, measuring each
 * invocation's wall time and CPU time (`process.cpuUsage`, the whole process) and the peak RSS.
 * Before each event it tells the local endpoint which event the next requests belong to (outside
 * the measured window). Setup between events is the parent's, straight to DynamoDB Local.
 */
import { pathToFileURL } from 'node:url';

type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

interface RunMessage {
  type: 'run';
  who: string;
  first: number;
  events: unknown[];
}

let handler: Handler | undefined;
const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB as string;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench';
const memory = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256';
let invocations = 0;

const context = (): Record<string, unknown> => {
  const id = `bench-${process.pid}-${invocations++}`;
  const deadline = Date.now() + 60_000;
  return {
    awsRequestId: id,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: memory,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
};

const mark = async (who: string, event: number) => {
  const res = await fetch(`${endpoint}/__bench/mark?who=${encodeURIComponent(who)}&event=${event}`);
  await res.text();
};

/** A short, comparable summary of what the handler returned (the parent checks it). */
const summarize = (result: unknown): unknown => {
  if (result === undefined || result === null) return result;
  const text = JSON.stringify(result, (_k, v) => (v instanceof Set ? [...v] : v));
  return text.length > 2000 ? JSON.parse(JSON.stringify({ truncated: text.slice(0, 2000) })) : JSON.parse(text);
};

process.on('message', async (raw) => {
  const msg = raw as { type: string; bundle?: string; who?: string; first?: number; events?: unknown[] };
  try {
    if (msg.type === 'load') {
      const t0 = performance.now();
      const mod = (await import(pathToFileURL(msg.bundle as string).href)) as { handler: Handler };
      handler = mod.handler;
      process.send?.({ type: 'loaded', initMs: performance.now() - t0 });
      return;
    }
    if (msg.type === 'run' && handler) {
      const run = msg as unknown as RunMessage;
      const wall: number[] = [];
      const cpu: number[] = [];
      const results: unknown[] = [];
      const errors: string[] = [];
      for (let i = 0; i < run.events.length; i++) {
        await mark(run.who, run.first + i);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        let result: unknown;
        try {
          result = await handler(run.events[i], context());
        } catch (e) {
          errors.push(`event ${run.first + i}: ${(e as Error).name}: ${(e as Error).message}`);
        }
        const t1 = performance.now();
        const c = process.cpuUsage(c0);
        wall.push(t1 - t0);
        cpu.push((c.user + c.system) / 1000);
        results.push(summarize(result));
      }
      process.send?.({
        type: 'ran',
        wall,
        cpu,
        results,
        errors,
        rss: process.memoryUsage().rss,
        maxRssKb: process.resourceUsage().maxRSS,
      });
      return;
    }
    if (msg.type === 'exit') process.exit(0);
  } catch (e) {
    process.send?.({ type: 'error', message: String((e as Error).stack ?? e) });
  }
});
process.send?.({ type: 'ready' });
