// app — the shell of kith's web UI: header, language switch, lock and panic
// buttons, the hash router, and the watch that returns to the unlock page
// when the server locks the vault (idle time, another tab, panic).

import { h, clear, id } from './dom.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as schema from './schema.js';
import * as unlockPage from './pages/unlock.js';
import * as casesPage from './pages/cases.js';
import * as editPage from './pages/edit.js';
import * as viewPage from './pages/view.js';
import * as historyPage from './pages/history.js';
import * as reviewPage from './pages/review.js';
import * as transferPage from './pages/transfer.js';
import * as tracePage from './pages/trace.js';
import * as figuresPage from './pages/figures.js';
import * as togetherPage from './pages/together.js';
import * as centre from './pages/centre.js';
import * as keysPage from './pages/keys.js';
import * as syncPage from './pages/sync.js';
import * as peoplePage from './pages/people.js';
import * as integrityPage from './pages/integrity.js';
import * as drafts from './drafts.js';
import * as words from './words.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const tools = document.getElementById('tools');
const banner = document.getElementById('banner');
const dialog = document.getElementById('dialog');

const app = {
  unlocked: false,
  idleLock: 0,
  lockedReason: null,
  navigate(hash) {
    if (window.location.hash === hash) render();
    else window.location.hash = hash;
  },
  banner(text, kind) {
    banner.textContent = text;
    banner.className = `banner${kind === 'error' ? ' error' : ''}`;
    banner.hidden = !text;
    if (kind === 'error') banner.setAttribute('role', 'alert');
    else banner.setAttribute('role', 'status');
  },
  // A readable, translated sentence for an ApiError.
  errorText(e, kindName = 'case') {
    const code = e && e.code ? e.code : 'internal';
    const key = `error.${code}`;
    let s = i18n.has(key) ? t(key) : t('error.internal');
    if (code === 'denied' && app.me) s = t('error.denied_role', { role: peoplePage.roleLabel(app.me.role) }); // pages/people.js
    const detail = e && e.message && code === 'invalid';
    let field = e && e.field ? String(e.field) : null;
    if (field && schema.kind(kindName)) {
      // importer errors: "file.csv:12:person.sex" -> line 12, field label
      // "file:3:ref" (a clash, with the line where the case starts); an older
      // "file:record 2:ref" is the file's 2nd case: named as a record, never as a line
      const m = /^(.*?):(record )?(\d+)(?::(.+))?$/.exec(field);
      if (m && code !== 'bad_json') {
        s += ` — ${m[2] ? t('error.where_record', { file: m[1], n: m[3] }) : t('error.where_line', { file: m[1], line: m[3] })}`;
        field = m[4] || null;
      } else if (!(/^[a-z_]+$/.test(field) || schema.fieldAt(kindName, field))) {
        field = null;
      }
    } else {
      field = null;
    }
    if (detail) {
      const path = field ? words.errorField(kindName, field, e.message) : null;
      s += `: ${words.fieldMessage(e.message, path ? words.fieldLabel(kindName, path) : null)}`;
    }
    return s;
  },
  localMessage: (msg, lbl) => words.fieldMessage(msg, lbl),
  // A message to show on the next page (after navigate).
  flash(text) {
    app.pending = text;
  },
  confirm(opts) {
    return confirmDialog(opts);
  },
  async refreshState() {
    const st = await api.state();
    app.unlocked = !!st.unlocked;
    app.idleLock = st.idle_lock;
    app.keysDestroyed = !!st.keys_destroyed;
    return st;
  },
};

const routes = [
  { re: /^#\/cases$/, page: casesPage, nav: 'cases' },
  { re: /^#\/new$/, page: editPage, nav: 'new' },
  { re: /^#\/case\/([^/]+)\/edit$/, page: editPage, nav: 'cases' },
  { re: /^#\/case\/([^/]+)\/history$/, page: historyPage, nav: 'cases' },
  { re: /^#\/case\/([^/]+)\/referral$/, page: { render: centre.renderReferral }, nav: 'cases' },
  { re: /^#\/due$/, page: { render: centre.renderDue }, nav: 'due' },
  { re: /^#\/case\/([^/]+)$/, page: viewPage, nav: 'cases' },
  { re: /^#\/review$/, page: reviewPage, nav: 'review' },
  { re: /^#\/transfer$/, page: transferPage, nav: 'transfer' },
  { re: /^#\/figures$/, page: figuresPage, nav: 'figures' },
  { re: /^#\/together$/, page: togetherPage, nav: 'together' },
  { re: /^#\/trace$/, page: tracePage, nav: 'trace' },
  { re: /^#\/trace\/([^/]+)$/, page: tracePage, nav: 'trace' },
  { re: /^#\/trace\/([^/]+)\/(edit)$/, page: tracePage, nav: 'trace' },
  { re: /^#\/keys$/, page: keysPage, nav: 'keys' },
  { re: /^#\/sync$/, page: syncPage, nav: 'sync' },
  { re: /^#\/sync\/conflict\/([^/]+)$/, page: syncPage, nav: 'sync' },
  { re: /^#\/people$/, page: peoplePage, nav: 'people' },
  { re: /^#\/integrity$/, page: integrityPage, nav: 'integrity' },
];

function renderChrome(current) {
  document.title = `kith — ${t('app.tagline')}`;
  document.getElementById('skip-link').textContent = t('app.skip');
  nav.setAttribute('aria-label', t('nav.label'));
  clear(nav);
  if (app.unlocked) {
    const items = [
      ['cases', '#/cases', t('nav.cases')],
      ['new', '#/new', t('nav.new')],
      ['due', '#/due', t('nav.due')],
      ['review', '#/review', t('nav.review')],
      ['trace', '#/trace', t('nav.trace')],
      ['transfer', '#/transfer', t('nav.transfer')],
      ['figures', '#/figures', t('nav.figures')],
      ['together', '#/together', t('nav.together')],
      ['keys', '#/keys', t('nav.keys')],
      ['sync', '#/sync', t('nav.sync')],
    ];
    if (app.me && app.me.may && app.me.may.admin) items.push(['people', '#/people', t('nav.people')]); // pages/people.js
    if (app.me && app.me.may && app.me.may.admin) items.push(['integrity', '#/integrity', t('nav.integrity')]); // pages/integrity.js
    if (app.me && app.me.may && !app.me.may.names) { // an analyst: figures only (casework/people.h)
      items.splice(0, items.length, ...items.filter(([key]) => key === 'figures' || key === 'together'));
    }
    for (const [key, href, text] of items) {
      nav.append(h('a', { href, 'aria-current': key === current ? 'page' : null, 'data-nav': key }, text));
    }
  }
  clear(tools);
  tools.append(h('button', {
    type: 'button', class: 'btn-lang', lang: i18n.other(), 'data-action': 'lang',
    onclick: async () => { await drafts.flush(app); i18n.setLang(i18n.other()); render(); },
  }, t('lang.switch')));
  if (app.unlocked && app.me) { // who unlocked: "검토자: 김 선생" (pages/people.js)
    tools.append(h('span', { class: 'who', 'data-person': app.me.id || 'main' }, t('people.signed_in', { who: peoplePage.personLine(app.me) })));
  }
  if (app.unlocked) {
    tools.append(h('button', { type: 'button', class: 'btn-lock', 'data-action': 'lock', onclick: lock }, t('lock.button')));
  }
  tools.append(h('button', { type: 'button', class: 'btn-panic', 'data-action': 'panic', onclick: panic }, t('panic.button')));
}

let renderSeq = 0; // a render that a newer one overtook while it awaited does not draw

async function render() {
  const seq = ++renderSeq;
  let hash = window.location.hash || '#/cases';
  if (!app.unlocked) {
    renderChrome(null);
    clear(main);
    await unlockPage.render(main, app, async () => {
      app.unlocked = true;
      app.me = null; // asked again: the passphrase chose the person
      app.integrity = undefined; // and the file's check, once
      app.lockedReason = null;
      app.offerDrafts = true;
      app.banner('');
      if (!window.location.hash || window.location.hash === '#/unlock') app.navigate('#/cases');
      else render();
    });
    return;
  }
  // every page change asks whether the vault is still open (idle lock, another tab)
  try {
    const st = await api.state();
    if (!st.unlocked) {
      app.unlocked = false;
      wipeScreen();
      app.banner(t('lock.idle'));
      render();
      return;
    }
  } catch (e) {
    /* the server stopped: the page's own request will say so */
  }
  if (hash === '#/unlock' || hash === '#/') hash = '#/cases';
  try { // who unlocked, and what they may do (api_people.c)
    if (!app.me) app.me = await api.get('/me');
  } catch (e) {
    app.me = null;
  }
  if (app.me && app.me.may && app.me.may.admin && app.integrity === undefined) { // once per unlock (pages/integrity.js)
    try {
      app.integrity = await api.get('/integrity');
    } catch (e) {
      app.integrity = null;
    }
  }
  if (hash === '#/cases' && app.me && app.me.may && !app.me.may.names) hash = '#/figures'; // an analyst's home
  const route = routes.find((r) => r.re.test(hash)) || routes[0];
  const params = route.re.exec(hash) || [];
  renderChrome(route.nav);
  clear(main);
  main.append(h('p', { class: 'loading' }, t('app.loading')));
  try {
    await schema.load();
    const content = h('div', {});
    drafts.detach(); // the forms of the page before are no longer watched (their memos stay)
    await route.page.render(content, app, params.slice(1).map((p) => decodeURIComponent(p)));
    if (app.offerDrafts) {
      app.offerDrafts = false;
      await drafts.offer(app, content);
    }
    if (seq !== renderSeq) return;
    clear(main);
    const warn = integrityPage.banner(app); // the file failed its check: on every page, for admins
    if (warn) main.append(warn);
    main.append(content);
    const h1 = main.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  } catch (e) {
    if (e instanceof api.ApiError && (e.status === 423 || e.code === 'session')) return; // the lock watch handles it
    clear(main);
    main.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e))));
  }
}

async function lock() {
  await drafts.flush(app);
  try {
    await api.post('/lock', {});
  } catch (e) {
    /* already locked */
  }
  wipeScreen();
  app.unlocked = false;
  app.banner(t('lock.done'));
  render();
}

// Clears everything on screen and in the page modules' memory that came from
// the vault (the keys are gone on the server; the page forgets too).
function wipeScreen() {
  app.me = null;
  app.integrity = undefined;
  clear(main);
  if (dialog.open) dialog.close();
  window.dispatchEvent(new CustomEvent('kith:wiped'));
}

function confirmDialog({ title, body, confirmText, cancelText, danger }) {
  return new Promise((resolve) => {
    clear(dialog);
    const cancel = h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, cancelText || t('dialog.cancel'));
    const ok = h('button', { type: 'button', class: danger ? 'danger' : '', 'data-action': 'confirm' }, confirmText);
    // closed, the dialog keeps nothing: a passphrase field typed into is gone from the page
    const done = (v) => { dialog.close(); clear(dialog); resolve(v); };
    cancel.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', () => resolve(false), { once: true });
    dialog.append(h('h2', { id: 'dialog-title' }, title), ...[body].flat(), h('div', { class: 'actions' }, cancel, ok));
    dialog.showModal();
    cancel.focus(); // the safe choice has the focus
  });
}

// A panic from an unlocked session needs only the confirmation. On the lock
// screen the server asks for the vault's passphrase as well (any local
// program can reach the lock screen; none can type the passphrase), so the
// dialog asks for it there.
async function panic() {
  const locked = !app.unlocked;
  if (!locked) {
    try {
      app.keyStatus = await api.get('/keystatus');
    } catch (e) {
      /* said as unknown below */
    }
  }
  const body = [h('p', {}, t('panic.explain1')), words.panicEffect(app.keyStatus, locked)];
  let input = null;
  if (locked) {
    const pid = id('panic-pass');
    input = h('input', { id: pid, type: 'password', autocomplete: 'current-password', 'data-field': 'panic-passphrase' });
    body.push(h('p', {}, t('panic.locked')), h('div', { class: 'field' }, h('label', { for: pid }, t('panic.passphrase')), input));
  }
  const yes = await confirmDialog({
    title: t('panic.title'),
    body,
    confirmText: t('panic.confirm'),
    danger: true,
  });
  const payload = { confirm: true };
  if (input) {
    payload.passphrase = input.value;
    input.value = '';
  }
  if (!yes) return;
  if (locked && !payload.passphrase) {
    app.banner(t('panic.need_pass'), 'error');
    render();
    return;
  }
  try {
    await api.post('/panic', payload);
    wipeScreen();
    app.unlocked = false;
    app.keysDestroyed = true;
    app.banner(t(app.keyStatus && app.keyStatus.panic_effect === 'permanent' ? 'panic.done_permanent' : 'panic.done'));
  } catch (e) {
    if (e.code === 'keys_destroyed') app.banner(t('unlock.destroyed'), 'error');
    else if (e.code === 'auth') app.banner(t('panic.wrong'), 'error');
    else if (e.code === 'passphrase_needed') app.banner(t('panic.need_pass'), 'error');
    else if (e.code === 'rate_limited') app.banner(t('unlock.wait', { s: e.retryAfter || 60 }), 'error');
    else app.banner(app.errorText(e), 'error');
    if (e.code === 'passphrase_needed') app.unlocked = false;
  }
  render();
}

// The server locks on its own (idle time); so may another tab. Any 423 or a
// state poll that says "locked" brings back the unlock page, wiping the screen.
window.addEventListener('kith:locked', () => {
  if (!app.unlocked) return;
  app.unlocked = false;
  wipeScreen();
  app.banner(t('lock.idle'));
  render();
});

async function poll() {
  if (app.unlocked) {
    try {
      const st = await api.state();
      if (!st.unlocked) window.dispatchEvent(new CustomEvent('kith:locked'));
    } catch (e) {
      /* the server stopped: the next action will say so */
    }
  }
}

async function start() {
  await i18n.load();
  try {
    await app.refreshState();
  } catch (e) {
    app.unlocked = false;
  }
  let shown = window.location.hash;
  window.addEventListener('hashchange', async () => {
    const to = window.location.hash;
    if (to !== shown && drafts.dirty()) {
      // leaving a changed form asks first (the draft is kept either way)
      window.history.replaceState(null, '', shown || '#/cases');
      if (!(await drafts.mayLeave(app))) return;
      drafts.detach();
      window.history.replaceState(null, '', to);
    }
    shown = to;
    app.banner(app.pending || '');
    app.pending = null;
    render();
  });
  setInterval(poll, 15000);
  drafts.watchActivity(app);
  render();
}

window.__kithApp = app;
start();
