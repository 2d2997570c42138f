// conflict — an edit conflict, shown the same way on every form: someone saved
// a newer version while this person was typing. Nothing was overwritten; the
// panel lists the fields that differ, theirs (saved meanwhile) beside what was
// typed, and the form keeps the typing (saving again puts it on top).
// Used by the case form, the tracing request form, the assignment and the
// review decision.

import { h } from './dom.js';
import { t } from './i18n.js';
import { pathLabel } from './schema.js';

// "journey[1].place" -> value, for every leaf of a body
export function flatten(v, path = '', out = {}) {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) flatten(x, path ? `${path}.${k}` : k, out);
  else if (v !== undefined && v !== null && v !== '') out[path] = String(v);
  return out;
}

// Both versions of the fields that differ. kindName names the schema kind
// whose labels name the fields; opts.labels {path: text} names others;
// opts.show(path, value) turns a stored value into words (vocabularies);
// opts.record: the title says "record", not "case".
export function conflictPanel(kindName, theirs, mine, version, opts = {}) {
  const a = flatten(theirs);
  const b = flatten(mine);
  const show = opts.show || ((k, v) => v);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
  const rows = keys.map((k) => h('tr', {},
    h('th', { scope: 'row' }, (opts.labels && opts.labels[k]) || pathLabel(kindName, k) || k),
    h('td', { 'data-side': 'theirs', lang: '' }, a[k] ? show(k, a[k]) : '—'),
    h('td', { 'data-side': 'mine', lang: '' }, b[k] ? show(k, b[k]) : '—')));
  const hid = `conflict-h-${Math.random().toString(36).slice(2, 8)}`;
  return h('section', { class: 'card conflict', 'data-conflict': String(version), 'aria-labelledby': hid },
    h('h2', { id: hid }, t(opts.record ? 'conflict.title_record' : 'conflict.title', { v: version })),
    h('p', {}, t('conflict.intro')),
    h('div', { class: 'tablewrap', tabindex: '0', role: 'region', 'aria-label': t('conflict.caption') }, h('table', {},
      h('caption', {}, t('conflict.caption')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('conflict.field')),
        h('th', { scope: 'col' }, t('conflict.theirs', { v: version })),
        h('th', { scope: 'col' }, t('conflict.mine')))),
      h('tbody', {}, rows))));
}
