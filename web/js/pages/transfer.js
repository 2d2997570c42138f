// transfer — import (JSON, JSON Lines, CSV; all or nothing, errors with
// file:line:field) and export (a spreadsheet, JSON Lines or CSV, after a
// plaintext warning, with the consent filter).

import { h, id } from '../dom.js';
import { t, current, formatTime } from '../i18n.js';
import * as api from '../api.js';

const IMPORT_MAX = 16 * 1024 * 1024;

export async function render(root, app) {
  // --- import
  const fid = id('file');
  const file = h('input', { type: 'file', id: fid, accept: '.json,.jsonl,.ndjson,.csv,application/json,text/csv' });
  const fmtId = id('fmt');
  const fmt = h('select', { id: fmtId },
    h('option', { value: '' }, t('transfer.format_auto')),
    h('option', { value: 'json' }, 'JSON'),
    h('option', { value: 'jsonl' }, 'JSON Lines'),
    h('option', { value: 'csv' }, 'CSV'));
  const importResult = h('div', { 'aria-live': 'polite' });
  const importBtn = h('button', { type: 'submit', 'data-action': 'import' }, t('transfer.import_button'));
  const importForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('transfer.import_title')),
    h('p', {}, t('transfer.import_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: fid }, t('transfer.file')), file),
      h('div', { class: 'field' }, h('label', { for: fmtId }, t('transfer.format')), fmt),
      h('div', { class: 'field' }, importBtn)),
    importResult);
  importForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    importResult.textContent = '';
    const f = file.files && file.files[0];
    if (!f) {
      importResult.append(h('p', { class: 'err-text', role: 'alert' }, t('transfer.no_file')));
      file.focus();
      return;
    }
    if (f.size > IMPORT_MAX) {
      importResult.append(h('p', { class: 'err-text', role: 'alert' }, t('error.too_large')));
      return;
    }
    importBtn.disabled = true;
    try {
      const r = await api.upload('/import', { format: fmt.value, name: f.name }, f);
      importResult.append(h('p', { class: 'banner', role: 'status' }, t('transfer.imported', { n: r.records, c: r.created, u: r.updated })));
    } catch (e) {
      importResult.append(h('div', { class: 'errors', role: 'alert' },
        h('p', {}, t('transfer.import_failed')),
        h('p', {}, app.errorText(e)),
        e.field ? h('p', {}, h('code', {}, e.field)) : null));
    } finally {
      importBtn.disabled = false;
    }
  });

  // --- export
  const efId = id('efmt');
  const efmt = h('select', { id: efId },
    h('option', { value: 'sheet' }, t('transfer.format_sheet')),
    h('option', { value: 'jsonl' }, 'JSON Lines'),
    h('option', { value: 'csv' }, t('transfer.format_csv')));
  // which cases: only those whose consent allows a use, or every case (the
  // organization's own backup); the server enforces it (casework/exchange.h)
  const ecId = id('econsent');
  const econsent = h('select', { id: ecId },
    h('option', { value: 'sharing' }, t('transfer.consent_sharing')),
    h('option', { value: 'reporting' }, t('transfer.consent_reporting')),
    h('option', { value: 'services' }, t('transfer.consent_services')),
    h('option', { value: 'tracing' }, t('transfer.consent_tracing')),
    h('option', { value: 'all' }, t('transfer.consent_all')));
  // the sheet's labels in a language chosen here (the page's by default)
  const elId = id('elang');
  const elang = h('select', { id: elId },
    h('option', { value: 'ko' }, '한국어'),
    h('option', { value: 'en' }, 'English'));
  elang.value = current() === 'ko' ? 'ko' : 'en';
  const lf = h('div', { class: 'field', 'data-field': 'export-lang' }, h('label', { for: elId }, t('transfer.lang')), elang);
  efmt.addEventListener('change', () => { lf.hidden = efmt.value !== 'sheet'; });
  // the attachments beside: only of cases whose consent allows sharing (api_attach.c)
  const eaId = id('eatt');
  const eatt = h('select', { id: eaId, 'data-field': 'export-attachments' },
    h('option', { value: '' }, t('transfer.att_no')),
    h('option', { value: 'tar' }, t('transfer.with_attachments')));
  const ackId = id('ack');
  const ack = h('input', { type: 'checkbox', id: ackId });
  const exportBtn = h('button', { type: 'submit', 'data-action': 'export', disabled: true }, t('transfer.export_button'));
  ack.addEventListener('change', () => { exportBtn.disabled = !ack.checked; });
  const exportResult = h('div', { 'aria-live': 'polite' });
  const exportForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('transfer.export_title')),
    h('div', { class: 'warning', role: 'note' }, h('strong', {}, t('transfer.warning_title')), ' ', t('transfer.warning')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: efId }, t('transfer.format')), efmt),
      lf,
      h('div', { class: 'field' }, h('label', { for: ecId }, t('transfer.consent')), econsent),
      h('div', { class: 'field' }, h('label', { for: eaId }, t('transfer.attachments')), eatt)),
    h('div', { class: 'row' },
      h('div', { class: 'field grow ack' }, h('label', { for: ackId }, ack, h('span', {}, t('transfer.ack')))),
      h('div', { class: 'field' }, exportBtn)),
    exportResult);
  exportForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    exportResult.textContent = '';
    if (!ack.checked) return;
    exportBtn.disabled = true;
    try {
      const { blob, filename } = await api.download('/export', { format: efmt.value, consent: econsent.value, lang: efmt.value === 'sheet' ? elang.value : current() });
      const href = URL.createObjectURL(blob);
      const a = h('a', { href, download: filename, hidden: true }, filename);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
      exportResult.append(h('p', { class: 'banner', role: 'status' }, t('transfer.exported', { file: filename })),
        h('p', { class: 'muted small' }, t('transfer.recorded')));
      loadLog();
      if (eatt.value === 'tar') {
        const q = econsent.value === 'all' ? {} : { consent: econsent.value };
        const plan = await api.get('/attachments/export/plan', q);
        const counts = { n: plan.files, c: plan.cases, k: plan.left_out, kc: plan.cases_left_out };
        exportResult.append(h('p', { 'data-result': 'attachments' }, t(plan.files ? 'transfer.att_plan' : 'transfer.att_none', counts)));
        if (plan.files) {
          const qs = new URLSearchParams(q).toString();
          exportResult.append(h('p', {}, h('a', { class: 'btn', href: `/api/attachments/export${qs ? `?${qs}` : ''}`, download: 'attachments.tar', 'data-action': 'export-attachments' }, t('transfer.att_download', counts))));
        }
      }
      ack.checked = false;
    } catch (e) {
      exportResult.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e))));
      exportBtn.disabled = false;
    }
  });

  // the exports recorded in the vault (casework/exchange.h), newest first
  const log = h('section', { class: 'card', 'data-section': 'export-log' }, h('h2', {}, t('transfer.log_title')));
  async function loadLog() {
    let r;
    try {
      r = await api.get('/exports');
    } catch (e) {
      return;
    }
    while (log.childNodes.length > 1) log.lastChild.remove();
    const items = r.exports.slice(-5).reverse();
    if (!items.length) {
      log.append(h('p', { class: 'muted' }, t('transfer.log_none')));
      return;
    }
    log.append(h('ul', {}, ...items.map((x) => h('li', {}, t('transfer.log_row', {
      when: formatTime(x.at), format: x.format === 'sheet' ? t('transfer.log_sheet') : x.format === 'csv' ? 'CSV' : 'JSON Lines',
      lang: t(`transfer.log_lang_${x.lang === 'ko' ? 'ko' : 'en'}`), consent: t(`transfer.log_c_${x.consent}`),
      n: x.cases, k: x.left_out, a: x.attachments }), ' ', h('span', { 'data-user-text': '', class: 'mono' }, x.by)))));
    if (r.exports.length > 5) log.append(h('p', { class: 'muted small' }, t('transfer.log_more', { n: r.exports.length })));
  }
  loadLog();

  root.append(h('h1', {}, t('transfer.title')), importForm, exportForm, log);
}
