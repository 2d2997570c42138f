// form — generates the intake and edit forms from the schema: a control per
// field type (text, lists, vocabularies as choices, dates with a precision,
// repeatable groups such as journey stages and incidents, links to other
// cases), fills them from a body, collects them back into a body, and shows
// the server's validation error at the field it names ("journey[2].date").

import { h, id, clear, debounce } from './dom.js';
import { t, label } from './i18n.js';
import * as api from './api.js';
import { vocab, dateForms } from './schema.js';

const WIDE = new Set(['text', 'group', 'list_of_groups', 'string_list', 'enum_list']);

function empty(v) {
  return v === undefined || (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

function fieldLabel(f, forId, extra) {
  return h('label', { for: forId, class: f.required ? 'req' : null }, label(f.label), extra || null);
}

function wrap(f, control, labelEl) {
  const err = h('p', { class: 'err', id: id('err'), hidden: true });
  const span2 = (f.type === 'string' && f.max_bytes >= 200) || f.type === 'date';
  const el = h('div', { class: `field${WIDE.has(f.type) ? ' wide' : span2 ? ' span2' : ''}`, 'data-field': f.name }, labelEl, control, err);
  return { el, err };
}

function values(f) {
  return f.values || vocab(f.vocabulary);
}

// --- leaf controls -------------------------------------------------------

function textControl(f, ctx) {
  const cid = id('f');
  const multi = f.type === 'text';
  const input = multi
    ? h('textarea', { id: cid, rows: f.max_bytes > 8192 ? 6 : 3 })
    : h('input', { id: cid, type: 'text', autocomplete: 'off', spellcheck: 'false' });
  if (f.required) input.setAttribute('aria-required', 'true');
  let hint = null;
  if (f.type === 'ref' && ctx.top) {
    hint = h('span', { class: 'hint' }, ctx.editing ? t('form.ref_fixed') : t('form.ref_hint'));
    if (ctx.editing) input.readOnly = true;
  }
  if (f.type === 'ref' && !ctx.top) {
    // a link to another case: suggest cases by name as the person types
    const listId = id('dl');
    const dl = h('datalist', { id: listId });
    input.setAttribute('list', listId);
    hint = h('span', { class: 'hint' }, t('form.case_link_hint'));
    const suggest = debounce(async () => {
      const q = input.value.trim();
      if (q.length < 1) return;
      try {
        const r = await api.get('/search', { q, limit: 8 });
        clear(dl);
        for (const it of r.items) dl.append(h('option', { value: it.ref }, `${it.name} · ${it.ref}`));
      } catch (e) {
        /* suggestions are a convenience */
      }
    }, 250);
    input.addEventListener('input', suggest);
    const { el, err } = wrap(f, h('div', {}, input, dl), fieldLabel(f, cid, hint ? [' ', hint] : null));
    return leaf(el, err, input, () => input.value.trim() || undefined, (v) => { input.value = v == null ? '' : String(v); });
  }
  const { el, err } = wrap(f, input, fieldLabel(f, cid, hint ? [' ', hint] : null));
  return leaf(el, err, input, () => {
    const v = multi ? input.value : input.value.trim();
    return v.trim() === '' ? undefined : v;
  }, (v) => { input.value = v == null ? '' : String(v); });
}

function numberControl(f) {
  const cid = id('f');
  const input = h('input', {
    id: cid, type: 'number', inputmode: f.type === 'int' ? 'numeric' : 'decimal',
    step: f.type === 'int' ? '1' : 'any', min: f.min, max: f.max,
  });
  const { el, err } = wrap(f, input, fieldLabel(f, cid));
  return leaf(el, err, input, () => {
    if (input.value === '') return undefined;
    const n = Number(input.value);
    return Number.isFinite(n) ? n : input.value;
  }, (v) => { input.value = v == null ? '' : String(v); });
}

function enumControl(f) {
  const cid = id('f');
  const sel = h('select', { id: cid }, h('option', { value: '' }, t('form.choose')),
    values(f).map((v) => h('option', { value: v.id }, label(v))));
  if (f.required) sel.setAttribute('aria-required', 'true');
  const { el, err } = wrap(f, sel, fieldLabel(f, cid));
  return leaf(el, err, sel, () => sel.value || undefined, (v) => { sel.value = v == null ? '' : v; });
}

function boolControl(f) {
  const cid = id('f');
  const sel = h('select', { id: cid },
    h('option', { value: '' }, t('form.unstated')),
    h('option', { value: 'yes' }, t('form.yes')),
    h('option', { value: 'no' }, t('form.no')));
  const { el, err } = wrap(f, sel, fieldLabel(f, cid));
  return leaf(el, err, sel, () => (sel.value === '' ? undefined : sel.value === 'yes'),
    (v) => { sel.value = v === true ? 'yes' : v === false ? 'no' : ''; });
}

function enumListControl(f) {
  const lid = id('l');
  const boxes = values(f).map((v) => h('input', { type: 'checkbox', value: v.id }));
  const group = h('div', { class: 'checks', role: 'group', 'aria-labelledby': lid },
    values(f).map((v, i) => h('label', {}, boxes[i], label(v))));
  const err = h('p', { class: 'err', id: id('err'), hidden: true });
  const el = h('div', { class: 'field wide', 'data-field': f.name },
    h('span', { id: lid, class: `lbl${f.required ? ' req' : ''}` }, h('strong', {}, label(f.label))), group, err);
  return leaf(el, err, boxes[0] || group, () => {
    const v = boxes.filter((b) => b.checked).map((b) => b.value);
    return v.length ? v : undefined;
  }, (v) => {
    const set = new Set(Array.isArray(v) ? v : []);
    for (const b of boxes) b.checked = set.has(b.value);
  });
}

function stringListControl(f) {
  const lid = id('l');
  const list = h('div', { class: 'strlist' });
  const items = [];
  const addItem = (v) => {
    const input = h('input', { type: 'text', autocomplete: 'off', 'aria-labelledby': lid, value: v || '' });
    const row = h('div', { class: 'item' }, input,
      h('button', {
        type: 'button', class: 'secondary', 'aria-label': t('form.remove_item'),
        onclick: () => { row.remove(); items.splice(items.indexOf(input), 1); },
      }, '×'));
    items.push(input);
    list.append(row);
    return input;
  };
  const add = h('button', { type: 'button', class: 'secondary', onclick: () => addItem('').focus() }, t('form.add_name'));
  const err = h('p', { class: 'err', id: id('err'), hidden: true });
  const el = h('div', { class: 'field wide', 'data-field': f.name },
    h('span', { id: lid }, h('strong', {}, label(f.label))), list, h('div', {}, add), err);
  const c = leaf(el, err, add, () => {
    const v = items.map((i) => i.value.trim()).filter((s) => s);
    return v.length ? v : undefined;
  }, (v) => {
    clear(list);
    items.length = 0;
    for (const s of Array.isArray(v) ? v : []) addItem(s);
  });
  c.locate = (segs) => {
    const m = segs.length ? /\[(\d+)\]/.exec(segs[0]) : null;
    return m && items[Number(m[1])] ? { input: items[Number(m[1])], err } : { input: add, err };
  };
  return c;
}

function dateControl(f) {
  const cid = id('f');
  const lim = dateForms();
  const precision = h('select', { class: 'precision', id: cid, 'aria-label': t('date.precision') },
    h('option', { value: '' }, t('date.none')),
    h('option', { value: 'year' }, t('date.year_only')),
    h('option', { value: 'month' }, t('date.year_month')),
    h('option', { value: 'day' }, t('date.full')));
  const year = h('input', { type: 'number', class: 'year', min: lim.min_year, max: lim.max_year, step: '1', inputmode: 'numeric', 'aria-label': t('date.year'), placeholder: t('date.year') });
  const month = h('select', { class: 'month', 'aria-label': t('date.month') },
    h('option', { value: '' }, t('date.month')),
    Array.from({ length: 12 }, (_, i) => h('option', { value: String(i + 1).padStart(2, '0') }, t(`month.${i + 1}`))));
  const day = h('input', { type: 'number', class: 'day', min: 1, max: 31, step: '1', inputmode: 'numeric', 'aria-label': t('date.day'), placeholder: t('date.day') });
  const sync = () => {
    const p = precision.value;
    year.hidden = p === '';
    month.hidden = p === '' || p === 'year';
    day.hidden = p !== 'day';
  };
  precision.addEventListener('change', () => { sync(); if (!year.hidden) year.focus(); });
  const box = h('div', { class: 'date' }, precision, year, month, day);
  const { el, err } = wrap(f, box, fieldLabel(f, cid));
  sync();
  return leaf(el, err, precision, () => {
    const p = precision.value;
    if (!p) return undefined;
    const y = year.value.trim();
    if (!y) return undefined;
    let s = y; // not padded: "19" is a short year, and the message says so
    if (p === 'month' || p === 'day') s += `-${month.value || '00'}`;
    if (p === 'day') s += `-${String(day.value || '0').padStart(2, '0')}`;
    return s;
  }, (v) => {
    const m = typeof v === 'string' ? /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(v) : null;
    precision.value = m ? (m[3] ? 'day' : m[2] ? 'month' : 'year') : '';
    year.value = m ? m[1] : '';
    month.value = m && m[2] ? m[2] : '';
    day.value = m && m[3] ? String(Number(m[3])) : '';
    sync();
  });
}

function leaf(el, err, input, get, set) {
  return { el, get, set, locate: () => ({ input, err }) };
}

// --- groups --------------------------------------------------------------

function groupControl(f, ctx, legendText, isRoot) {
  const kids = f.fields.map((sub) => control(sub, { ...ctx, top: !!isRoot }));
  const grid = h('div', { class: 'grid' }, kids.map((k) => k.el));
  const err = h('p', { class: 'err', id: id('err'), hidden: true });
  const el = h('fieldset', { 'data-field': f.name, class: 'wide' }, h('legend', {}, legendText || label(f.label)), err, grid);
  return {
    el,
    get() {
      const o = {};
      f.fields.forEach((sub, i) => {
        const v = kids[i].get();
        if (!empty(v)) o[sub.name] = v;
      });
      return Object.keys(o).length ? o : undefined;
    },
    set(v) {
      f.fields.forEach((sub, i) => kids[i].set(v && typeof v === 'object' ? v[sub.name] : undefined));
    },
    locate(segs) {
      if (!segs.length) return { input: el.querySelector('input,select,textarea,button') || el, err };
      const name = segs[0].replace(/\[\d+\]$/, '');
      const i = f.fields.findIndex((x) => x.name === name);
      if (i < 0) return { input: el, err };
      const rest = /\[\d+\]$/.test(segs[0]) ? [segs[0].replace(/^[^[]+/, ''), ...segs.slice(1)] : segs.slice(1);
      return kids[i].locate(rest);
    },
  };
}

const ADD_KEYS = { journey: 'form.add_stage', incidents: 'form.add_incident', services: 'form.add_service', family: 'form.add_family', perpetrators: 'form.add_perpetrator', candidates: 'form.add_item' };

function listControl(f, ctx) {
  const items = [];
  const box = h('div', { class: 'items' });
  const err = h('p', { class: 'err', id: id('err'), hidden: true });
  const renumber = () => items.forEach((it, i) => {
    it.legend.textContent = t('form.item', { label: label(f.label), n: i + 1 });
  });
  const addItem = (v) => {
    const g = groupControl({ ...f, type: 'group' }, { ...ctx, top: false }, t('form.item', { label: label(f.label), n: items.length + 1 }));
    const it = { g, legend: g.el.querySelector('legend') };
    g.el.classList.add('list-item');
    g.el.removeAttribute('data-field'); // the list holds the name; items are numbered
    const remove = h('button', {
      type: 'button', class: 'secondary remove',
      onclick: () => {
        items.splice(items.indexOf(it), 1);
        g.el.remove();
        renumber();
        addBtn.focus();
      },
    }, t('form.remove'));
    it.legend.after(remove);
    g.set(v);
    items.push(it);
    box.append(g.el);
    return g;
  };
  const addBtn = h('button', {
    type: 'button', class: 'secondary',
    onclick: () => {
      const g = addItem(undefined);
      const first = g.el.querySelector('input,select,textarea');
      if (first) first.focus();
    },
  }, t(ADD_KEYS[f.name] || 'form.add_item'));
  const el = h('fieldset', { 'data-field': f.name, class: 'wide' }, h('legend', {}, label(f.label)), err, box, addBtn);
  return {
    el,
    get() {
      const v = items.map((it) => it.g.get()).filter((x) => !empty(x));
      return v.length ? v : undefined;
    },
    set(v) {
      items.splice(0).forEach((it) => it.g.el.remove());
      for (const x of Array.isArray(v) ? v : []) addItem(x);
    },
    locate(segs) {
      const m = segs.length ? /^\[(\d+)\]$/.exec(segs[0]) : null;
      if (m && items[Number(m[1])]) return items[Number(m[1])].g.locate(segs.slice(1));
      return { input: addBtn, err };
    },
  };
}

function control(f, ctx) {
  switch (f.type) {
    case 'group': return groupControl(f, ctx);
    case 'list_of_groups': return listControl(f, ctx);
    case 'enum': return enumControl(f);
    case 'enum_list': return enumListControl(f);
    case 'string_list': return stringListControl(f);
    case 'date': return dateControl(f);
    case 'int':
    case 'number': return numberControl(f);
    case 'bool': return boolControl(f);
    default: return textControl(f, ctx); // string, text, ref
  }
}

// Splits "journey[2].date" into ["journey", "[2]", "date"] for locate().
function segments(path) {
  const out = [];
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return out;
    out.push(m[1]);
    for (const idx of m[2].match(/\[\d+\]/g) || []) out.push(idx);
  }
  return out;
}

// Builds the form of a kind ({fields}) for a new record or an edit.
export function buildForm(kindSchema, body, { editing = false } = {}) {
  const root = groupControl({ name: '', fields: kindSchema.fields, type: 'group' }, { editing }, '', true);
  // the top level has no frame of its own: its fields stand as sections
  const el = h('div', { class: 'generated' });
  const legend = root.el.querySelector('legend');
  legend.remove();
  root.el.classList.add('top-level');
  el.append(root.el);
  if (body) root.set(body);
  let marked = [];
  el.addEventListener('input', (ev) => {
    for (const m of marked) {
      if (m.input === ev.target || (m.input.closest && m.input.closest('.field') && m.input.closest('.field').contains(ev.target))) {
        m.input.removeAttribute('aria-invalid');
        m.err.hidden = true;
      }
    }
  });
  return {
    el,
    collect: () => root.get() || {},
    clearErrors() {
      for (const { input, err } of marked) {
        input.removeAttribute('aria-invalid');
        err.hidden = true;
        err.textContent = '';
      }
      marked = [];
    },
    // Marks the field the server named and focuses it; returns whether found.
    showError(path, message) {
      this.clearErrors();
      const segs = segments(path || '');
      const topName = segs[0];
      const idx = kindSchema.fields.findIndex((x) => x.name === topName);
      if (idx < 0) return false;
      const target = root.locate(segs);
      target.input.setAttribute('aria-invalid', 'true');
      target.err.textContent = message;
      target.err.hidden = false;
      if (target.input.id || target.input.tagName) {
        target.input.setAttribute('aria-describedby', target.err.id);
      }
      marked.push(target);
      target.input.focus();
      target.input.scrollIntoView({ block: 'center' });
      return true;
    },
  };
}
