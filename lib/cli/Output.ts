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
  /** The terminal's columns (tables on a terminal fit them); unknown when piped. */
  width?: number;
}

/** Tables never squeeze below this: a narrower terminal wraps them as it would any line. */
export const MIN_TABLE_WIDTH = 80;

/** Colour escape sequences, to measure text as it shows. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export class Output {
  /** picocolors decides by its own look at the process; the Output has already decided (opts.color). */
  private readonly pc = pc.createColors(true);

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
    bold: (s: string) => (this.opts.color ? this.pc.bold(s) : s),
    dim: (s: string) => (this.opts.color ? this.pc.dim(s) : s),
    green: (s: string) => (this.opts.color ? this.pc.green(s) : s),
    red: (s: string) => (this.opts.color ? this.pc.red(s) : s),
    yellow: (s: string) => (this.opts.color ? this.pc.yellow(s) : s),
    cyan: (s: string) => (this.opts.color ? this.pc.cyan(s) : s),
  };

  /** A status word in its colour, then padded to `width` (the colour is looked up on the word itself). */
  status(s: string, width = 0): string {
    return this.statusColour(s) + ' '.repeat(Math.max(0, width - s.length));
  }

  private statusColour(s: string): string {
    if (s === 'SUCCEEDED') return this.c.green(s);
    if (['FAILED', 'TIMED_OUT', 'LAUNCH_FAILED'].includes(s)) return this.c.red(s);
    if (['CANCELLED', 'CANCELLING', 'SKIPPED', 'RETRYING', 'QUEUED', 'PAUSED'].includes(s)) return this.c.yellow(s);
    return this.c.cyan(s);
  }

  /**
   * A table with borders on a terminal, within its width; aligned columns separated by two spaces
   * otherwise, one row per line (a cell's line breaks become "; ", so `| cut`, `| grep` see rows).
   */
  table(head: string[], rows: string[][]): void {
    const strip = (s: string) => s.replace(ANSI, '');
    if (this.opts.tty) {
      const t = new Table({
        head: head.map((h) => this.c.bold(h)),
        style: { head: [], border: [] },
        wordWrap: true,
        wrapOnWordBoundary: false,
        colWidths: columnWidths(
          head.map((h, i) => [h, ...rows.map((r) => r[i] ?? '')].map(strip)),
          Math.max(MIN_TABLE_WIDTH, this.opts.width ?? MIN_TABLE_WIDTH),
        ),
      });
      t.push(...rows);
      this.line(t.toString());
      return;
    }
    rows = rows.map((r) => r.map((c) => c.replace(/\s*\n\s*/g, '; ')));
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

/**
 * Column widths (cli-table3's, each with its 2 characters of padding) that fit `total` columns
 * with the borders: each column wants its longest line; when they do not fit, the widest columns
 * give up room first, down to the width of the others, so short columns (status, attempt) keep theirs.
 */
export const columnWidths = (columns: string[][], total: number): number[] => {
  const want = columns.map((cells) => Math.max(3, ...cells.flatMap((c) => c.split('\n').map((l) => l.length))) + 2);
  const room = total - (columns.length + 1);
  const widths = [...want];
  while (widths.reduce((a, b) => a + b, 0) > room) {
    const widest = Math.max(...widths);
    if (widest <= 5) break;
    const i = widths.indexOf(widest);
    widths[i] = widest - 1;
  }
  return widths;
};

export const outputFor = (flags: { json?: boolean; color?: boolean }): Output => {
  const tty = process.stdout.isTTY === true && !flags.json;
  const color = tty && flags.color !== false && !('NO_COLOR' in process.env);
  return new Output({
    json: flags.json === true,
    color,
    tty,
    ...(tty && process.stdout.columns ? { width: process.stdout.columns } : {}),
  });
};
