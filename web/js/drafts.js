// drafts — nothing typed is lost. While a form is open, what is typed is kept
// encrypted in the vault (POST /api/drafts, debounced), so an idle lock, a
// closed tab, a crash or a power cut costs nothing: the form restores it when
// it is opened again, and the page offers it after unlocking. Typing anywhere
// counts as activity (POST /api/activity, throttled), so a long interview
// never hits the idle lock. A draft is discarded when its form is saved or
// abandoned (its Cancel button). Leaving a changed form any other way asks
// first (the draft stays). A language switch re-renders the form from the
// in-memory copy, so nothing is wiped.

import { h } from './dom.js';
import { t, formatTime } from './i18n.js';
import * as api from './api.js';

const SAVE_AFTER_MS = 1200; // quiet time after the last keystroke
const SAVE_AT_LEAST_MS = 8000; // while typing without a pause
let current = null; // {key, title, collect, dirty, timer, firstPending, saving}
let memo = null; // {key, data}: the open form's last state, for a re-render
let lastPing = 0;

// Called by a form page once its form is on screen. collect() returns the
// form's state (any JSON value). Returns a handle with saved() / abandoned().
export function attach(app, formEl, { key, title, collect }) {
  detach();
  const cur = { key, title, collect, dirty: false, timer: null, firstPending: 0 };
  current = cur;
  const changed = () => {
    if (current !== cur) return;
    cur.dirty = true;
    memo = { key, data: cur.collect() };
    const now = Date.now();
    if (!cur.firstPending) cur.firstPending = now;
    clearTimeout(cur.timer);
    const wait = now - cur.firstPending >= SAVE_AT_LEAST_MS ? 0 : SAVE_AFTER_MS;
    cur.timer = setTimeout(() => flush(app), wait);
  };
  formEl.addEventListener('input', changed);
  formEl.addEventListener('change', changed);
  // buttons that add or remove list items change the form without an input event
  formEl.addEventListener('click', (ev) => {
    if (ev.target.closest('button') && !ev.target.closest('[type=submit]')) setTimeout(changed, 0);
  });
  return {
    async saved() {
      await finish(cur);
    },
    async abandoned() {
      await finish(cur);
    },
    markDirty: changed,
  };
}

async function finish(cur) {
  clearTimeout(cur.timer);
  cur.dirty = false;
  if (current === cur) current = null;
  if (memo && memo.key === cur.key) memo = null;
  try {
    await api.post('/drafts/discard', { form: cur.key });
  } catch (e) {
    /* the draft stays and is offered again: nothing is lost */
  }
}

// Keeps the open form's draft now (before a lock, a page change).
export async function flush() {
  const cur = current;
  if (!cur || !cur.dirty) return;
  clearTimeout(cur.timer);
  cur.firstPending = 0;
  const data = JSON.stringify(cur.collect());
  try {
    await api.post('/drafts', { form: cur.key, title: cur.title, data });
    lastPing = Date.now();
    const st = document.querySelector('[data-draft-status]');
    if (st) st.textContent = t('draft.kept', { time: formatTime(Math.floor(Date.now() / 1000)) });
  } catch (e) {
    /* locked or the server stopped: the memo keeps it in this tab */
  }
}

// The form stops being watched (the page changed).
export function detach() {
  if (current) clearTimeout(current.timer);
  current = null;
}

// Whether the open form holds typing not yet saved as a record.
export function dirty() {
  return !!(current && current.dirty);
}

// What a form page should show for `key`: the in-memory copy (a re-render,
// e.g. the language switch) or the draft kept in the vault, or null.
// {data, at, fromVault}
export async function restore(key) {
  if (memo && memo.key === key) return { data: memo.data, at: null, fromVault: false };
  try {
    const d = await api.get('/drafts', { form: key });
    return { data: JSON.parse(d.data), at: d.at, fromVault: true };
  } catch (e) {
    return null;
  }
}

// The note a form shows when it was filled from a draft, with a button to
// start afresh (which discards the draft).
export function restoredNote(app, key, at, onFresh) {
  return h('div', { class: 'draftnote', role: 'status', 'data-draft': 'restored' },
    h('p', {}, at ? t('draft.restored', { time: formatTime(at) }) : t('draft.restored_now')),
    h('button', {
      type: 'button', class: 'secondary', 'data-action': 'draft-fresh',
      onclick: async () => {
        if (memo && memo.key === key) memo = null;
        try { await api.post('/drafts/discard', { form: key }); } catch (e) { /* offered again later */ }
        onFresh();
      },
    }, t('draft.fresh')));
}

// A draft's title in the reader's language (the stored one was typed in
// whatever language the page had then).
function titleOf(d) {
  if (d.form === '#/new') return t('new.title');
  const m = /^#\/case\/([^/]+)\/edit$/.exec(d.form);
  if (m) return t('edit.title', { ref: decodeURIComponent(m[1]) });
  return d.title || t('draft.untitled');
}

// After unlocking: the drafts kept in the vault, as links back to their forms.
export async function offer(app, root) {
  let items = [];
  try {
    items = (await api.get('/drafts')).items || [];
  } catch (e) {
    return;
  }
  if (!items.length) return;
  root.prepend(h('section', { class: 'card drafts', 'aria-labelledby': 'drafts-h', 'data-drafts': items.length },
    h('h2', { id: 'drafts-h' }, t('draft.offer_title')),
    h('p', {}, t('draft.offer_intro')),
    h('ul', {}, items.map((d) => h('li', {},
      h('a', { href: d.form, 'data-draft-link': d.form }, titleOf(d)),
      ' ', h('span', { class: 'muted' }, t('draft.kept', { time: formatTime(d.at) })))))));
}

// Typing, clicking or touching counts as activity: at most one ping per
// third of the idle time (and per 30 s), never while locked.
export function watchActivity(app) {
  const ping = () => {
    if (!app.unlocked) return;
    const every = Math.min(30000, Math.max(1000, (app.idleLock || 600) * 1000 / 3));
    const now = Date.now();
    if (now - lastPing < every) return;
    lastPing = now;
    api.post('/activity', {}).catch(() => {});
  };
  for (const ev of ['keydown', 'input', 'pointerdown']) window.addEventListener(ev, ping, { capture: true, passive: true });
}

// Asks before leaving a changed form; the draft stays either way.
export async function mayLeave(app) {
  if (!dirty()) return true;
  await flush(app);
  return app.confirm({
    title: t('draft.leave_title'),
    body: [h('p', {}, t('draft.leave_body'))],
    confirmText: t('draft.leave'),
    cancelText: t('draft.stay'),
  });
}

// Forget the in-memory copy (the vault was locked: the screen is wiped).
window.addEventListener('kith:wiped', () => {
  memo = null;
  detach();
});
