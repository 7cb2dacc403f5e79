#!/usr/bin/env node
// The longshore CLI: TypeScript sources run through tsx (no build step).
import { register } from 'tsx/esm/api';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `longshore needs Node 22 or later (this is ${process.version}); run it with npx or npm run, which use the project's Node 24.\n`,
  );
  process.exit(2);
}
// Handlers run in this process for local work: their JSON logs and metrics stay quiet unless asked for.
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LONGSHORE_LOCAL_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// `longshore runs show RUN | head -1`: the reader has gone, so what is left to print has nowhere to
// go. The command's answer was read as far as it was wanted; end quietly (no EPIPE stack trace).
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
