/** The frame of every console page: head (stylesheet, script, CSRF token), header, navigation. */
import { ASSETS } from './assets.ts';
import type { ConsoleContext, PageRequest } from './context.ts';
import { type Html, html } from './html.ts';

export type Section = 'runs' | 'jobs' | 'explain';

const NAV: [Section, string, string][] = [
  ['runs', '/runs', 'Runs'],
  ['jobs', '/jobs', 'Jobs'],
  ['explain', '/explain', 'Explain'],
];

export const layout = (
  ctx: ConsoleContext,
  req: PageRequest,
  opts: { title: string; section?: Section; body: Html },
): Html => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="longshore-csrf" content="${req.session.csrf}">
<title>${opts.title} · longshore</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS.css.path}">
<script type="module" src="${ASSETS.js.path}"></script>
</head>
<body>
<header class="top">
<a class="brand" href="/runs">longshore</a>
<nav>${NAV.map(([s, href, label]) => html`<a href="${href}"${s === opts.section ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
<span class="backend" title="where these runs are read">${ctx.backend.label}</span>
</header>
<main>
${opts.body}
</main>
</body>
</html>
`;

/** A refusal before any session (no stylesheet: assets need the session too), as a bare page. */
export const refusalPage = (status: number, message: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status} · longshore console</title><link rel="icon" href="data:,"></head>
<body><h1>${status}</h1><p>${html`${message}`}</p></body></html>
`;

/** An error inside a session (a bad parameter, a run that does not exist), in the frame. */
export const errorBody = (status: number, message: string): Html =>
  html`<h1>${status === 404 ? 'Not found' : status === 400 ? 'Not a valid request' : 'Something went wrong'}</h1><p class="error" role="alert">${message}</p>`;
