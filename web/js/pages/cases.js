// cases — the case list (newest first, paged) and name search: Hangul or any
// romanization ("방미선", "Pang Mi-sŏn", "Bang Mi Sun" find the same person).

import { h, clear, debounce } from '../dom.js';
import { t, formatDate, formatTime } from '../i18n.js';
import * as api from '../api.js';
import { fieldAt, vocabLabel } from '../schema.js';

const PAGE = 50;
let lastQuery = '';
let lastOffset = 0;

// Previous / next over `total` results from `offset`; `go` runs the new page.
function pager(offset, total, go) {
  const prev = h('button', { type: 'button', class: 'secondary', disabled: offset === 0,
    onclick: () => go(Math.max(0, offset - PAGE)) }, t('cases.prev'));
  const next = h('button', { type: 'button', class: 'secondary', disabled: offset + PAGE >= total,
    onclick: () => go(offset + PAGE) }, t('cases.next'));
  return h('div', { class: 'pager' }, prev,
    h('span', {}, t('cases.page', { from: offset + 1, to: Math.min(offset + PAGE, total), n: total })), next);
}

// the list's filters and order (casework/cases.h applies them, as `kith list`)
const FILTERS = [['status', 'status'], ['province', 'person.origin.province'], ['need', 'needs'], ['sex', 'person.sex']];
let filters = { status: '', province: '', need: '', sex: '', sort: 'recent', assigned: '', has_conflict: '', due: '' };
// filters of the caseworker's day (centre.js): who has the case, records that disagree, due
const WORK = ['assigned', 'has_conflict', 'due'];

let searchOffset = 0; // the page of the search results (a new query starts at 0)

window.addEventListener('kith:wiped', () => {
  lastQuery = ''; lastOffset = 0; searchOffset = 0;
  filters = { status: '', province: '', need: '', sex: '', sort: 'recent', assigned: '', has_conflict: '', due: '' };
});

// One select per filter, with "any" first, and the order; a change shows the first page.
function filterBar(onChange) {
  const sels = FILTERS.map(([name, path]) => {
    const f = fieldAt('case', path);
    const sid = `filter-${name}`;
    const sel = h('select', { id: sid, 'data-filter': name },
      h('option', { value: '' }, t('cases.any')),
      ...(f ? (f.values || []).map((v) => h('option', { value: v.id }, vocabLabel(f, v.id))) : []));
    sel.value = filters[name];
    sel.addEventListener('change', () => { filters[name] = sel.value; lastOffset = 0; onChange(); });
    return h('div', { class: 'field' }, h('label', { for: sid }, t(`cases.filter_${name}`)), sel);
  });
  const sort = h('select', { id: 'filter-sort', 'data-filter': 'sort' },
    h('option', { value: 'recent' }, t('cases.sort_recent')),
    h('option', { value: 'ref' }, t('cases.sort_ref')),
    h('option', { value: 'name' }, t('cases.sort_name')),
    h('option', { value: 'follow-up' }, t('cases.sort_follow_up')));
  sort.value = filters.sort;
  sort.addEventListener('change', () => { filters.sort = sort.value; lastOffset = 0; onChange(); });
  return h('div', { class: 'row filters', role: 'group', 'aria-label': t('cases.filters') }, ...sels, ...workFilters(onChange),
    h('div', { class: 'field' }, h('label', { for: 'filter-sort' }, t('cases.sort')), sort));
}

// The other records of the same person (confirmed links), and whether they disagree.
function samePerson(it) {
  if (!it.same_person || !it.same_person.length) return null;
  return h('span', { class: 'same small', 'data-same-person': it.same_person.join(' ') }, ' ',
    h('span', { class: 'badge' }, t('cases.same_person', { n: it.same_person.length + 1 })), ' ',
    it.same_person.map((r, i) => [i ? ', ' : '', h('a', { href: `#/case/${encodeURIComponent(r)}` }, r)]),
    it.conflict ? [' ', h('span', { class: 'badge conflict' }, t('cases.conflict'))] : null);
}

// Assigned to (names used before, or unassigned), records that disagree, due.
function workFilters(onChange) {
  const sel = h('select', { id: 'filter-assigned', 'data-filter': 'assigned' },
    h('option', { value: '' }, t('cases.any')), h('option', { value: '-' }, t('cases.unassigned')));
  api.get('/assignees').then((r) => {
    for (const x of r.items) sel.append(h('option', { value: x.name }, x.name));
    sel.value = filters.assigned;
  }).catch(() => {});
  sel.addEventListener('change', () => { filters.assigned = sel.value; lastOffset = 0; onChange(); });
  const box = (name) => {
    const b = h('input', { type: 'checkbox', id: `filter-${name}`, 'data-filter': name, checked: filters[name] === '1' });
    b.addEventListener('change', () => { filters[name] = b.checked ? '1' : ''; lastOffset = 0; onChange(); });
    return h('div', { class: 'field check' }, h('label', { for: `filter-${name}` }, b, ' ', t(`cases.filter_${name}`)));
  };
  return [h('div', { class: 'field' }, h('label', { for: 'filter-assigned' }, t('cases.filter_assigned')), sel),
    box('has_conflict'), box('due')];
}

function vocabCell(path, id) {
  if (!id) return '';
  const f = fieldAt('case', path);
  return f ? vocabLabel(f, id) : id;
}

function table(items, searching) {
  const head = h('tr', {},
    h('th', { scope: 'col' }, t('cases.ref')),
    h('th', { scope: 'col' }, t('cases.name')),
    searching ? h('th', { scope: 'col' }, t('cases.matched')) : null,
    searching ? h('th', { scope: 'col', class: 'num' }, t('cases.score')) : null,
    h('th', { scope: 'col' }, t('cases.sex')),
    h('th', { scope: 'col' }, t('cases.birth')),
    h('th', { scope: 'col' }, t('cases.province')),
    h('th', { scope: 'col' }, t('cases.status')),
    h('th', { scope: 'col' }, t('cases.updated')));
  const rows = items.map((it) => h('tr', { 'data-ref': it.ref },
    h('td', {}, h('a', { href: `#/case/${encodeURIComponent(it.ref)}` }, it.ref)),
    h('td', { lang: '' }, h('a', { href: `#/case/${encodeURIComponent(it.ref)}` }, it.name || t('cases.noname')), samePerson(it)),
    searching ? h('td', { lang: '' }, it.matched && it.matched !== it.name ? it.matched : '') : null,
    searching ? h('td', { class: 'num' }, h('span', { class: 'score' }, `${Math.round((it.score || 0) * 100)}%`)) : null,
    h('td', {}, vocabCell('person.sex', it.sex)),
    h('td', {}, formatDate(it.birth)),
    h('td', {}, vocabCell('person.origin.province', it.province)),
    h('td', {}, it.status ? h('span', { class: `badge ${it.status}` }, vocabCell('status', it.status)) : ''),
    h('td', { class: 'small muted' }, `v${it.version} · ${formatTime(it.at)}`)));
  return h('div', { class: 'tablewrap' }, h('table', {},
    h('caption', { class: 'skip' }, searching ? t('cases.results_caption') : t('cases.list_caption')),
    h('thead', {}, head), h('tbody', {}, rows)));
}

export async function render(root, app) {
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  const input = h('input', {
    type: 'search', id: 'case-search', value: lastQuery, autocomplete: 'off', spellcheck: 'false',
    placeholder: t('cases.search_placeholder'), 'aria-describedby': 'search-hint',
  });
  const run = async () => {
    const q = input.value.trim();
    if (q !== lastQuery) searchOffset = 0;
    lastQuery = q;
    try {
      if (q) {
        const r = await api.get('/search', { q, limit: PAGE, offset: searchOffset });
        clear(results);
        results.append(h('p', { class: 'muted', id: 'result-count' }, t('cases.found', { n: r.total })));
        if (r.items.length) results.append(table(r.items, true));
        else results.append(h('p', {}, t('cases.nothing')));
        if (r.total > PAGE) results.append(pager(searchOffset, r.total, (o) => { searchOffset = o; run(); }));
      } else {
        const query = { offset: lastOffset, limit: PAGE, sort: filters.sort };
        for (const name of [...FILTERS.map(([n]) => n), ...WORK]) if (filters[name]) query[name] = filters[name];
        const r = await api.get('/cases', query);
        clear(results);
        const filtered = FILTERS.some(([name]) => filters[name]) || WORK.some((name) => filters[name]);
        results.append(h('p', { class: 'muted', id: 'result-count' },
          t(filtered ? 'cases.total_filtered' : `cases.total_${filters.sort}`, { n: r.total })));
        if (r.items.length) results.append(table(r.items, false));
        else if (filtered) results.append(h('p', {}, t('cases.none_filtered')));
        else results.append(h('p', {}, t('cases.empty'), ' ', h('a', { href: '#/new' }, t('cases.first'))));
        if (r.total > PAGE) results.append(pager(lastOffset, r.total, (o) => { lastOffset = o; run(); }));
      }
    } catch (e) {
      clear(results);
      results.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e))));
    }
    results.dataset.query = q; // what the results show (tests wait on it)
  };
  const live = debounce(run, 300);
  input.addEventListener('input', live);
  const form = h('form', { class: 'search', role: 'search', onsubmit: (ev) => { ev.preventDefault(); run(); } },
    h('label', { for: 'case-search', class: 'skip' }, t('cases.search_label')),
    input,
    h('button', { type: 'submit' }, t('cases.search_button')));
  // records that failed verification (tampering, damage) are never shown, only counted
  let damaged = null;
  try {
    const info = await api.get('/info');
    if (info.damaged > 0) damaged = h('div', { class: 'errors', role: 'alert' }, h('p', {}, t('cases.damaged', { n: info.damaged })));
  } catch (e) {
    damaged = null;
  }
  root.append(
    damaged || '',
    h('div', { class: 'pagehead' }, h('h1', {}, t('cases.title')),
      h('a', { class: 'btn', href: '#/new' }, t('nav.new'))),
    form,
    h('p', { id: 'search-hint', class: 'small muted' }, t('cases.search_hint')),
    filterBar(() => { if (!input.value.trim()) run(); }),
    results);
  await run();
}
