/**
 * The logger's lines while a test runs: the logger prints through `console` in dev mode
 * (POWERTOOLS_DEV, test/setup.ts), so the console methods are spied and each line parsed.
 */
import { vi } from 'vitest';
import { logger } from '../../lib/logger.ts';

export interface CapturedLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** Captures from now until `stop()`; `lines` fills as the code logs. */
export const captureLogs = () => {
  const lines: CapturedLine[] = [];
  const spies = (['debug', 'info', 'warn', 'error'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((text: unknown) => {
      lines.push(JSON.parse(String(text)) as CapturedLine);
    }),
  );
  logger.setLogLevel('DEBUG');
  return {
    lines,
    /** Lines at warn or error that mention `text` (in any field). */
    faultLines: (text: string) =>
      lines.filter((l) => (l.level === 'WARN' || l.level === 'ERROR') && JSON.stringify(l).includes(text)),
    stop: () => {
      logger.setLogLevel('SILENT');
      for (const s of spies) s.mockRestore();
    },
  };
};
