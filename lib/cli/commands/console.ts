/**
 * `longshore console [--port P]`: the runs in a browser, served by this process on 127.0.0.1 over
 * the same backend as every other command (the running local flow, the local store, or a stage
 * with --stage). It prints the URL to open, with its token (lib/cli/console/guard.ts), and serves
 * until Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CommandContext, localLogsDir, requester, withBackend } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';

/** The console's port unless --port says otherwise (a busy one falls back to any free port). */
export const DEFAULT_CONSOLE_PORT = 7357;

const portOf = (text: string): number => {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port '${text}' must be a port number, 0-65535 (0: any free port)`, EXIT.invalid);
  return port;
};

export const registerConsoleCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('console')
    .description(
      'the runs in a browser: jobs, runs (live), a run with its attempts and decisions, the policy simulator',
    )
    .option('--port <port>', `port on 127.0.0.1 (0: any free port; default ${DEFAULT_CONSOLE_PORT}, else any free one)`)
    .action(async (opts: { port?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const port = opts.port !== undefined ? portOf(opts.port) : undefined;
      const catalog = await ctx.loadCatalog(g.catalog);
      const { startConsole } = await import('../console/server.ts');
      await withBackend(g, async (backend) => {
        const options = {
          backend,
          catalog,
          stage: g.stage && !g.local ? g.stage : 'dev',
          requester: requester(),
          ...(existsSync(resolve('events')) ? { eventsDir: resolve('events') } : {}),
          ...(backend.local ? { localLogsDir: localLogsDir(backend, g) as string } : {}),
          onRefused: (what: string) => process.stderr.write(`longshore console: refused ${what}\n`),
          onError: (e: Error) => process.stderr.write(`longshore console: ${e.stack ?? e.message}\n`),
        };
        let running: Awaited<ReturnType<typeof startConsole>>;
        try {
          running = await startConsole({ ...options, port: port ?? DEFAULT_CONSOLE_PORT });
        } catch (e) {
          if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
          if (port !== undefined) throw new CliError(`port ${port} on 127.0.0.1 is in use; try --port 0`, EXIT.backend);
          running = await startConsole({ ...options, port: 0 });
        }
        if (o.json) o.document({ url: running.url, port: running.port, backend: backend.label });
        else {
          o.line(
            `${o.c.bold('longshore console')}  ${o.c.dim(`${backend.label}; only this machine, only with the token`)}`,
          );
          o.line(`  ${o.c.cyan(running.url)}`);
          if (backend.label.startsWith('local ('))
            o.line(
              o.c.dim(
                'No local flow is running: the console reads the store itself (start `npm start` first to watch runs move; it cannot open the store while this runs).',
              ),
            );
          o.line(o.c.dim('Ctrl-C to stop.'));
        }
        await new Promise<void>((done) => {
          process.once('SIGINT', () => done());
          process.once('SIGTERM', () => done());
        });
        await running.close();
      });
    });
};
