// view — one case: the person, the journey as a timeline, incidents, needs
// and services, family (with links to their cases), consent, source and the
// testimony; buttons to edit and to see the version history.

import { h, append, id, clear, debounce } from '../dom.js';
import { t, has, label, formatDate, formatTime } from '../i18n.js';
import * as api from '../api.js';
import { kind, vocabLabel } from '../schema.js';
import { personPanel, workPanel, caseButtons } from './centre.js';
import { attachSection } from '../attach.js';
import { viewsSection } from './people.js';

function fmt(f, v) {
  if (v == null || v === '') return null;
  switch (f.type) {
    case 'enum': return vocabLabel(f, v);
    case 'enum_list': return v.map((x) => vocabLabel(f, x)).join(', ');
    case 'string_list': return v.join(', ');
    case 'date': return formatDate(v);
    case 'bool': return v ? t('form.yes') : t('form.no');
    case 'ref': return h('a', { href: `#/case/${encodeURIComponent(v)}` }, v);
    case 'text': return h('p', { class: 'prose', lang: '' }, v);
    case 'number': return typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
    default: return String(v);
  }
}

// A group's scalar fields as a definition list; nested groups and lists below.
export function groupView(fields, obj) {
  const dl = h('dl', { class: 'kv' });
  const below = [];
  for (const f of fields) {
    const v = obj ? obj[f.name] : undefined;
    if (v == null || (Array.isArray(v) && !v.length)) continue;
    if (f.type === 'group') {
      below.push(h('h3', {}, label(f.label)), groupView(f.fields, v));
    } else if (f.type === 'list_of_groups') {
      below.push(h('h3', {}, label(f.label)));
      v.forEach((item, i) => below.push(h('div', { class: 'card' }, h('strong', {}, t('form.item', { label: label(f.label), n: i + 1 })), groupView(f.fields, item))));
    } else {
      dl.append(h('dt', {}, label(f.label)), h('dd', {}, fmt(f, v)));
    }
  }
  return h('div', {}, dl.childNodes.length ? dl : null, below);
}

function timeline(journeyField, stages) {
  const sub = (n) => journeyField.fields.find((x) => x.name === n);
  return h('ol', { class: 'timeline', 'aria-label': label(journeyField.label) }, stages.map((s) => {
    const where = [s.place, s.region, s.country ? vocabLabel(sub('country'), s.country) : null].filter(Boolean).join(', ');
    return h('li', {},
      h('span', { class: 'when' }, s.date ? formatDate(s.date) : t('view.date_unknown')),
      s.leg ? h('span', { class: 'what badge' }, vocabLabel(sub('leg'), s.leg)) : null,
      h('div', { lang: '' }, where || t('view.place_unknown')),
      s.status ? h('div', { class: 'muted' }, vocabLabel(sub('status'), s.status)) : null);
  }));
}

// "Same person as another case?": proposes a manual link for duplicate review.
function duplicateForm(app, ref) {
  const rid = id('dup');
  const other = h('input', { type: 'text', id: rid, autocomplete: 'off', spellcheck: 'false' });
  const listId = id('dl');
  const dl = h('datalist', { id: listId });
  other.setAttribute('list', listId);
  other.addEventListener('input', debounce(async () => {
    const q = other.value.trim();
    if (!q) return;
    try {
      const r = await api.get('/search', { q, limit: 8 });
      clear(dl);
      for (const it of r.items) if (it.ref !== ref) dl.append(h('option', { value: it.ref }, `${it.name} · ${it.ref}`));
    } catch (e) {
      /* suggestions are a convenience */
    }
  }, 250));
  const why = id('why');
  const reason = h('input', { type: 'text', id: why, autocomplete: 'off' });
  const msg = h('p', { role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, 'data-section': 'duplicate' },
    h('h2', {}, t('view.dup_title')),
    h('p', { class: 'muted small' }, t('view.dup_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: rid }, t('view.dup_ref')), other, dl),
      h('div', { class: 'field grow' }, h('label', { for: why }, t('review.reason')), reason),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'secondary', 'data-action': 'propose' }, t('view.dup_button')))),
    msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    msg.className = '';
    try {
      await api.post('/links', { refs: [ref, other.value.trim()], reason: reason.value.trim() || null });
      msg.className = 'banner';
      msg.textContent = t('view.dup_done');
      other.value = '';
      reason.value = '';
    } catch (e) {
      msg.className = 'err-text';
      msg.textContent = app.errorText(e);
    }
  });
  return form;
}

export function actionLabel(a) {
  return has(`action.${a}`) ? t(`action.${a}`) : a;
}

export async function render(root, app, params) {
  const ref = params[0];
  const rec = await api.get('/case', { ref });
  const ks = kind('case');
  const b = rec.body || {};
  const f = (n) => ks.fields.find((x) => x.name === n);
  const sections = [];
  const person = f('person');
  sections.push(h('section', { class: 'card' }, h('h2', {}, label(person.label)), groupView(person.fields, b.person)));
  const journey = f('journey');
  if (b.journey && b.journey.length) {
    sections.push(h('section', { class: 'card', 'data-section': 'journey' }, h('h2', {}, label(journey.label)), timeline(journey, b.journey)));
  }
  for (const name of ['incidents', 'needs', 'services', 'family', 'consent', 'source', 'referrals']) {
    const fd = f(name);
    const v = b[name];
    if (!fd || v == null || (Array.isArray(v) && !v.length)) continue;
    let content;
    if (fd.type === 'group') content = groupView(fd.fields, v);
    else if (fd.type === 'list_of_groups') {
      content = v.map((item, i) => h('div', { class: 'card' }, h('strong', {}, t('form.item', { label: label(fd.label), n: i + 1 })), groupView(fd.fields, item)));
    } else content = h('p', {}, fmt(fd, v));
    sections.push(h('section', { class: 'card', 'data-section': name }, h('h2', {}, label(fd.label)), content));
  }
  for (const name of ['narrative', 'notes']) {
    const fd = f(name);
    if (fd && b[name]) sections.push(h('section', { class: 'card' }, h('h2', {}, label(fd.label)), h('p', { class: 'prose', lang: '' }, b[name])));
  }
  const statusField = f('status');
  const reload = () => app.navigate(`#/case/${encodeURIComponent(rec.ref)}`);
  const samePerson = await personPanel(app, rec.ref, reload); // every record of this person
  append(root, [
    h('div', { class: 'pagehead' },
      h('h1', { lang: '' }, `${(b.person && b.person.name) || ''} · ${rec.ref}`),
      h('div', { class: 'actions' },
        b.status ? h('span', { class: `badge ${b.status}` }, vocabLabel(statusField, b.status)) : null,
        h('a', { class: 'btn', href: `#/case/${encodeURIComponent(rec.ref)}/edit`, 'data-action': 'edit' }, t('view.edit')),
        h('a', { class: 'btn secondary', href: `#/case/${encodeURIComponent(rec.ref)}/history`, 'data-action': 'history' }, t('view.history')),
        caseButtons(rec.ref))),
    h('p', { class: 'muted small' }, t('view.version_line', { v: rec.version, when: formatTime(rec.at), action: actionLabel(rec.action) })),
    samePerson,
    workPanel(app, rec, reload),
    sections,
    attachSection(app, rec),
    await viewsSection(rec.ref), // pages/people.js: who opened it (admins only)
    duplicateForm(app, rec.ref)]);
}
