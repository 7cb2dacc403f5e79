/** How `longshore invoke` prints its report (lib/local/invokeReport.ts builds it). */
import type { InvokeReport } from '../local/invokeReport.ts';
import type { Output } from './Output.ts';

/** JSON for display: Sets (DynamoDB string sets) as arrays, undefined as "-". */
export const display = (v: unknown): string =>
  typeof v === 'string' ? v : (JSON.stringify(v, (_k, x) => (x instanceof Set ? [...x] : x)) ?? '-');

const short = (v: unknown, max = 160): string => {
  const s = display(v);
  return s.length > max ? `${s.slice(0, max)}...` : s;
};

export const printInvokeReport = (out: Output, r: InvokeReport): void => {
  out.line(
    `${out.c.bold(`invoke ${r.function}`)} ${out.c.dim(r.eventFile)}  ${r.ok ? out.c.green('ok') : out.c.red('error')}`,
  );
  out.line();
  out.line(out.c.bold(`AWS calls (${r.awsCalls.length})`));
  r.awsCalls.forEach((c, i) => {
    out.line(`  ${String(i + 1).padStart(2)}. ${c.service} ${c.command}`);
    out.line(`      ${out.c.dim(short(c.input, 600))}`);
  });
  out.line();
  out.line(out.c.bold(`Records (${r.records.length})`));
  for (const rec of r.records) {
    out.line(`  ${rec.kind.padEnd(8)} ${rec.key}`);
    if (rec.kind === 'changed')
      for (const [attr, [a, b]] of Object.entries(rec.changes ?? {}))
        out.line(`           ${attr}: ${out.c.dim(short(a, 80))} -> ${short(b, 120)}`);
    if (rec.kind === 'created' && rec.item)
      out.line(
        `           ${out.c.dim(short(Object.fromEntries(Object.entries(rec.item).filter(([k]) => !['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].includes(k))), 400))}`,
      );
  }
  out.line();
  out.line(out.c.bold(`Events published (${r.eventsPublished.length})`));
  for (const e of r.eventsPublished) out.line(`  ${e.detailType}  ${out.c.dim(short(e.detail, 200))}`);
  if (r.alerts.length > 0) {
    out.line();
    out.line(out.c.bold(`Alerts (${r.alerts.length})`));
    for (const a of r.alerts) out.line(`  ${a.subject}`);
    for (const w of r.webhooks)
      out.line(`  webhook of route '${w.route}' (its URL is the value of secret ${w.secret})`);
  }
  if (r.tasks.length > 0) {
    out.line();
    out.line(out.c.bold('Tasks RunTask returned (use them in follow-up events)'));
    for (const t of r.tasks) out.line(`  ${t.taskArn}  startedBy ${t.startedBy}`);
  }
  out.line();
  out.line(out.c.bold('Result'));
  out.line(`  ${r.ok ? short(r.result, 2000) : out.c.red(`${r.error?.name}: ${r.error?.message}`)}`);
  if (r.followUps.length > 0) {
    out.line();
    out.line(out.c.bold('Next'));
    for (const f of r.followUps) out.line(`  ${f.what}:\n    ${out.c.cyan(f.command)}`);
  }
};
