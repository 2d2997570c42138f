// history — every version of a case, newest first, each with what changed
// from the version before (field by field, with the schema's labels).

import { h, append } from '../dom.js';
import { t, formatTime, formatDate } from '../i18n.js';
import * as api from '../api.js';
import { pathLabel, fieldAt, vocabLabel } from '../schema.js';
import { actionLabel } from './view.js';
import { personLine } from './people.js';

function flat(v, prefix, out) {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) out.set(prefix, v);
    else v.forEach((x, i) => flat(x, `${prefix}[${i}]`, out));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) flat(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, v);
  }
  return out;
}

function show(path, v) {
  if (v === undefined) return '';
  const f = fieldAt('case', path.replace(/\[\d+\]/g, ''));
  if (f && f.type === 'enum') return vocabLabel(f, v);
  if (f && f.type === 'enum_list' && Array.isArray(v)) return v.map((x) => vocabLabel(f, x)).join(', ');
  if (f && f.type === 'date') return formatDate(v);
  if (f && f.type === 'bool') return v ? t('form.yes') : t('form.no');
  if (Array.isArray(v)) return v.join(', ');
  const s = String(v);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

function diff(prev, cur) {
  const a = flat(prev || {}, '', new Map());
  const b = flat(cur || {}, '', new Map());
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const items = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = b.get(k);
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    items.push(h('li', {},
      h('span', { class: 'path' }, pathLabel('case', k) || k), ': ',
      x !== undefined ? h('del', { lang: '' }, show(k, x)) : null,
      x !== undefined && y !== undefined ? ' → ' : null,
      y !== undefined ? h('ins', { lang: '' }, show(k, y)) : h('em', {}, ` ${t('history.removed')}`)));
  }
  return items;
}

// The attachments' versions (added, removed) are part of the case's history.
async function attachmentHistory(ref) {
  let r;
  try {
    r = await api.get('/attachments/history', { case: ref });
  } catch (e) {
    return null;
  }
  if (!r.versions.length) return null;
  return h('section', { class: 'card', 'data-section': 'attachment-history' },
    h('h2', {}, t('attach.history_title')),
    h('ul', {}, r.versions.slice().reverse().map((v) => h('li', { 'data-version': `${v.id}:${v.version}` },
      `${formatTime(v.at)} · `, h('span', { class: 'badge' }, actionLabel(v.action)), ' ', h('span', { lang: '' }, v.name)))));
}

export async function render(root, app, params) {
  const ref = params[0];
  const rec = await api.get('/case', { ref });
  const hist = await api.get('/history', { id: rec.id });
  const versions = hist.versions;
  const list = [];
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i];
    const changes = i === 0 ? null : diff(versions[i - 1].body, v.body);
    list.push(h('section', { class: `version${i === versions.length - 1 ? ' current' : ''}`, 'data-version': v.version },
      h('h2', {}, t('history.version', { v: v.version }), ' ', h('span', { class: 'badge' }, actionLabel(v.action))),
      h('p', { class: 'muted small', 'data-person': (v.person && v.person.id) || 'main' },
        `${formatTime(v.at)} · ${personLine(v.person)}${v.signed === 'person' ? ` (${t('history.signed_person')})` : v.signed === 'other' ? ` (${t('history.signed_other')})` : ''} · ${t('history.device')} ${v.device}`),
      v.note ? h('p', {}, t('history.note'), ': ', h('span', { lang: '' }, v.note)) : null,
      changes === null ? h('p', {}, t('history.first')) :
        changes.length ? h('ul', { class: 'diff' }, changes) : h('p', { class: 'muted' }, t('history.nochange'))));
  }
  append(root, [
    h('div', { class: 'pagehead' },
      h('h1', {}, t('history.title', { ref: rec.ref })),
      h('a', { class: 'btn secondary', href: `#/case/${encodeURIComponent(rec.ref)}` }, t('history.back'))),
    hist.damaged ? h('div', { class: 'errors', role: 'alert' }, h('p', {}, t('history.damaged'))) : null,
    h('p', { class: 'muted' }, t('history.count', { n: versions.length })),
    list,
    await attachmentHistory(rec.ref)]);
}
