// The longshore console's page script: small progressive enhancement of pages made on the server.
// - times in the browser's own zone, with their age;
// - the live part of a page ([data-poll]) refreshed from its URL: every second while it changes,
//   backing off to 15 s while it does not (an unchanged answer is a 304), paused in a hidden tab;
// - actions (retry, cancel): confirmed in a dialog (a retry with the changes the job allows),
//   POSTed with the page's CSRF token, answered in words;
// - Explain: a pasted event posted and its explanation shown.
// Every page works without it, except the actions, which need the CSRF header.

const csrf = document.querySelector('meta[name="longshore-csrf"]')?.getAttribute('content') ?? '';
const FAST_MS = 1000;
const SLOW_MS = 15000;

const pad = (n) => String(n).padStart(2, '0');
const age = (ms) => {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 0) return `in ${Math.round(-s / 60)}m`;
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
};

/** `<time>` in local time: "09:00:05" today, else "Nov 21 09:00"; the UTC time and the age as its title. */
const localTimes = (root) => {
  const today = new Date().toDateString();
  for (const el of root.querySelectorAll('time[datetime]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    el.textContent =
      d.toDateString() === today
        ? `${hm}:${pad(d.getSeconds())}`
        : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric' })} ${hm}`;
    el.title = `${el
      .getAttribute('datetime')
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z')} (${age(d.getTime())})`;
  }
};

const post = async (url, body) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-longshore-csrf': csrf },
    body: JSON.stringify(body),
  });
  return res;
};

// -- Live parts ---------------------------------------------------------------------------------
let etag;
let delay = FAST_MS;
let timer;
const dialog = () => document.querySelector('dialog[open]');

const poll = async () => {
  timer = undefined;
  const el = document.querySelector('[data-poll]');
  if (!el) return;
  if (document.hidden || dialog()) return schedule(FAST_MS);
  const status = document.querySelector('.live');
  try {
    const res = await fetch(el.dataset.poll, { headers: etag ? { 'if-none-match': etag } : {}, cache: 'no-store' });
    if (res.status === 304) delay = Math.min(SLOW_MS, delay * 1.5);
    else if (res.ok) {
      etag = res.headers.get('etag') ?? undefined;
      const text = await res.text();
      const fresh = document.querySelector('[data-poll]');
      if (fresh && !dialog()) {
        fresh.outerHTML = text;
        localTimes(document);
      }
      delay = FAST_MS;
    } else throw new Error(`HTTP ${res.status}`);
    const live = document.querySelector('.live');
    if (live) live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    delay = SLOW_MS;
    if (status) status.textContent = `not updating (${e.message}); retrying`;
  }
  schedule(delay);
};
const schedule = (ms) => {
  if (timer === undefined) timer = setTimeout(poll, ms);
};
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    delay = FAST_MS;
    clearTimeout(timer);
    timer = undefined;
    schedule(0);
  }
});

// -- Actions ------------------------------------------------------------------------------------
const say = (node) => {
  const out = document.getElementById('action-result');
  if (!out) return;
  out.replaceChildren(node);
  out.hidden = false;
};
const text = (s, cls) => {
  const p = document.createElement('span');
  p.textContent = s;
  if (cls) p.className = cls;
  return p;
};

/**
 * A retry's changes from the confirm dialog's fields (the job's allowed ones, see runPage.ts):
 * `{ overrides }`, or `{ error }` naming the field.
 */
const changesOf = (form) => {
  const overrides = {};
  for (const name of ['cpu', 'memory']) {
    const v = form.querySelector(`[name="${name}"]`)?.value.trim();
    if (!v) continue;
    if (!/^\d+$/.test(v)) return { error: `${name}: '${v}' is not a whole number` };
    overrides[name] = Number(v);
  }
  const env = form.querySelector('[name="environment"]')?.value ?? '';
  const lines = env.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 0) {
    overrides.environment = [];
    for (const l of lines) {
      const at = l.indexOf('=');
      if (at <= 0) return { error: `environment: '${l}' is not NAME=value` };
      overrides.environment.push({ name: l.slice(0, at).trim(), value: l.slice(at + 1) });
    }
  }
  const command = form.querySelector('[name="command"]')?.value.trim();
  if (command) {
    let parsed;
    try {
      parsed = JSON.parse(command);
    } catch {
      return { error: 'command: not JSON (write it as ["program", "argument"])' };
    }
    if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== 'string'))
      return { error: 'command: must be a JSON array of strings' };
    overrides.command = parsed;
  }
  return { overrides };
};

/** The client token for these changes: the page's own, plus a digest of the changes when there are some. */
const tokenFor = async (token, overrides) => {
  if (Object.keys(overrides).length === 0) return token;
  const bytes = new TextEncoder().encode(JSON.stringify(overrides));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `${token}.${Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, '0')).join('')}`;
};

const act = async (button, form) => {
  const { action, run, token } = button.dataset;
  let body = {};
  if (action === 'retry') {
    const changes = form ? changesOf(form) : { overrides: {} };
    if (changes.error) return say(text(`retry not sent: ${changes.error}`, 'error'));
    body = {
      ...(token ? { clientToken: await tokenFor(token, changes.overrides) } : {}),
      ...(Object.keys(changes.overrides).length > 0 ? { overrides: changes.overrides } : {}),
      ...(button.dataset.failed === '1' ? { failed: true } : {}),
    };
  }
  const res = await post(`/runs/${encodeURIComponent(run)}/${action}`, body);
  const answer = await res.json().catch(() => ({ ok: false, error: { message: `HTTP ${res.status}` } }));
  if (!answer.ok) return say(text(`${action} refused: ${answer.error?.message ?? res.status}`, 'error'));
  if (action === 'retry') {
    const span = text(`${answer.created ? 'Created' : 'Found'} run `, 'ok');
    const a = document.createElement('a');
    a.href = `/runs/${encodeURIComponent(answer.runId)}`;
    a.textContent = answer.runId;
    a.id = 'new-run';
    span.append(
      a,
      ` (${answer.status}), a retry of ${body.failed ? `the items that did not succeed in ${run}` : run}${body.overrides ? ' with changes' : ''}.`,
    );
    return say(span);
  }
  say(text(`Run ${answer.runId} is ${answer.status}.`, 'ok'));
  etag = undefined;
  clearTimeout(timer);
  timer = undefined;
  schedule(0);
};

document.addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
  if (!button) return;
  const d = document.getElementById('confirm');
  if (!d) return;
  d.querySelector('.confirm-text').textContent = button.dataset.confirm ?? `${button.dataset.action}?`;
  // A retry's allowed changes (a template beside its button) go into the dialog, empty each time.
  const slot = d.querySelector('.overrides');
  const changes = button.dataset.action === 'retry' ? document.getElementById('retry-changes') : null;
  slot?.replaceChildren(...(changes ? [changes.content.cloneNode(true)] : []));
  d.returnValue = '';
  d.onclose = () => {
    if (d.returnValue === 'ok')
      act(button, slot).catch((err) => say(text(`${button.dataset.action} failed: ${err.message}`, 'error')));
  };
  d.showModal();
});

// -- Explain ------------------------------------------------------------------------------------
const explainForm = document.getElementById('explain-form');
explainForm?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const out = document.getElementById('explain-result');
  const data = new FormData(explainForm);
  const res = await post('/explain', { event: String(data.get('event') ?? ''), run: String(data.get('run') ?? '') });
  if (res.ok) out.innerHTML = await res.text();
  else {
    const answer = await res.json().catch(() => ({ error: { message: `HTTP ${res.status}` } }));
    out.replaceChildren(text(answer.error?.message ?? `HTTP ${res.status}`, 'error'));
  }
});

localTimes(document);
schedule(FAST_MS);
