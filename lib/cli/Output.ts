/**
 * How the CLI speaks: tables and colour for people on a terminal, plain aligned text when piped,
 * one JSON document with --json. Every line the CLI prints goes through an Output.
 */
import Table from 'cli-table3';
import pc from 'picocolors';

export interface OutputOptions {
  json: boolean;
  color: boolean;
  tty: boolean;
}

/** Colour escape sequences, to measure text as it shows. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export class Output {
  constructor(
    readonly opts: OutputOptions,
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
  ) {}

  get json(): boolean {
    return this.opts.json;
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** One JSON document (the whole answer of a --json command). */
  document(value: unknown): void {
    this.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  c = {
    bold: (s: string) => (this.opts.color ? pc.bold(s) : s),
    dim: (s: string) => (this.opts.color ? pc.dim(s) : s),
    green: (s: string) => (this.opts.color ? pc.green(s) : s),
    red: (s: string) => (this.opts.color ? pc.red(s) : s),
    yellow: (s: string) => (this.opts.color ? pc.yellow(s) : s),
    cyan: (s: string) => (this.opts.color ? pc.cyan(s) : s),
  };

  /** A status word in its colour. */
  status(s: string): string {
    if (s === 'SUCCEEDED') return this.c.green(s);
    if (['FAILED', 'TIMED_OUT', 'LAUNCH_FAILED'].includes(s)) return this.c.red(s);
    if (['CANCELLED', 'CANCELLING', 'SKIPPED', 'RETRYING', 'QUEUED'].includes(s)) return this.c.yellow(s);
    return this.c.cyan(s);
  }

  /** A table with borders on a terminal; aligned columns separated by two spaces otherwise. */
  table(head: string[], rows: string[][]): void {
    if (this.opts.tty) {
      const t = new Table({ head: head.map((h) => this.c.bold(h)), style: { head: [], border: [] }, wordWrap: true });
      t.push(...rows);
      this.line(t.toString());
      return;
    }
    const strip = (s: string) => s.replace(ANSI, '');
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => strip(r[i] ?? '').length)));
    const fmt = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - strip(c).length)))
        .join('  ')
        .trimEnd();
    this.line(fmt(head));
    for (const r of rows) this.line(fmt(r));
  }

  /** Label: value lines, aligned. */
  fields(pairs: [string, string | undefined][]): void {
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs)
      if (v !== undefined && v !== '') this.line(`${this.c.dim(`${k}:`.padEnd(width + 1))} ${v}`);
  }
}

export const outputFor = (flags: { json?: boolean; color?: boolean }): Output => {
  const tty = process.stdout.isTTY === true && !flags.json;
  const color = tty && flags.color !== false && !('NO_COLOR' in process.env);
  return new Output({ json: flags.json === true, color, tty });
};
