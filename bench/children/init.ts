/**
 * One cold start: a fresh Node 24 process imports one bundle (module init: read, compile, evaluate
 * its top level) and prints how long that took, and how long Node took to get there.
 */
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2] as string;
const bootMs = performance.now();
await import(pathToFileURL(bundle).href);
const initMs = performance.now() - bootMs;
process.stdout.write(`${JSON.stringify({ bootMs, initMs, rssBytes: process.memoryUsage().rss })}\n`);
// A bundle may leave handles open (clients, timers): the measurement is done.
process.exit(0);
