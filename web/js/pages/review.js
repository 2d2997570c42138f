// review — duplicate review: groups of cases that record linkage (or a person)
// proposed as the same person, as kind "link" records {cases, status, score,
// method, reviewer, reason}, through the linkage module's review rules
// (src/link/linkvault.h, as `kith link review|confirm|reject|undo`):
//   proposed -> confirmed | rejected;  confirmed | rejected -> undone (back for
//   review);  undone -> confirmed | rejected.
// Nothing is merged or deleted here: a decision is a new version of the link.

import { h, clear, id } from '../dom.js';
import { t, has, formatDate, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as words from '../words.js';
import { fieldAt, vocabLabel, kind } from '../schema.js';
import * as drafts from '../drafts.js';
import { conflictPanel } from '../conflict.js';

let tab = 'open';
let offset = 0;
// the queue's filters (casework/review.h orders it: a person's proposals, then by score)
let rf = { min: '', max: '', q: '' };
window.addEventListener('kith:wiped', () => { rf = { min: '', max: '', q: '' }; });

function reviewFilters(load) {
  const inp = (key, attrs) => {
    const el = h('input', { id: `review-${key}`, value: rf[key], autocomplete: 'off', 'data-filter': key, ...attrs });
    el.addEventListener('change', () => { rf[key] = el.value.trim(); offset = 0; load(); });
    return h('div', { class: 'field' }, h('label', { for: `review-${key}` }, t(`review.filter_${key}`)), el);
  };
  return h('div', { class: 'row filters', role: 'group', 'aria-label': t('review.filters') },
    inp('q', { type: 'search' }),
    inp('min', { type: 'number', min: 0, max: 100, step: 1, inputmode: 'numeric' }),
    inp('max', { type: 'number', min: 0, max: 100, step: 1, inputmode: 'numeric' }));
}

function reviewQuery() {
  const pct = (v) => (v === '' || Number.isNaN(Number(v)) ? null : String(Math.min(100, Math.max(0, Number(v))) / 100));
  return { q: rf.q || null, min_score: pct(rf.min), max_score: pct(rf.max) };
}
const PAGE = 50;

function person(c) {
  if (c.missing) return h('div', { class: 'side' }, h('p', { class: 'muted' }, t('review.missing_case')));
  const v = (p, x) => { const f = fieldAt('case', p); return x && f ? vocabLabel(f, x) : x || '—'; };
  return h('div', { class: 'side' },
    h('p', {}, h('a', { href: `#/case/${encodeURIComponent(c.ref)}`, lang: '' }, h('strong', {}, c.name || '—')), ` · ${c.ref}`),
    h('dl', { class: 'kv' },
      h('dt', {}, t('cases.sex')), h('dd', {}, v('person.sex', c.sex)),
      h('dt', {}, t('cases.birth')), h('dd', {}, formatDate(c.birth) || '—'),
      h('dt', {}, t('cases.province')), h('dd', {}, v('person.origin.province', c.province)),
      h('dt', {}, t('cases.status')), h('dd', {}, v('status', c.status))));
}

function linkVocab(field, v) {
  const f = kind('link') && kind('link').fields.find((x) => x.name === field);
  return f && v ? vocabLabel(f, v) : v || '—';
}

function statusLabel(s) {
  return s === 'undone' ? t('review.status_undone') : linkVocab('status', s);
}

// A translated label when there is one (fields of a custom linkage
// configuration have none), else the engine's own word.
function label(key, raw) {
  return has(key) ? t(key) : raw;
}

// The linkage engine's explanation of one pair: every field's comparison
// level and its weight in bits (the Fellegi–Sunter waterfall).
function explanation(e) {
  const [priorRow, total] = words.priorAndTotal(e.prior, (e.fields || []).map((f) => f.bits));
  const rows = (e.fields || []).map((f) => h('tr', {},
    h('td', {}, label(`review.field_${f.field}`, f.field)),
    h('td', {}, label(`review.level_${f.level}`, f.level)),
    h('td', { class: 'num' }, (f.bits >= 0 ? '+' : '') + Number(f.bits).toFixed(2))));
  return h('div', { class: 'explain' },
    h('p', { class: 'small' }, t('review.explain_total', { p: `${Math.round((e.prob || 0) * 100)}%`, w: Number(e.weight || 0).toFixed(2) })),
    h('table', { class: 'small' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('review.explain_field')), h('th', { scope: 'col' }, t('review.explain_level')), h('th', { scope: 'col', class: 'num' }, t('review.explain_bits')))),
      h('tbody', {}, priorRow, rows), total));
}

function item(link, app, reload) {
  const rid = id('reason');
  // the engine's own reason ("kith link: 3 cases, ...") is said in words, not put in the field
  const auto = words.linkReason(link.reason);
  const initial = auto ? '' : (link.reason || '');
  const reason = h('input', { type: 'text', id: rid, autocomplete: 'off', value: initial });
  const msg = h('p', { class: 'err-text', role: 'alert' });
  const why = h('div', { 'aria-live': 'polite' });
  const conflictBox = h('div', {});
  let version = link.version;
  let watch = null;
  const decide = async (status) => {
    msg.textContent = '';
    try {
      await api.post('/link', { id: link.id, status, reason: reason.value.trim() || null, expect_version: version });
      await watch.saved();
      app.banner(t(`review.done_${status}`));
      reload();
    } catch (e) {
      msg.textContent = app.errorText(e, 'link');
      if (e.code === 'stale') {
        // decided elsewhere meanwhile: both decisions side by side; the reason typed stays
        try {
          const now = (await api.get('/links', { status: 'all', id: link.id })).items[0];
          const pick = (st, r) => ({ status: st, reason: r || '' });
          conflictBox.replaceChildren(conflictPanel('link', pick(now.status, now.reason), pick(status, reason.value.trim()), now.version, {
            record: true,
            labels: { status: t('review.decision'), reason: t('review.reason') },
            show: (k, v) => (k === 'status' ? statusLabel(v) : v),
          }));
          version = now.version;
          watch.markDirty();
        } catch (e2) {
          /* the message above says it */
        }
      }
    }
  };
  const explain = async () => {
    clear(why);
    why.append(h('p', { class: 'muted small' }, t('review.explaining')));
    try {
      const r = await api.get('/links', { status: 'all', explain: 1, id: link.id });
      const me = r.items[0];
      clear(why);
      const ex = (me && me.explanations) || [];
      if (!ex.length) why.append(h('p', { class: 'muted small' }, t('review.explain_none')));
      for (const e of ex) why.append(explanation(e));
    } catch (e) {
      clear(why);
      msg.textContent = app.errorText(e, 'link');
    }
  };
  const score = typeof link.score === 'number' ? `${Math.round(link.score * 100)}%` : '—';
  const open = link.status === 'proposed' || link.status === 'undone';
  const buttons = open
    ? [h('button', { type: 'button', 'data-action': 'confirm', onclick: () => decide('confirmed') }, t('review.confirm')),
      h('button', { type: 'button', class: 'secondary', 'data-action': 'reject', onclick: () => decide('rejected') }, t('review.reject'))]
    : [h('button', { type: 'button', class: 'secondary', 'data-action': 'undo', onclick: () => decide('undone') }, t('review.undo'))];
  buttons.push(h('button', { type: 'button', class: 'secondary', 'data-action': 'explain', onclick: explain }, t('review.explain')));
  const el = h('section', { class: 'card', 'data-link': link.id },
    h('div', { class: 'pagehead' },
      h('h2', {}, typeof link.score === 'number' ? t('review.pair_title', { score }) : t('review.pair_title_manual')),
      h('span', { class: 'badge' }, statusLabel(link.status))),
    h('p', { class: 'muted small' }, `${t('review.method')}: ${linkVocab('method', link.method)} · ${formatTime(link.at)}${link.reviewer ? ` · ${t('review.reviewer')}: ${link.reviewer}` : ''}`),
    h('div', { class: 'pair' }, (link.cases || []).map(person)),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: rid }, t('review.reason')), reason, auto ? h('p', { class: 'muted small' }, auto) : null),
      h('div', { class: 'actions' }, buttons)),
    conflictBox,
    why,
    msg);
  // the reason typed is kept as a draft of its own
  watch = drafts.keep(app, el, {
    key: `#/review|link:${link.id}`,
    title: t('draft.title_review'),
    collect: () => ({ reason: reason.value }),
    apply: (d) => { reason.value = d ? d.reason || '' : initial; },
    empty: (d) => d.reason.trim() === initial.trim(),
  });
  return el;
}

export async function render(root, app) {
  const list = h('div', { 'aria-live': 'polite' });
  const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': t('review.filter') });
  const runMsg = h('p', { class: 'muted', role: 'status' });
  const load = async () => {
    clear(tabs);
    for (const s of ['open', 'confirmed', 'rejected']) {
      tabs.append(h('button', { type: 'button', 'aria-pressed': tab === s ? 'true' : 'false', onclick: () => { tab = s; offset = 0; load(); } }, t(`review.tab_${s}`)));
    }
    let r = await api.get('/links', { status: tab, limit: PAGE, offset, ...reviewQuery() });
    if (!r.items.length && offset > 0) { // the last pair of a page was decided
      offset = Math.max(0, offset - PAGE);
      r = await api.get('/links', { status: tab, limit: PAGE, offset, ...reviewQuery() });
    }
    clear(list);
    list.append(h('p', { class: 'muted' }, t('review.count', { n: r.total })));
    if (!r.items.length) list.append(h('p', {}, tab === 'open' ? t('review.none') : t('review.none_decided')));
    for (const l of r.items) list.append(item(l, app, load));
    if (r.total > PAGE) {
      const prev = h('button', { type: 'button', class: 'secondary', disabled: offset === 0,
        onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, t('cases.prev'));
      const next = h('button', { type: 'button', class: 'secondary', disabled: offset + PAGE >= r.total,
        onclick: () => { offset += PAGE; load(); } }, t('cases.next'));
      list.append(h('div', { class: 'pager' }, prev,
        h('span', {}, t('cases.page', { from: offset + 1, to: Math.min(offset + PAGE, r.total), n: r.total })), next));
    }
  };
  const runBtn = h('button', { type: 'button', class: 'secondary', 'data-action': 'run-linkage' }, t('review.run'));
  runBtn.addEventListener('click', async () => {
    runBtn.disabled = true;
    runMsg.textContent = t('review.running');
    try {
      const r = await api.post('/links/propose', {});
      runMsg.textContent = t('review.run_done', { n: r.proposed, k: r.already_known, c: r.cases });
      tab = 'open';
      await load();
    } catch (e) {
      runMsg.textContent = app.errorText(e, 'link');
    } finally {
      runBtn.disabled = false;
    }
  });
  root.append(h('div', { class: 'pagehead' }, h('h1', {}, t('review.title')), runBtn),
    h('p', { class: 'muted' }, t('review.intro')), runMsg, tabs, reviewFilters(load), list);
  await load();
}
