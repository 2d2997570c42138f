// sync — field devices and bundles (send records on a USB stick, receive
// them) and conflicts: two versions of one case written apart on two
// devices, side by side, chosen field by field into a new version
// (api_sync.h; the CLI's kith device list, kith bundle, kith resolve).

import { h, id, append } from '../dom.js';
import { t, label, formatTime } from '../i18n.js';
import * as api from '../api.js';
import { kind } from '../schema.js';
import { groupView } from './view.js';

const BUNDLE_MAX = 16 * 1024 * 1024;

function fieldOf(name) {
  const ks = kind('case');
  return ks ? ks.fields.find((x) => x.name === name) : null;
}

// One side's value of a top-level field, as the case page shows it.
function valueView(name, v) {
  if (v === undefined || v === null) return h('em', { class: 'muted' }, t('sync.absent'));
  const fd = fieldOf(name);
  if (fd && fd.type === 'group' && typeof v === 'object') return groupView(fd.fields, v);
  if (fd && fd.type === 'list_of_groups' && Array.isArray(v)) {
    return h('div', {}, v.map((item) => h('div', { class: 'card' }, groupView(fd.fields, item))));
  }
  return h('p', { class: 'prose', lang: '' }, typeof v === 'string' ? v : JSON.stringify(v));
}

// A banner on the case page when the case has a conflict (nothing otherwise).
export async function conflictBanner(ref) {
  try {
    await api.get('/sync/conflict', { ref });
  } catch (e) {
    return null;
  }
  return h('div', { class: 'warning', role: 'note', 'data-section': 'conflict' },
    h('strong', {}, t('sync.conflict_title')), ' ', t('sync.conflict_banner'), ' ',
    h('a', { href: `#/sync/conflict/${encodeURIComponent(ref)}`, 'data-action': 'resolve' }, t('sync.resolve_link')));
}

async function renderConflict(root, app, ref) {
  const c = await api.get('/sync/conflict', { ref });
  const sides = c.sides || [];
  const choice = {};
  const form = h('form', { class: 'card', novalidate: true });
  const table = h('table', { class: 'conflict' }, h('caption', {}, t('sync.conflict_caption')));
  table.append(h('thead', {}, h('tr', {},
    h('th', { scope: 'col' }, t('sync.field')),
    sides.map((s) => h('th', { scope: 'col' }, t('sync.side', { side: s.side, v: s.version, device: s.device }))))));
  const body = h('tbody');
  for (const name of c.fields || []) {
    const fd = fieldOf(name);
    const group = id('take');
    choice[name] = null;
    body.append(h('tr', { 'data-field': name },
      h('th', { scope: 'row' }, fd ? label(fd.label) : name),
      sides.map((s) => {
        const rid = id('opt');
        const radio = h('input', { type: 'radio', name: group, id: rid, value: s.side, 'data-side': s.side });
        radio.addEventListener('change', () => { choice[name] = s.side; });
        return h('td', {},
          h('label', { for: rid, class: 'choose' }, radio, ' ', t('sync.take', { side: s.side })),
          valueView(name, s.body ? s.body[name] : undefined));
      })));
  }
  table.append(body);
  const result = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', 'data-action': 'resolve' }, t('sync.resolve_button'));
  form.append(h('p', {}, t('sync.resolve_intro')), h('div', { class: 'tablewrap' }, table), h('div', { class: 'row' }, btn), result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.textContent = '';
    const missing = Object.keys(choice).filter((k) => !choice[k]);
    if (missing.length) {
      result.append(h('p', { class: 'err-text', role: 'alert' }, t('sync.choose_all', { fields: missing.join(', ') })));
      return;
    }
    btn.disabled = true;
    try {
      const r = await api.post('/sync/resolve', { ref: c.ref, kind: c.kind, take: choice });
      result.append(h('p', { class: 'banner', role: 'status' }, t('sync.resolved', { v: r.version })));
      app.navigate(`#/case/${encodeURIComponent(c.ref)}`);
    } catch (e) {
      result.append(h('p', { class: 'err-text', role: 'alert' }, app.errorText(e)));
      btn.disabled = false;
    }
  });
  append(root, [h('h1', {}, t('sync.conflict_heading', { ref: c.ref })), form]);
}

export async function render(root, app, params) {
  if (params && params[0]) return renderConflict(root, app, params[0]);
  const st = await api.get('/sync');

  // --- send
  const toId = id('to');
  const to = h('select', { id: toId, 'data-field': 'to' }, h('option', { value: '' }, t('sync.to_hq')),
    (st.devices || []).filter((d) => d.name && !d.revoked_at).map((d) => h('option', { value: d.name }, d.name)));
  const refsId = id('refs');
  const refs = h('input', { type: 'text', id: refsId, 'data-field': 'refs', placeholder: 'C-XXXX-0001' });
  const allId = id('all');
  const all = h('input', { type: 'checkbox', id: allId, 'data-field': 'all' });
  const sendResult = h('div', { 'aria-live': 'polite' });
  const sendBtn = h('button', { type: 'submit', 'data-action': 'send' }, t('sync.send_button'));
  const sendForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('sync.send_title')), h('p', {}, t('sync.send_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: toId }, t('sync.to')), to),
      h('div', { class: 'field grow' }, h('label', { for: refsId }, t('sync.refs')), refs),
      h('div', { class: 'field ack' }, h('label', { for: allId }, all, h('span', {}, t('sync.all')))),
      h('div', { class: 'field' }, sendBtn)),
    sendResult);
  sendForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    sendResult.textContent = '';
    sendBtn.disabled = true;
    try {
      const list = refs.value.split(/[\s,]+/).filter(Boolean);
      const { blob, filename } = await api.download('/sync/export', { to: to.value, refs: list, all: all.checked });
      const href = URL.createObjectURL(blob);
      const a = h('a', { href, download: filename, hidden: true }, filename);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
      sendResult.append(h('p', { class: 'banner', role: 'status' }, t('sync.sent', { file: filename })));
    } catch (e) {
      sendResult.append(h('p', { class: 'err-text', role: 'alert' }, app.errorText(e)));
    } finally {
      sendBtn.disabled = false;
    }
  });

  // --- receive
  const fid = id('bundle');
  const file = h('input', { type: 'file', id: fid, accept: '.kithbundle' });
  const recvResult = h('div', { 'aria-live': 'polite' });
  const recvBtn = h('button', { type: 'submit', 'data-action': 'receive' }, t('sync.receive_button'));
  const recvForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('sync.receive_title')), h('p', {}, t('sync.receive_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: fid }, t('sync.file')), file),
      h('div', { class: 'field' }, recvBtn)),
    recvResult);
  recvForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    recvResult.textContent = '';
    const f = file.files && file.files[0];
    if (!f || f.size > BUNDLE_MAX) {
      recvResult.append(h('p', { class: 'err-text', role: 'alert' }, t(f ? 'error.too_large' : 'transfer.no_file')));
      return;
    }
    recvBtn.disabled = true;
    try {
      const r = await api.upload('/sync/import', {}, f);
      recvResult.append(h('p', { class: 'banner', role: 'status' },
        t('sync.received', { device: r.device || '—', added: r.added, skipped: r.skipped, conflicts: r.conflicts })));
    } catch (e) {
      recvResult.append(h('div', { class: 'errors', role: 'alert' },
        h('p', {}, t('sync.refused', { file: f.name })), h('p', {}, app.errorText(e))));
    } finally {
      recvBtn.disabled = false;
    }
  });

  // --- conflicts and devices
  const conflicts = h('section', { class: 'card', 'data-section': 'conflicts' }, h('h2', {}, t('sync.conflicts_title')),
    (st.conflicts || []).length
      ? h('ul', {}, st.conflicts.map((c) => h('li', { 'data-conflict': c.ref }, h('a', { href: `#/sync/conflict/${encodeURIComponent(c.ref)}` }, c.ref))))
      : h('p', { class: 'muted' }, t('sync.no_conflicts')));
  // a field vault knows devices by key only (no name): each by its id, this one marked
  const devLabel = (d) => d.name || (d.this_device ? t('sync.this_device', { id: d.device_id }) : t('sync.device_key', { id: d.device_id }));
  const state = (d) => (d.revoked_at
    ? `${t('sync.revoked', { when: formatTime(d.revoked_at) })}${d.revocation_valid || !st.field ? '' : ` ${t('sync.revocation_unverified')}`}`
    : t('sync.active'));
  const devs = st.devices || [];
  const devices = st.holds_org_key || st.field
    ? h('section', { class: 'card', 'data-section': 'devices' }, h('h2', {}, t(st.field ? 'sync.field_devices_title' : 'sync.devices_title')),
      st.field ? h('p', { class: 'muted' }, t('sync.field_devices_intro')) : null,
      devs.length
        ? h('div', { class: 'tablewrap' }, h('table', {}, h('caption', {}, t(st.field ? 'sync.field_devices_title' : 'sync.devices_title')),
          h('thead', {}, h('tr', {}, h('th', {}, t('sync.device')), st.field ? null : h('th', {}, t('sync.added')), h('th', {}, t('sync.state')))),
          h('tbody', {}, devs.map((d) => h('tr', { 'data-device': d.name || d.device_id }, h('td', {}, devLabel(d)),
            st.field ? null : h('td', {}, formatTime(d.added)), h('td', {}, state(d)))))))
        : h('p', { class: 'muted' }, t('sync.no_devices')))
    : null;
  append(root, [h('h1', {}, t('sync.title')), conflicts, sendForm, recvForm, devices]);
}
