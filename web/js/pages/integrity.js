// integrity — what the check of the vault's file found (src/web/api_integrity.c,
// as `kith verify`): in a format-2 vault, each signed batch, each device's
// chain of batches and the rollback anchors are checked at every unlock; a
// deleted or changed version, a dropped batch, a broken chain, a rolled-back
// log or an altered anchor is listed here by batch and device (id prefixes)
// and numbers, damaged records by ref and version — never a record's content.
// Admins only (the server refuses everyone else). Also the banner app.js
// shows on every page while the file has findings.

import { h, append } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

// The sentence of one finding, in the page's language; a finding this page
// does not know keeps the server's (English) words, marked as such.
export function findingText(f) {
  const p = { batch: f.batch || '', device: f.device || '', seq: f.seq, to: f.to, missing: f.missing, of: f.of };
  switch (f.kind) {
    case 'dropped_batch': return t(f.to != null ? 'integrity.kind_dropped_batches' : 'integrity.kind_dropped_batch', p);
    case 'rolled_back':
      if (!f.device) return t('integrity.kind_rolled_back_file', p);
      return t(f.to != null ? 'integrity.kind_rolled_back' : 'integrity.kind_rolled_back_replaced', p);
    case 'anchor_altered': return t(f.device ? 'integrity.kind_anchor_altered' : 'integrity.kind_anchor_altered_slot', p);
    case 'anchor_missing': return t(f.device ? 'integrity.kind_anchor_missing' : 'integrity.kind_anchor_missing_slot', p);
    case 'bad_batch': return t(f.batch ? 'integrity.kind_bad_batch' : 'integrity.kind_bad_batch_device', p);
    case 'broken_chain':
    case 'duplicate_batch':
    case 'deleted_rows':
    case 'anchor_behind':
    case 'person_unknown':
    case 'person_removed':
    case 'person_signer':
      return t(`integrity.kind_${f.kind}`, p);
    default: return null;
  }
}

function damageText(d) {
  const kind = ['changed_row', 'row_outside_batch', 'bad_batch'].includes(d.kind) ? d.kind : 'damaged';
  return t(`integrity.damage_${kind}`, { ref: d.ref || d.id.slice(0, 8), version: d.version });
}

// How many findings the banner counts (findings, damaged records, unread ones).
export function count(r) {
  return r ? r.findings.length + r.damaged.length + (r.missing ? 1 : 0) : 0;
}

export async function render(root, app) {
  let r;
  try {
    r = await api.get('/integrity');
  } catch (e) {
    append(root, [h('h1', {}, t('integrity.title')), h('p', { class: 'err-text', role: 'alert' }, app.errorText(e))]);
    return;
  }
  app.integrity = r; // the banner follows what this page saw
  const parts = [
    h('div', { class: 'pagehead' }, h('h1', {}, t('integrity.title'))),
    h('p', { class: 'muted' }, t('integrity.intro')),
  ];
  if (r.format < 2) parts.push(h('p', { class: 'muted', 'data-note': 'format1' }, t('integrity.format1')));
  if (r.ok) {
    parts.push(h('p', { class: 'ok', role: 'status', 'data-integrity': 'ok' },
      t('integrity.ok', { batches: r.batches, records: r.records })));
  }
  if (r.findings.length) {
    parts.push(h('section', { class: 'card', 'data-section': 'findings', 'aria-labelledby': 'integrity-findings-h' },
      h('h2', { id: 'integrity-findings-h' }, t('integrity.findings_title', { n: r.findings.length })),
      h('ul', {}, r.findings.map((f) => {
        const text = findingText(f);
        return h('li', { 'data-kind': f.kind, 'data-device': f.device || null, 'data-batch': f.batch || null },
          text || [t('integrity.kind_other'), ' ', h('code', { lang: 'en' }, f.text)]);
      }))));
  }
  if (r.damaged.length) {
    parts.push(h('section', { class: 'card', 'data-section': 'damaged', 'aria-labelledby': 'integrity-damaged-h' },
      h('h2', { id: 'integrity-damaged-h' }, t('integrity.damaged_title', { n: r.damaged.length })),
      h('ul', {}, r.damaged.map((d) => h('li', { 'data-kind': d.kind, 'data-ref': d.ref || null }, damageText(d))))));
  }
  if (r.missing) parts.push(h('p', { class: 'err-text', 'data-section': 'missing' }, t('integrity.missing', { n: r.missing })));
  parts.push(h('p', { class: 'muted small', 'data-note': 'limit' }, t('integrity.limit')));
  append(root, parts);
}

// The banner over every page of an admin while the file has findings (app.js
// asks once per unlock, and after this page); null when there is nothing.
export function banner(app) {
  const n = count(app.integrity);
  if (!n) return null;
  return h('div', { class: 'errors', role: 'alert', 'data-banner': 'integrity' },
    h('p', {}, t('integrity.banner', { n }), ' ', h('a', { href: '#/integrity' }, t('integrity.banner_link'))));
}
