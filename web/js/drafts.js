// drafts — nothing typed is lost. While a form is open (any form: a page
// may hold several, each with its own key), what is typed is kept
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
// Every form on the page that is watched, by its key. A page may hold
// several (a case page: assignment and the duplicate proposal; the review
// queue: one reason per pair). Form keys are the page's hash, and for a form
// that is one of several on its page "|" and the form's name
// ("#/review|link:ID"): the hash part leads back to it.
const watched = new Map(); // key -> {key, title, collect, empty, dirty, timer, firstPending}
const memos = new Map(); // key -> data: the forms' last state, for a re-render
let openList = null; // a promise of the keys of the drafts kept in the vault (per page)
let lastPing = 0;

// Called by a form page once its form is on screen. collect() returns the
// form's state (any JSON value); empty(data), when given, says that nothing
// is typed (such a form keeps no draft). Returns a handle with saved() /
// abandoned() (both discard the draft), markDirty().
export function attach(app, formEl, { key, title, collect, empty, clicks = true }) {
  const old = watched.get(key);
  if (old) clearTimeout(old.timer);
  const cur = { key, title, collect, empty, dirty: false, pending: false, stored: false, timer: null, firstPending: 0 };
  watched.set(key, cur);
  const changed = () => {
    if (watched.get(key) !== cur) return;
    const value = cur.collect();
    const none = !!(cur.empty && cur.empty(value));
    cur.dirty = !none; // a form emptied again has nothing to lose
    if (none) memos.delete(key);
    else memos.set(key, value);
    if (none && !cur.stored) return;
    cur.pending = true;
    const now = Date.now();
    if (!cur.firstPending) cur.firstPending = now;
    clearTimeout(cur.timer);
    const wait = now - cur.firstPending >= SAVE_AT_LEAST_MS ? 0 : SAVE_AFTER_MS;
    cur.timer = setTimeout(() => keepOne(cur), wait);
  };
  formEl.addEventListener('input', changed);
  formEl.addEventListener('change', changed);
  // buttons that add or remove list items change the form without an input event
  if (clicks) {
    formEl.addEventListener('click', (ev) => {
      if (ev.target.closest('button') && !ev.target.closest('[type=submit]') && !ev.target.closest('[data-action="draft-fresh"]')) setTimeout(changed, 0);
    });
  }
  return {
    async saved() {
      await finish(cur);
    },
    async abandoned() {
      await finish(cur);
    },
    markDirty: changed,
    cur,
  };
}

async function finish(cur) {
  clearTimeout(cur.timer);
  cur.dirty = false;
  cur.pending = false;
  cur.stored = false;
  cur.firstPending = 0;
  memos.delete(cur.key); // still watched: a form that stays on the page is kept again when typed into
  try {
    await api.post('/drafts/discard', { form: cur.key });
  } catch (e) {
    /* the draft stays and is offered again: nothing is lost */
  }
}

async function keepOne(cur) {
  if (!cur.pending) return;
  clearTimeout(cur.timer);
  cur.pending = false;
  cur.firstPending = 0;
  const value = cur.collect();
  try {
    if (cur.empty && cur.empty(value)) {
      // nothing typed any more: no draft
      await api.post('/drafts/discard', { form: cur.key });
      cur.stored = false;
      return;
    }
    await api.post('/drafts', { form: cur.key, title: cur.title, data: JSON.stringify(value) });
    cur.stored = true;
    lastPing = Date.now();
    const now = t('draft.kept', { time: formatTime(Math.floor(Date.now() / 1000)) });
    const st = document.querySelector('[data-draft-status]');
    if (st && !cur.key.includes('|')) st.textContent = now;
    for (const el of document.querySelectorAll(`[data-draft-form="${CSS.escape(cur.key)}"]`)) el.textContent = now;
  } catch (e) {
    cur.pending = true; // locked or the server stopped: the memo keeps it in this tab; tried again
  }
}

// Keeps every changed form's draft now (before a lock, a page change).
export async function flush() {
  await Promise.all([...watched.values()].map((cur) => keepOne(cur)));
}

// The page changed: no form is watched any more (their memos stay, for a
// re-render such as the language switch). The next restore asks the vault
// again which drafts it keeps.
export function detach() {
  for (const cur of watched.values()) clearTimeout(cur.timer);
  watched.clear();
  openList = null;
}

// Whether an open form holds typing not yet saved as a record.
export function dirty() {
  return [...watched.values()].some((c) => c.dirty);
}

async function keptKeys() {
  if (!openList) {
    openList = api.get('/drafts').then((r) => new Set((r.items || []).map((d) => d.form))).catch(() => new Set());
  }
  return openList;
}

// What a form page should show for `key`: the in-memory copy (a re-render,
// e.g. the language switch) or the draft kept in the vault, or null.
// {data, at, fromVault}
export async function restore(key) {
  if (memos.has(key)) return { data: memos.get(key), at: null, fromVault: false };
  if (!(await keptKeys()).has(key)) return null;
  try {
    const d = await api.get('/drafts', { form: key });
    return { data: JSON.parse(d.data), at: d.at, fromVault: true };
  } catch (e) {
    return null;
  }
}

// A small form (one of several on a page) kept as a draft: watched at once;
// what was kept for it is put back with apply(data) when it arrives (unless
// typing began meanwhile), with a note and a button to start afresh.
// Returns attach()'s handle.
export function keep(app, formEl, { key, title, collect, apply, empty }) {
  const w = attach(app, formEl, { key, title, collect, empty, clicks: false });
  const status = h('p', { class: 'muted small', 'data-draft-form': key, 'aria-live': 'polite' });
  formEl.append(status);
  restore(key).then((k) => {
    const cur = watched.get(key);
    if (!k || k.data == null || !cur || cur.dirty) return;
    apply(k.data);
    memos.set(key, k.data);
    cur.dirty = true; // leaving asks; saving or deciding discards it
    cur.stored = !!k.fromVault;
    formEl.dataset.draft = 'restored';
    if (k.fromVault) {
      status.replaceWith(restoredNote(app, key, k.at, () => {
        apply(null);
        const c = watched.get(key);
        if (c) { c.dirty = false; c.stored = false; }
        delete formEl.dataset.draft;
        formEl.querySelector('[data-draft="restored"]')?.remove();
        formEl.append(status);
      }, true));
    }
  });
  return w;
}

// The note a form shows when it was filled from a draft, with a button to
// start afresh (which discards the draft).
export function restoredNote(app, key, at, onFresh, small = false) {
  return h('div', { class: small ? 'draftnote small' : 'draftnote', role: 'status', 'data-draft': 'restored' },
    h('p', {}, at ? t('draft.restored', { time: formatTime(at) }) : t('draft.restored_now')),
    h('button', {
      type: 'button', class: 'secondary', 'data-action': 'draft-fresh',
      onclick: async () => {
        memos.delete(key);
        try { await api.post('/drafts/discard', { form: key }); } catch (e) { /* offered again later */ }
        onFresh();
      },
    }, t('draft.fresh')));
}

// A form's Cancel button: abandoning asks first when something was typed
// (or a draft was put back), then discards the draft and goes to `back`.
export function cancelButton(app, handle, back, hadDraft) {
  const b = h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, t('dialog.cancel'));
  b.addEventListener('click', async () => {
    if (dirty() || hadDraft) {
      const yes = await app.confirm({
        title: t('draft.abandon_title'), body: [h('p', {}, t('draft.abandon_body'))],
        confirmText: t('draft.abandon'), cancelText: t('draft.stay'), danger: true,
      });
      if (!yes) return;
    }
    await handle().abandoned();
    app.navigate(back);
  });
  return b;
}

// A draft's title in the reader's language (the stored one was typed in
// whatever language the page had then).
function titleOf(d) {
  const [page, part] = d.form.split('|');
  const ref = (re) => { const m = re.exec(page); return m ? decodeURIComponent(m[1]) : null; };
  let r;
  if (page === '#/new') return t('new.title');
  if ((r = ref(/^#\/case\/([^/]+)\/edit$/))) return t('edit.title', { ref: r });
  if (page === '#/trace/new') return t('trace.new_title');
  if ((r = ref(/^#\/trace\/([^/]+)\/edit$/))) return t('trace.edit_title', { ref: r });
  if ((r = ref(/^#\/case\/([^/]+)\/referral$/))) return t('centre.referral_title', { ref: r });
  if (page === '#/review' && part) return t('draft.title_review');
  if ((r = ref(/^#\/trace\/([^/]+)$/)) && part) return t('draft.title_trace_note', { ref: r });
  if ((r = ref(/^#\/case\/([^/]+)$/)) && part === 'assign') return t('draft.title_assign', { ref: r });
  if ((r = ref(/^#\/case\/([^/]+)$/)) && part === 'duplicate') return t('draft.title_duplicate', { ref: r });
  return d.title || t('draft.untitled');
}

// The page a form key belongs to.
export function pageOf(key) {
  return key.split('|')[0];
}

// After unlocking: the drafts kept in the vault, as links back to their
// forms, each with a button to discard it.
export async function offer(app, root) {
  let items = [];
  try {
    items = (await api.get('/drafts')).items || [];
  } catch (e) {
    return;
  }
  if (!items.length) return;
  const list = h('ul', {});
  const section = h('section', { class: 'card drafts', 'aria-labelledby': 'drafts-h', 'data-drafts': items.length },
    h('h2', { id: 'drafts-h' }, t('draft.offer_title')),
    h('p', {}, t('draft.offer_intro')),
    list);
  for (const d of items) {
    const li = h('li', {},
      h('a', { href: pageOf(d.form), 'data-draft-link': d.form }, titleOf(d)),
      ' ', h('span', { class: 'muted' }, t('draft.kept', { time: formatTime(d.at) })), ' ');
    li.append(h('button', {
      type: 'button', class: 'secondary small', 'data-action': 'draft-discard', 'aria-label': `${t('draft.abandon')}: ${titleOf(d)}`,
      onclick: async () => {
        if (!(await app.confirm({ title: t('draft.abandon_title'), body: [h('p', {}, t('draft.abandon_body'))], confirmText: t('draft.abandon'), cancelText: t('draft.stay'), danger: true }))) return;
        try { await api.post('/drafts/discard', { form: d.form }); } catch (e) { return; }
        memos.delete(d.form);
        li.remove();
        if (!list.childNodes.length) section.remove();
      },
    }, t('draft.abandon')));
    list.append(li);
  }
  root.prepend(section);
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
  memos.clear();
  detach();
});
