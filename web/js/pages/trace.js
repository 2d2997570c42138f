// trace — family tracing (src/link/trace.h, as `kith trace`): requests that
// describe a missing relative, the cases that may be that person (scored by
// the tracing engine, with the weight of every field), and the review of each
// candidate. Confirming writes family links into both cases; undoing removes
// them again. Cases whose consent does not allow tracing are never shown.
//   #/trace          the requests
//   #/trace/new      a new request (form generated from the schema, kind "trace")
//   #/trace/REF      one request, its candidates and their review

import { photoStrip } from '../attach.js';
import { h, append, clear, id } from '../dom.js';
import { t, has, label, formatDate, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as words from '../words.js';
import { kind, fieldAt, vocabLabel, pathLabel } from '../schema.js';
import { buildForm } from '../form.js';
import * as drafts from '../drafts.js';
import { conflictPanel } from '../conflict.js';
import { groupView, actionLabel } from './view.js';

function word(prefix, w) {
  return has(`${prefix}${w}`) ? t(`${prefix}${w}`) : w;
}

function vocabOf(path, v) {
  const f = fieldAt('trace', path);
  return f && v ? vocabLabel(f, v) : v || '—';
}

function statusBadge(s) {
  return h('span', { class: `badge ${s || ''}` }, vocabOf('status', s || 'open'));
}

// --- the list -----------------------------------------------------------

const PAGE = 50;
let listQuery = '';
let listOffset = 0;
window.addEventListener('kith:wiped', () => { listQuery = ''; listOffset = 0; });

async function list(root) {
  const out = h('div', { 'aria-live': 'polite', id: 'trace-results' });
  const input = h('input', { type: 'search', id: 'trace-search', value: listQuery, autocomplete: 'off', spellcheck: 'false' });
  const load = async () => {
    if (input.value.trim() !== listQuery) listOffset = 0;
    listQuery = input.value.trim();
    const r = await api.get('/traces', { q: listQuery || null, offset: listOffset, limit: PAGE });
    clear(out);
    out.append(h('p', { class: 'muted', id: 'trace-count' }, t('trace.count', { n: r.total })));
    out.append(r.items.length ? table(r.items) : h('p', {}, t('trace.none')));
    if (r.total > PAGE) {
      const go = (o) => { listOffset = o; load(); };
      out.append(h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: listOffset === 0, onclick: () => go(Math.max(0, listOffset - PAGE)) }, t('cases.prev')),
        h('span', {}, t('cases.page', { from: listOffset + 1, to: Math.min(listOffset + PAGE, r.total), n: r.total })),
        h('button', { type: 'button', class: 'secondary', disabled: listOffset + PAGE >= r.total, onclick: () => go(listOffset + PAGE) }, t('cases.next'))));
    }
    out.dataset.query = listQuery;
  };
  root.append(
    h('div', { class: 'pagehead' },
      h('h1', {}, t('trace.title')),
      h('a', { class: 'btn', href: '#/trace/new', 'data-action': 'new-trace' }, t('trace.new'))),
    h('p', { class: 'muted' }, t('trace.intro')),
    h('form', { class: 'search', role: 'search', onsubmit: (ev) => { ev.preventDefault(); load(); } },
      h('label', { for: 'trace-search', class: 'skip' }, t('trace.search_label')), input,
      h('button', { type: 'submit' }, t('cases.search_button'))),
    out);
  await load();
}

function table(items) {
  const rows = items.map((x) => h('tr', {},
    h('td', {}, h('a', { href: `#/trace/${encodeURIComponent(x.ref)}`, 'data-trace': x.ref }, x.ref)),
    h('td', { lang: '' }, (x.sought && x.sought.name) || '—'),
    h('td', {}, vocabOf('sought.relation', x.sought && x.sought.relation)),
    h('td', { lang: '' }, x.seeker && x.seeker.case
      ? h('a', { href: `#/case/${encodeURIComponent(x.seeker.case)}` }, x.seeker.case)
      : (x.seeker && x.seeker.name) || '—'),
    h('td', {}, statusBadge(x.status)),
    h('td', {}, t('trace.counts', {
      p: (x.candidates && x.candidates.possible) || 0,
      c: (x.candidates && x.candidates.confirmed) || 0,
      r: (x.candidates && x.candidates.rejected) || 0,
    }))));
  return h('div', { class: 'tablewrap' }, h('table', { class: 'list' },
    h('caption', { class: 'skip' }, t('trace.title')),
    h('thead', {}, h('tr', {},
      ['ref', 'sought', 'relation', 'seeker', 'status', 'candidates'].map((c) => h('th', { scope: 'col' }, t(`trace.col_${c}`))))),
    h('tbody', {}, rows)));
}

// --- a new request ------------------------------------------------------------

async function create(root, app, editRef) {
  const ks = kind('trace');
  // the engine keeps the status and the candidates: the form asks for the rest
  const fields = ks.fields.filter((f) => f.name !== 'candidates' && f.name !== 'status');
  const old = editRef ? (await api.get('/trace', { ref: editRef, limit: 1 })).request : null;
  // what was typed before (a draft kept in the vault, or this tab's copy)
  const key = old ? `#/trace/${encodeURIComponent(editRef)}/edit` : '#/trace/new';
  const kept = await drafts.restore(key);
  let base = old ? old.version : 0;
  let start = old ? old.body : {};
  if (kept && kept.data && typeof kept.data === 'object') {
    start = kept.data.body || start;
    if (old && kept.data.base) base = kept.data.base;
  }
  // consent starts unset: the person says yes or no
  const form = buildForm({ ...ks, fields }, start);
  const errors = h('div', { class: 'errors', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', 'data-action': 'save-trace' }, t('trace.save'));
  const back = old ? `#/trace/${encodeURIComponent(editRef)}` : '#/trace';
  let watch = null;
  const status = h('p', { class: 'muted small', 'data-draft-status': '', 'aria-live': 'polite' });
  const conflictBox = h('div', {});
  const el = h('form', { novalidate: true, class: 'caseform traceform', autocomplete: 'off' },
    form.el,
    h('div', { class: 'formbar' }, save, drafts.cancelButton(app, () => watch, back, !!kept)),
    status,
    errors);
  const title = old ? t('trace.edit_title', { ref: editRef }) : t('trace.new_title');
  watch = drafts.attach(app, el, { key, title, collect: () => ({ body: form.collect(), base }) });
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.hidden = true;
    form.clearErrors();
    save.disabled = true;
    const body = form.collect();
    try {
      const r = old
        ? await api.post('/trace/edit', { ref: editRef, body, expect_version: base })
        : await api.post('/traces', { body });
      await watch.saved();
      app.flash(t(old ? 'trace.edited' : 'trace.saved', { ref: r.ref }));
      app.navigate(`#/trace/${encodeURIComponent(r.ref)}`);
    } catch (e) {
      clear(errors);
      errors.append(h('p', {}, app.errorText(e, 'trace')));
      if (e.code === 'stale' && old) {
        // someone saved meanwhile: both versions, the typing stays in the form
        try {
          const theirs = (await api.get('/trace', { ref: editRef, limit: 1 })).request;
          const strip = (x) => { const { candidates, status: st, ...rest } = x || {}; return rest; };
          conflictBox.replaceChildren(conflictPanel('trace', strip(theirs.body), strip(body), theirs.version, { record: true }));
          base = theirs.version;
          watch.markDirty();
          errors.append(h('p', {}, t('conflict.again')));
        } catch (e2) {
          /* the error above says it */
        }
      }
      errors.hidden = false;
      if (!(e.field && form.showError(e.field, app.localMessage(e.message, pathLabel('trace', e.field))))) {
        errors.setAttribute('tabindex', '-1');
        errors.focus();
      }
    } finally {
      save.disabled = false;
    }
  });
  root.append(...[
    h('h1', {}, title),
    h('p', { class: 'muted small' }, t('trace.new_intro')),
    kept && kept.fromVault ? drafts.restoredNote(app, key, kept.at, () => { drafts.detach(); app.navigate(key); }) : null,
    conflictBox,
    el].filter(Boolean));
}

// --- one request -----------------------------------------------------------------

function explanation(parts, prior) {
  const [priorRow, total] = words.priorAndTotal(prior, (parts || []).map((p) => p.weight));
  return h('table', { class: 'small explain' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('review.explain_field')),
      h('th', { scope: 'col' }, t('review.explain_level')),
      h('th', { scope: 'col', class: 'num' }, t('review.explain_bits')))),
    h('tbody', {}, (parts || []).map((p) => h('tr', {},
      h('td', {}, word('trace.field_', p.field)),
      h('td', {}, word('trace.level_', p.level)),
      h('td', { class: 'num' }, (p.weight >= 0 ? '+' : '') + Number(p.weight).toFixed(2)))).concat([priorRow])), total);
}

function candidate(c, ref, app, reload) {
  const nid = id('note');
  const note = h('input', { type: 'text', id: nid, autocomplete: 'off' });
  const msg = h('p', { class: 'err-text', role: 'alert' });
  let watch = null;
  const act = async (verb) => {
    msg.textContent = '';
    try {
      await api.post('/trace/review', { ref, case: c.ref, verb, note: note.value.trim() || null });
      await watch.saved();
      app.banner(t(`trace.done_${verb}`));
      reload();
    } catch (e) {
      msg.textContent = app.errorText(e, 'trace');
    }
  };
  const s = c.state || null;
  const btn = (verb, cls) => h('button', { type: 'button', class: cls || null, 'data-action': `trace-${verb}`, onclick: () => act(verb) }, t(`trace.${verb}`));
  const buttons = [];
  if (!s || s === 'rejected') buttons.push(btn('possible', 'secondary'));
  if (s !== 'confirmed') buttons.push(btn('confirm'));
  if (!s || s === 'possible') buttons.push(btn('reject', 'secondary'));
  if (s) buttons.push(btn('undo', 'secondary'));
  const cs = c.case || {};
  const photos = h('div', {});
  photoStrip(c.ref).then((p) => { if (p) photos.append(p); });
  const v = (p, x) => { const f = fieldAt('case', p); return x && f ? vocabLabel(f, x) : x || '—'; };
  const el = h('section', { class: 'card', 'data-candidate': c.ref },
    h('div', { class: 'pagehead' },
      h('h2', {}, h('a', { href: `#/case/${encodeURIComponent(c.ref)}`, lang: '' }, cs.name || c.ref), ` · ${c.ref}`),
      h('div', { class: 'actions' },
        c.new ? h('span', { class: 'badge new' }, t('trace.new_badge')) : null,
        h('span', { class: 'badge' }, s ? t(`trace.state_${s}`) : t('trace.state_none')))),
    h('p', {}, h('strong', {}, t('trace.score', { p: `${Math.round((c.score || 0) * 100)}%` })),
      ` · ${t('trace.weight', { w: (Number(c.weight || 0) + Number(c.prior || 0)).toFixed(2) })}`),
    h('dl', { class: 'kv' },
      h('dt', {}, t('cases.sex')), h('dd', {}, v('person.sex', cs.sex)),
      h('dt', {}, t('cases.birth')), h('dd', {}, formatDate(cs.birth) || '—'),
      h('dt', {}, t('cases.province')), h('dd', {}, v('person.origin.province', cs.province))),
    photos,
    explanation(c.explanation, c.prior),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: nid }, t('trace.note')), note),
      h('div', { class: 'actions' }, buttons)),
    msg);
  watch = drafts.keep(app, el, {
    key: `#/trace/${encodeURIComponent(ref)}|note:${c.ref}`,
    title: t('draft.title_trace_note', { ref }),
    collect: () => ({ note: note.value }),
    apply: (d) => { note.value = d ? d.note || '' : ''; },
    empty: (d) => !d.note.trim(),
  });
  return el;
}

// Close a request (no longer matched, reviews refused) or reopen it.
function closeButton(app, ref, closed, reload) {
  const act = async () => {
    if (!closed && !(await app.confirm({ title: t('trace.close_title'), body: h('p', {}, t('trace.close_body')), confirmText: t('trace.close') }))) return;
    try {
      await api.post('/trace/close', { ref, reopen: closed });
      app.banner(t(closed ? 'trace.reopened' : 'trace.closed'));
      reload();
    } catch (e) {
      app.banner(app.errorText(e, 'trace'), 'error');
    }
  };
  return h('button', { type: 'button', class: 'secondary', 'data-action': closed ? 'reopen-trace' : 'close-trace', onclick: act }, t(closed ? 'trace.reopen' : 'trace.close'));
}

async function show(root, app, ref) {
  const r = await api.get('/trace', { ref, limit: 10 });
  const ks = kind('trace');
  const b = r.request.body || {};
  const f = (n) => ks.fields.find((x) => x.name === n);
  const reload = () => app.navigate(`#/trace/${encodeURIComponent(ref)}`);
  const parts = [];
  for (const name of ['seeker', 'sought', 'consent']) {
    const fd = f(name);
    if (fd && b[name]) parts.push(h('section', { class: 'card', 'data-section': name }, h('h2', {}, label(fd.label)), groupView(fd.fields, b[name])));
  }
  const cands = h('div', { 'aria-live': 'polite' });
  if (r.match_error) {
    cands.append(h('p', { class: 'errors', role: 'alert' }, `${t('trace.match_error')}: ${app.errorText(r.match_error, 'trace')}`));
  } else {
    const m = r.match;
    cands.append(h('p', { class: 'muted' }, t('trace.considered', { n: m.considered, k: m.no_consent, i: m.impossible })));
    if (!m.candidates.length) cands.append(h('p', {}, t('trace.no_candidates')));
    for (const c of m.candidates) cands.append(candidate({ ...c, prior: -Math.log2(m.considered || 1) }, ref, app, reload));
  }
  append(root, [
    h('div', { class: 'pagehead' },
      h('h1', {}, t('trace.request_title', { ref })),
      h('div', { class: 'actions' }, statusBadge(b.status),
        h('a', { class: 'btn secondary', href: `#/trace/${encodeURIComponent(ref)}/edit`, 'data-action': 'edit-trace' }, t('trace.edit')),
        closeButton(app, ref, b.status === 'closed', reload),
        h('a', { class: 'btn secondary', href: '#/trace' }, t('trace.back')))),
    h('p', { class: 'muted small' }, t('view.version_line', { v: r.request.version, when: formatTime(r.request.at), action: actionLabel(r.request.action) })),
    parts,
    h('h2', {}, t('trace.candidates_title')),
    h('p', { class: 'muted small' }, t('trace.candidates_intro')),
    cands]);
}

export async function render(root, app, params) {
  const ref = params[0];
  if (!ref) return list(root, app);
  if (ref === 'new') return create(root, app);
  if (params[1] === 'edit') return create(root, app, ref);
  return show(root, app, ref);
}
