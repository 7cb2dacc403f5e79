/**
 * The console's two assets, shipped in the repository beside this file (no CDN: the console works
 * offline and behind a proxy) and served under names that carry their content hash, so a browser
 * may keep them for as long as it likes and a changed file is a new name.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
}

const load = (file: string, type: string): Asset => {
  const body = readFileSync(join(import.meta.dirname, 'assets', file));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = file.lastIndexOf('.');
  return { path: `/assets/${file.slice(0, dot)}.${hash}${file.slice(dot)}`, type, body };
};

export const ASSETS = {
  css: load('console.css', 'text/css; charset=utf-8'),
  js: load('console.js', 'text/javascript; charset=utf-8'),
} as const;
