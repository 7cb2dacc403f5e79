/** `longshore invoke FUNCTION EVENT_FILE`: one handler on one event, AWS mocked, the store embedded. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CommandContext, readJson } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import { printInvokeReport } from '../invokeView.ts';

export const registerInvokeCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('invoke')
    .description(
      'invoke a handler on an event file, AWS mocked, the store embedded; prints every AWS call, record change and event',
    )
    .argument('<function>', 'onUpload, onSchedule, control, launcher, onTaskStateChange, sweeper or alert')
    .argument('<event-file>', 'a JSON event (see events/)')
    .addHelpText(
      'after',
      '\nThe store persists between invocations in --state (default .longshore/invoke), so a sequence of invokes plays a whole run.',
    )
    .action(async (fn: string, file: string, _o, cmd: Command) => {
      const g = ctx.globals(cmd);
      // Its own store by default, apart from the local flow's (which may be running).
      const state = ctx.optionSource('state') === 'default' ? resolve(g.state, 'invoke') : g.state;
      const o = ctx.out(cmd);
      const { FUNCTION_KEYS, isFunctionKey } = await import('../../local/functionKeys.ts');
      if (!isFunctionKey(fn))
        throw new CliError(`Unknown function '${fn}'; use ${FUNCTION_KEYS.join(', ')}`, EXIT.invalid);
      const event = readJson(file);
      const { LocalRuntime } = await import('../../local/LocalRuntime.ts');
      const { invokeWithReport } = await import('../../local/invokeReport.ts');
      const rt = await LocalRuntime.start({
        mode: 'invoke',
        stateDir: state,
        ...(g.catalog ? { catalogFile: g.catalog } : {}),
      });
      try {
        const report = await invokeWithReport(rt, fn, event, file);
        if (o.json) o.document(report);
        else printInvokeReport(o, report);
        if (!report.ok) ctx.setExit(report.error?.name === 'InvalidEventError' ? EXIT.invalid : EXIT.internal);
      } finally {
        await rt.stop();
      }
    });
};
