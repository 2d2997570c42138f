// centre — the case at the centre of a caseworker's day (issue 14):
//   personPanel   every record of one person (confirmed "same person" links),
//                 each link with an undo button (casework/sameperson.h)
//   workPanel     assignment to a caseworker and the follow-up date, print and
//                 referral buttons (casework/workflow.h)
//   #/due         the due view: overdue and due today, anyone's or one person's
//   #/case/REF/referral   a redacted referral sheet: only the fields chosen,
//                 recorded in the case's history, printable

import { h, clear, id } from '../dom.js';
import { t, current, formatDate } from '../i18n.js';
import * as api from '../api.js';
import { fieldAt, vocabLabel } from '../schema.js';
import * as drafts from '../drafts.js';
import { conflictPanel } from '../conflict.js';

function vocab(path, v) {
  const f = fieldAt('case', path);
  return v && f ? vocabLabel(f, v) : v || '—';
}

const caseLink = (ref, text) => h('a', { href: `#/case/${encodeURIComponent(ref)}` }, text || ref);

// --- one person's records ------------------------------------------------

export async function personPanel(app, ref, reload) {
  let p;
  try {
    p = await api.get('/person', { ref });
  } catch (e) {
    return null; // the case page stands without it
  }
  if (!p.cases || p.cases.length < 2) return null;
  const rows = p.cases.map((c) => h('tr', { 'data-person-case': c.ref },
    h('td', {}, c.ref === ref ? h('strong', {}, c.ref) : caseLink(c.ref)),
    h('td', { lang: '' }, c.name || '—'),
    h('td', {}, vocab('person.sex', c.sex)),
    h('td', {}, formatDate(c.birth) || '—'),
    h('td', {}, vocab('person.origin.province', c.province)),
    h('td', {}, c.status ? vocab('status', c.status) : '—')));
  const msg = h('p', { class: 'err-text', role: 'alert' });
  const links = p.links.map((l) => {
    const undo = async () => {
      const yes = await app.confirm({
        title: t('centre.undo_title'),
        body: h('p', {}, t('centre.undo_body', { refs: l.cases.join(', ') })),
        confirmText: t('centre.undo_confirm'),
      });
      if (!yes) return;
      try {
        await api.post('/link', { id: l.id, status: 'undone', expect_version: l.version });
        app.banner(t('centre.undone'));
        reload();
      } catch (e) {
        msg.textContent = app.errorText(e, 'link');
      }
    };
    return h('li', {}, t('centre.link_line', { refs: l.cases.join(' = ') }), ' ',
      h('button', { type: 'button', class: 'secondary small noprint', 'data-action': 'undo-merge', onclick: undo }, t('centre.undo')));
  });
  return h('section', { class: 'card', 'data-section': 'person-records' },
    h('h2', {}, t('centre.person_title', { n: p.cases.length })),
    h('p', { class: 'muted small' }, t('centre.person_intro')),
    h('div', { class: 'tablewrap' }, h('table', { class: 'list' },
      h('caption', { class: 'skip' }, t('centre.person_title', { n: p.cases.length })),
      h('thead', {}, h('tr', {}, ['ref', 'name', 'sex', 'birth', 'province', 'status'].map((c) => h('th', { scope: 'col' }, t(`cases.${c}`))))),
      h('tbody', {}, rows))),
    h('ul', { class: 'small' }, links),
    msg);
}

// --- assignment and follow-up -----------------------------------------------

let names = null; // caseworker names used before (forgotten on lock)
window.addEventListener('kith:wiped', () => { names = null; });

async function assignees() {
  if (!names) {
    try {
      names = (await api.get('/assignees')).items.map((x) => x.name);
    } catch (e) {
      names = [];
    }
  }
  return names;
}

function nameInput(inputId, value) {
  const listId = id('names');
  const dl = h('datalist', { id: listId });
  assignees().then((ns) => { for (const n of ns) dl.append(h('option', { value: n })); });
  return [h('input', { type: 'text', id: inputId, list: listId, autocomplete: 'off', value: value || '', 'data-field': 'assigned' }), dl];
}

export function workPanel(app, rec, reload) {
  const b = rec.body || {};
  const aid = id('assigned');
  const fid = id('follow');
  const [input, dl] = nameInput(aid, b.assigned);
  const date = h('input', { type: 'date', id: fid, value: b.follow_up || '', 'data-field': 'follow_up' });
  const msg = h('p', { role: 'status' });
  const conflictBox = h('div', {});
  let version = rec.version;
  const form = h('form', { class: 'card noprint', novalidate: true, 'data-section': 'assignment' },
    h('h2', {}, t('centre.work_title')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: aid }, t('centre.assigned')), input, dl),
      h('div', { class: 'field' }, h('label', { for: fid }, t('centre.follow_up')), date),
      h('div', { class: 'field' }, h('button', { type: 'submit', 'data-action': 'assign' }, t('centre.save')))),
    conflictBox,
    msg);
  const saved = { assigned: b.assigned || '', follow_up: b.follow_up || '' };
  const watch = drafts.keep(app, form, {
    key: `#/case/${encodeURIComponent(rec.ref)}|assign`,
    title: t('draft.title_assign', { ref: rec.ref }),
    collect: () => ({ assigned: input.value, follow_up: date.value }),
    apply: (d) => { input.value = (d || saved).assigned || ''; date.value = (d || saved).follow_up || ''; },
    empty: (d) => d.assigned.trim() === saved.assigned && (d.follow_up || '') === saved.follow_up,
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.className = '';
    msg.textContent = '';
    const mine = { assigned: input.value.trim(), follow_up: date.value || '' };
    try {
      await api.post('/assign', { ref: rec.ref, ...mine, expect_version: version });
      await watch.saved();
      names = null;
      app.banner(t('centre.assign_done'));
      reload();
    } catch (e) {
      msg.className = 'err-text';
      msg.textContent = app.errorText(e);
      if (e.code === 'stale') {
        // the case was saved meanwhile: both, and the typing stays
        try {
          const now = await api.get('/case', { ref: rec.ref });
          const nb = now.body || {};
          conflictBox.replaceChildren(conflictPanel('case', { assigned: nb.assigned || '', follow_up: nb.follow_up || '' }, mine, now.version, {
            labels: { assigned: t('centre.assigned'), follow_up: t('centre.follow_up') },
            show: (k, v) => (k === 'follow_up' ? formatDate(v) : v),
          }));
          version = now.version;
          saved.assigned = nb.assigned || '';
          saved.follow_up = nb.follow_up || '';
          watch.markDirty();
          msg.textContent += ` ${t('conflict.again')}`;
        } catch (e2) {
          /* the message above says it */
        }
      }
    }
  });
  return form;
}

// Buttons of the case page's head: print and referral.
export function caseButtons(ref) {
  return [
    h('button', { type: 'button', class: 'secondary noprint', 'data-action': 'print', onclick: () => window.print() }, t('centre.print')),
    h('a', { class: 'btn secondary noprint', href: `#/case/${encodeURIComponent(ref)}/referral`, 'data-action': 'referral' }, t('centre.referral'))];
}

// --- the due view -------------------------------------------------------------

let dueFor = '';

function dueTable(items, kindKey) {
  return h('div', { class: 'tablewrap' }, h('table', { class: 'list', 'data-due': kindKey },
    h('caption', {}, t(`centre.${kindKey}`, { n: items.length })),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('centre.follow_up')),
      h('th', { scope: 'col' }, t('cases.ref')),
      h('th', { scope: 'col' }, t('cases.name')),
      h('th', { scope: 'col' }, t('centre.assigned')),
      h('th', { scope: 'col' }, t('cases.status')))),
    h('tbody', {}, items.map((c) => h('tr', { 'data-ref': c.ref },
      h('td', {}, formatDate(c.follow_up)),
      h('td', {}, caseLink(c.ref)),
      h('td', { lang: '' }, caseLink(c.ref, c.name || t('cases.noname'))),
      h('td', { lang: '' }, c.assigned || '—'),
      h('td', {}, c.status ? vocab('status', c.status) : '—'))))));
}

export async function renderDue(root, app) {
  const out = h('div', { 'aria-live': 'polite', id: 'due-results' });
  const aid = id('due-for');
  const [input, dl] = nameInput(aid, dueFor);
  const load = async () => {
    dueFor = input.value.trim();
    try {
      const r = await api.get('/due', { assigned: dueFor || null });
      clear(out);
      out.append(h('p', { class: 'muted', id: 'due-count' }, t('centre.due_count', { o: r.overdue.length, d: r.due_today.length, day: formatDate(r.today) })));
      if (!r.total) out.append(h('p', {}, t('centre.due_none')));
      if (r.overdue.length) out.append(dueTable(r.overdue, 'overdue'));
      if (r.due_today.length) out.append(dueTable(r.due_today, 'due_today'));
    } catch (e) {
      clear(out);
      out.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e))));
    }
  };
  const form = h('form', { class: 'row filters noprint', onsubmit: (ev) => { ev.preventDefault(); load(); } },
    h('div', { class: 'field' }, h('label', { for: aid }, t('centre.due_for')), input, dl),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'secondary', 'data-action': 'due-filter' }, t('centre.show'))));
  root.append(h('div', { class: 'pagehead' }, h('h1', {}, t('centre.due_title')),
    h('button', { type: 'button', class: 'secondary noprint', onclick: () => window.print() }, t('centre.print'))),
  h('p', { class: 'muted' }, t('centre.due_intro')), form, out);
  await load();
}

// --- the referral sheet ---------------------------------------------------------

function sheetValue(field, v) {
  if (v == null) return '—';
  const f = fieldAt('case', field);
  if (f && f.type === 'enum') return vocabLabel(f, v);
  if (f && f.type === 'enum_list' && Array.isArray(v)) return v.map((x) => vocabLabel(f, x)).join(', ');
  if (f && f.type === 'date') return formatDate(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  return h('pre', { class: 'small', lang: '' }, JSON.stringify(v, null, 2));
}

export async function renderReferral(root, app, params) {
  const ref = params[0];
  const [fields, rec] = await Promise.all([api.get('/referral/fields'), api.get('/case', { ref })]);
  const b = rec.body || {};
  const pid = id('partner');
  const partner = h('input', { type: 'text', id: pid, autocomplete: 'off', 'data-field': 'partner' });
  const boxes = fields.items.map((f) => h('input', { type: 'checkbox', value: f.field, 'data-referral-field': f.field }));
  const lid = id('lbl');
  const msg = h('div', { class: 'errors', role: 'alert', hidden: true });
  const sheet = h('div', { id: 'referral-sheet', 'aria-live': 'polite' });
  const consent = b.consent && b.consent.sharing === true;
  const form = h('form', { class: 'card noprint', novalidate: true },
    consent ? null : h('p', { class: 'danger-box' }, t('centre.referral_no_consent')),
    h('div', { class: 'field' }, h('label', { for: pid }, t('centre.partner')), partner),
    h('div', { class: 'field wide' },
      h('span', { id: lid, class: 'lbl' }, h('strong', {}, t('centre.referral_fields'))),
      h('div', { class: 'checks', role: 'group', 'aria-labelledby': lid },
        fields.items.map((f, i) => h('label', {}, boxes[i], current() === 'ko' ? f.ko : f.en)))),
    h('div', { class: 'formbar' },
      h('button', { type: 'submit', 'data-action': 'make-referral', disabled: !consent }, t('centre.referral_make')),
      h('a', { class: 'btn secondary', href: `#/case/${encodeURIComponent(ref)}` }, t('dialog.cancel'))),
    msg);
  const watch = drafts.keep(app, form, {
    key: `#/case/${encodeURIComponent(ref)}/referral`,
    title: t('centre.referral_title', { ref }),
    collect: () => ({ partner: partner.value, fields: boxes.filter((x) => x.checked).map((x) => x.value) }),
    apply: (d) => {
      partner.value = d ? d.partner || '' : '';
      for (const x of boxes) x.checked = !!(d && (d.fields || []).includes(x.value));
    },
    empty: (d) => !d.partner.trim() && !d.fields.length,
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.hidden = true;
    try {
      const s = await api.post('/referral', { ref, partner: partner.value.trim(), fields: boxes.filter((x) => x.checked).map((x) => x.value) });
      await watch.saved();
      clear(sheet);
      sheet.append(h('section', { class: 'card sheet', 'data-section': 'referral-sheet' },
        h('h2', {}, t('centre.sheet_title', { ref: s.ref })),
        h('p', {}, t('centre.sheet_line', { partner: s.partner, date: formatDate(s.date), by: s.by })),
        h('dl', { class: 'kv' }, s.fields.flatMap((f) => [h('dt', {}, current() === 'ko' ? f.ko : f.en), h('dd', { lang: '' }, sheetValue(f.field, f.value))])),
        h('button', { type: 'button', class: 'noprint', 'data-action': 'print-sheet', onclick: () => window.print() }, t('centre.print'))));
      app.banner(t('centre.referral_done'));
    } catch (e) {
      clear(msg);
      msg.append(h('p', {}, app.errorText(e)));
      msg.hidden = false;
    }
  });
  root.append(h('h1', {}, t('centre.referral_title', { ref })), h('p', { class: 'muted noprint' }, t('centre.referral_intro')), form, sheet);
}
