// together — "Count together": this organization's keyed encoding of its
// consenting cases (no names leave the machine), the other organizations'
// encodings, and the linkage and joint estimate over them all
// (POST /api/pprl/encode, /api/pprl/files, /api/pprl/link: casework/together.h,
// the same steps as `kith pprl encode --vault` and `kith pprl link --estimate`).

import { h, id, clear } from '../dom.js';
import { t, current } from '../i18n.js';
import * as api from '../api.js';
import * as jobs from '../jobs.js';
import { svgNode, saveBlob, readText } from '../chart.js';

const KEY_MAX = 4096; // a secret or signing key file (the server refuses more)
const KPE_MAX = 16 * 1024 * 1024; // an encoding file (the server's upload cap)
const UNSEEN_DEFAULT = 0.03; // casework/together.h KITH_TOGETHER_UNSEEN_RATE
const UNSEEN_MAX = 0.25; // KITH_TOGETHER_UNSEEN_RATE_MAX

function fmt(n) {
  return Number(n).toLocaleString(current() === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 0 });
}

function errorBox(app, e, file) {
  return h('div', { class: 'errors', role: 'alert' },
    file ? h('p', {}, h('strong', {}, file)) : null,
    h('p', {}, app.errorText(e)),
    e && e.message && e.code !== 'invalid' ? h('p', { class: 'small' }, e.message) : null);
}

export async function render(root, app) {
  // --- what leaves the machine
  const explain = h('section', { class: 'card', 'aria-labelledby': 'tg-what' },
    h('h2', { id: 'tg-what' }, t('together.what_title')),
    h('div', { class: 'pair' },
      h('div', {}, h('h3', {}, t('together.leaves_title')), h('ul', {},
        h('li', {}, t('together.leaves1')), h('li', {}, t('together.leaves2')), h('li', {}, t('together.leaves3')))),
      h('div', {}, h('h3', {}, t('together.stays_title')), h('ul', {},
        h('li', {}, t('together.stays1')), h('li', {}, t('together.stays2')), h('li', {}, t('together.stays3'))))));

  // --- this organization's encoding
  const orgId = id('org');
  const org = h('input', { type: 'text', id: orgId, autocomplete: 'organization', maxlength: 63, 'aria-describedby': `${orgId}-hint` });
  const secId = id('secret');
  const secret = h('input', { type: 'file', id: secId });
  const keyId = id('signkey');
  const signKey = h('input', { type: 'file', id: keyId });
  const encBtn = h('button', { type: 'submit', 'data-action': 'encode' }, t('together.encode'));
  const encOut = h('div', { 'aria-live': 'polite', 'data-together': 'encode-out' });
  const encForm = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('together.encode_title')),
    h('p', {}, t('together.encode_intro')),
    h('div', { class: 'field' }, h('label', { for: orgId }, t('together.org')), org,
      h('p', { class: 'hint', id: `${orgId}-hint` }, t('together.org_hint'))),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: secId }, t('together.secret')), secret),
      h('div', { class: 'field grow' }, h('label', { for: keyId }, t('together.sign_key')), signKey)),
    h('p', { class: 'hint small muted' }, t('together.keys_hint')),
    h('div', { class: 'actions' }, encBtn),
    encOut);

  // --- the others' encodings
  const filesId = id('kpe');
  const kpe = h('input', { type: 'file', id: filesId, multiple: true, accept: '.kpe,application/octet-stream' });
  const staged = h('div', { 'data-together': 'files' });
  const upOut = h('div', { 'aria-live': 'polite' });
  const clearBtn = h('button', { type: 'button', class: 'secondary', 'data-action': 'clear-files' }, t('together.clear'));
  const filesCard = h('section', { class: 'card', 'aria-labelledby': 'tg-files' },
    h('h2', { id: 'tg-files' }, t('together.files_title')),
    h('p', {}, t('together.files_intro')),
    h('div', { class: 'field' }, h('label', { for: filesId }, t('together.files')), kpe),
    upOut, staged, h('div', { class: 'actions' }, clearBtn));

  // --- link and estimate
  const linkBtn = h('button', { type: 'button', 'data-action': 'link' }, t('together.link'));
  const linkOut = h('div', { 'aria-live': 'polite', 'data-together': 'link-out' });
  // the share of records no linkage of encodings can see (kith pprl link --unseen-rate)
  const unseenId = id('unseen');
  const unseen = h('input', {
    type: 'number', id: unseenId, min: 0, max: UNSEEN_MAX, step: 'any', value: UNSEEN_DEFAULT, inputmode: 'decimal',
    'data-together': 'unseen-rate', 'aria-describedby': `${unseenId}-hint ${unseenId}-err`,
  });
  const unseenErr = h('p', { class: 'err-text', id: `${unseenId}-err`, 'aria-live': 'polite' });
  const linkCard = h('section', { class: 'card', 'aria-labelledby': 'tg-link' },
    h('h2', { id: 'tg-link' }, t('together.link_title')),
    h('p', {}, t('together.link_intro')),
    h('div', { class: 'field' }, h('label', { for: unseenId }, t('together.unseen_label')), unseen,
      h('p', { class: 'hint', id: `${unseenId}-hint` }, t('together.unseen_hint')), unseenErr),
    h('div', { class: 'actions' }, linkBtn), linkOut);

  // the rate as the server takes it (0 .. 0.25), or null when it is not one
  function unseenRate() {
    const v = unseen.value.trim();
    const r = Number(v);
    return v !== '' && Number.isFinite(r) && r >= 0 && r <= UNSEEN_MAX ? r : null;
  }

  function showFiles(r) {
    clear(staged);
    const files = (r && r.files) || [];
    linkBtn.disabled = files.length < 2;
    clearBtn.disabled = files.length === 0;
    if (!files.length) {
      staged.append(h('p', { class: 'muted' }, t('together.no_files')));
      return;
    }
    staged.append(h('div', { class: 'tablewrap' }, h('table', { class: 'figtable' },
      h('caption', {}, t('together.staged', { n: files.length })),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('together.organization')), h('th', { scope: 'col' }, t('together.file')),
        h('th', { scope: 'col', class: 'num' }, t('together.records')))),
      h('tbody', {}, files.map((f) => h('tr', {},
        h('td', {}, f.organization, f.own ? h('span', { class: 'badge' }, ` ${t('together.own')}`) : null,
          f.weak ? h('span', { class: 'badge new' }, ` ${t('together.weak')}`) : null),
        h('td', {}, f.name), h('td', { class: 'num' }, fmt(f.records))))))));
  }

  encForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(encOut);
    const s = secret.files && secret.files[0];
    const k = signKey.files && signKey.files[0];
    if (!org.value.trim() || !s || !k) {
      encOut.append(h('p', { class: 'err-text', role: 'alert' }, t('together.need_all')));
      return;
    }
    let st;
    let kt;
    try {
      st = await readText(s, KEY_MAX + 2);
    } catch (e) {
      encOut.append(h('p', { class: 'err-text', role: 'alert' }, t('together.key_too_large', { file: s.name })));
      return;
    }
    try {
      kt = await readText(k, KEY_MAX);
    } catch (e) {
      encOut.append(h('p', { class: 'err-text', role: 'alert' }, t('together.key_too_large', { file: k.name })));
      return;
    }
    encBtn.disabled = true;
    encOut.setAttribute('aria-busy', 'true');
    encOut.append(h('p', { class: 'loading', role: 'status' }, t('together.encoding')));
    try {
      const r = await api.post('/pprl/encode', { org: org.value.trim(), secret: st, secret_name: s.name, sign_key: kt, sign_name: k.name });
      clear(encOut);
      const bin = Uint8Array.from(atob(r.data), (c) => c.charCodeAt(0));
      const blob = new Blob([bin], { type: 'application/octet-stream' });
      const save = h('button', { type: 'button', class: 'secondary', 'data-action': 'save-encoding', onclick: () => saveBlob(blob, r.filename) }, t('together.save'));
      encOut.append(h('div', { class: 'banner', role: 'status' },
        h('p', {}, t('together.encoded', { n: fmt(r.encoded), cases: fmt(r.cases), org: r.organization })),
        h('p', {}, t('together.encoded_out', { c: fmt(r.no_consent), u: fmt(r.unusable) }))), save);
      saveBlob(blob, r.filename);
      showFiles(await api.get('/pprl/files'));
    } catch (e) {
      clear(encOut);
      encOut.append(errorBox(app, e, e.field));
    } finally {
      encOut.removeAttribute('aria-busy');
      encBtn.disabled = false;
    }
  });

  kpe.addEventListener('change', async () => {
    clear(upOut);
    for (const f of [...(kpe.files || [])]) {
      if (f.size > KPE_MAX) {
        upOut.append(h('p', { class: 'err-text', role: 'alert' }, t('together.file_too_large', { file: f.name })));
        continue;
      }
      try {
        showFiles(await api.upload('/pprl/files', { name: f.name.slice(0, 63) }, f));
      } catch (e) {
        upOut.append(errorBox(app, e, f.name));
      }
    }
    kpe.value = '';
  });

  clearBtn.addEventListener('click', async () => {
    clear(upOut);
    clear(linkOut);
    showFiles(await api.post('/pprl/files/clear', {}));
  });

  linkBtn.addEventListener('click', async () => {
    clear(linkOut);
    const rate = unseenRate();
    unseenErr.textContent = '';
    unseen.removeAttribute('aria-invalid');
    if (rate === null) {
      unseen.setAttribute('aria-invalid', 'true');
      unseenErr.textContent = t('together.unseen_bad');
      unseen.focus();
      return;
    }
    linkBtn.disabled = true;
    linkOut.setAttribute('aria-busy', 'true');
    const started = Date.now();
    const status = h('p', { class: 'loading', role: 'status' }, t('together.linking'));
    let stage = null;
    const stageText = () => (stage && stage.total ? ` — ${t(`figures.stage.${stage.stage}`)} ${stage.done}/${stage.total}` : '');
    const timer = setInterval(() => {
      status.textContent = t('figures.estimating_for', { s: Math.round((Date.now() - started) / 1000) }) + stageText();
    }, 1000);
    linkOut.append(status);
    try {
      const r = await jobs.run('/pprl/link', { lang: current(), unseen_rate: rate }, (j) => { stage = j; });
      clear(linkOut);
      linkOut.append(linkView(r));
    } catch (e) {
      clear(linkOut);
      linkOut.append(errorBox(app, e, e.field));
    } finally {
      clearInterval(timer);
      linkOut.removeAttribute('aria-busy');
      linkBtn.disabled = false;
    }
  });

  root.append(h('div', { class: 'pagehead' }, h('h1', {}, t('together.title'))), explain, encForm, filesCard, linkCard);
  showFiles(await api.get('/pprl/files'));
}

function linkView(r) {
  const l = r.linkage;
  const est = r.estimate;
  const hi = (v) => (v < 0 ? t('together.no_upper') : fmt(v));
  const rate = (v) => Number(v).toLocaleString(current() === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 3 });
  return h('div', { 'data-together': 'result' },
    h('div', { class: 'printable' },
      h('h3', {}, t('figures.summary_title')),
      (r.summary || '').trim().split('\n').map((p) => h('p', { class: 'summary' }, p)),
      est ? h('p', { 'data-together': 'with-linkage' }, t('together.with_linkage', {
        n: fmt(est.n_hat), lo: fmt(est.lo), hi: hi(est.hi), draws: est.draws, lo2: fmt(est.lo_with_linkage), hi2: hi(est.hi_with_linkage),
      })) : null,
      est ? h('p', { 'data-together': 'unseen' }, est.unseen_rate > 0
        ? t('together.unseen_used', { r: rate(est.unseen_rate), r2: rate(est.unseen_rate_max) })
        : t('together.unseen_none')) : null,
      r.svg ? h('figure', { class: 'chart' }, svgNode(r.svg, t('figures.estimate_chart')), h('figcaption', { class: 'small muted' }, t('figures.estimate_chart_caption'))) : null),
    h('h3', {}, t('together.linkage_title')),
    h('p', {}, t('together.linkage', { records: fmt(l.records), lists: l.lists, persons: fmt(l.persons), uncertain: fmt(l.uncertain_pairs) })),
    l.weak && l.weak.length ? h('p', { class: 'warning' }, t('together.weak_files', { orgs: l.weak.join(', ') })) : null,
    h('div', { class: 'tablewrap' }, h('table', { class: 'figtable' },
      h('caption', {}, t('together.table_caption')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('together.recorded_by')), h('th', { scope: 'col', class: 'num' }, t('figures.persons')))),
      h('tbody', {}, r.table.map((row) => h('tr', {}, h('td', {}, row.lists.join(' + ')), h('td', { class: 'num' }, fmt(row.count))))))),
    r.table_csv ? h('button', { type: 'button', class: 'secondary', 'data-action': 'save-table',
      onclick: () => saveBlob(new Blob([r.table_csv], { type: 'text/csv' }), 'kith-joint-table.csv') }, t('together.save_table')) : null);
}
