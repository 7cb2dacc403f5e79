/** The CLI in this process (`main`), its stdout and stderr captured: quicker than a process of its own. */
import { vi } from 'vitest';
import { main } from '../../lib/cli/main.ts';

export interface CapturedRun {
  code: number;
  out: string;
  err: string;
}

export const runMain = async (args: string[]): Promise<CapturedRun> => {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    err += String(c);
    return true;
  });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
};
