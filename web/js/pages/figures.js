// figures — reports for publication (counts and cross-tables with small cells
// withheld, the chart, downloads in CSV, HXL and CTDC, a printable view) and
// the estimate of how many people there are, from the vault's persons.
// Every figure comes from the server (POST /api/report, POST /api/estimate:
// casework/figures.h, the same call as `kith report` and `kith estimate`);
// this page only shows it.

import { h, id, clear } from '../dom.js';
import { t, current, has } from '../i18n.js';
import * as api from '../api.js';
import * as jobs from '../jobs.js';
import { svgNode, saveBlob, readText, LISTS_MAX } from '../chart.js';

// Fields an estimate can be stratified by (persons.h: a field of the case).
const STRATA = ['person.sex', 'person.origin.province', 'status'];

function fieldLabel(f) {
  return has(`figures.field.${f}`) ? t(`figures.field.${f}`) : f;
}

function fieldSelect(fields, { optional, value }) {
  const sid = id('by');
  const sel = h('select', { id: sid },
    optional ? h('option', { value: '' }, t('figures.none')) : null,
    fields.map((f) => h('option', { value: f, selected: f === value }, fieldLabel(f))));
  return { sid, sel };
}

// The table of a report (stats/report.c's JSON): withheld cells are null and
// shown as "x" with a note; totals likewise.
function reportTable(rep) {
  const x = () => h('td', { class: 'num withheld' }, h('abbr', { title: t('figures.withheld_cell') }, 'x'));
  const num = (v) => (v == null ? x() : h('td', { class: 'num' }, Number(v).toLocaleString(current() === 'ko' ? 'ko-KR' : 'en-US')));
  const two = rep.by.length > 1;
  const head = h('tr', {}, h('th', { scope: 'col' }, fieldLabel(rep.by[0])),
    two ? rep.cols.map((c) => h('th', { scope: 'col', class: 'num' }, c)) : h('th', { scope: 'col', class: 'num' }, t('figures.persons')),
    two ? h('th', { scope: 'col', class: 'num' }, t('figures.total')) : null);
  const rows = rep.rows.map((r, i) => h('tr', {}, h('th', { scope: 'row' }, r),
    rep.cells[i].map((v) => num(v)), two ? num(rep.row_totals[i]) : null));
  const foot = h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('figures.total')),
    two ? rep.col_totals.map((v) => num(v)) : null, num(rep.total));
  return h('div', { class: 'tablewrap' }, h('table', { class: 'figtable', 'data-figures': 'report' },
    h('caption', {}, rep.title), h('thead', {}, head), h('tbody', {}, rows), h('tfoot', {}, foot)));
}

function reportNotes(rep, info) {
  const notes = [];
  notes.push(t('figures.counted', { persons: info.persons, cases: info.cases }));
  if (info.left_out || info.no_consent) notes.push(t('figures.left_out', { n: info.left_out, c: info.no_consent }));
  if (info.conflicts) notes.push(t('figures.conflicts', { n: info.conflicts }));
  const w = rep.withheld || {};
  if (w.cells) notes.push(t('figures.withheld', { k: rep.threshold, small: w.small, secondary: w.secondary }));
  else notes.push(t('figures.none_withheld', { k: rep.threshold }));
  if (!rep.additive) notes.push(t('figures.not_additive'));
  const reasons = (rep.withheld_cells || []).map((c) => h('li', {},
    [c.row, c.col].filter((s) => s && s !== 'persons').join(' · '), ': ',
    c.reason === 'small count' ? t('figures.reason_small', { k: rep.threshold }) : t('figures.reason_secondary')));
  return h('div', { class: 'notes', 'data-figures': 'notes' },
    notes.map((n) => h('p', {}, n)),
    reasons.length ? h('details', {}, h('summary', {}, t('figures.which_withheld')), h('ul', {}, reasons)) : null);
}

export async function render(root, app) {
  const { fields } = await api.get('/report/fields');
  const lang = current();

  // ---------------------------------------------------------------- report
  const f1 = fieldSelect(fields, { optional: false, value: 'sex' });
  const f2 = fieldSelect(fields, { optional: true, value: '' });
  const thrId = id('thr');
  const thr = h('input', { type: 'number', id: thrId, min: 2, max: 1000, value: 11, inputmode: 'numeric', 'aria-describedby': `${thrId}-hint` });
  const showBtn = h('button', { type: 'submit', 'data-action': 'report' }, t('figures.show'));
  const out = h('div', { 'aria-live': 'polite', 'data-figures': 'report-out' });
  const form = h('form', { class: 'card noprint-controls', novalidate: true },
    h('h2', {}, t('figures.report_title')),
    h('p', {}, t('figures.report_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: f1.sid }, t('figures.by')), f1.sel),
      h('div', { class: 'field' }, h('label', { for: f2.sid }, t('figures.by2')), f2.sel),
      h('div', { class: 'field' }, h('label', { for: thrId }, t('figures.threshold')), thr),
      h('div', { class: 'field' }, showBtn)),
    h('p', { class: 'hint small muted', id: `${thrId}-hint` }, t('figures.threshold_hint')));

  const opts = () => {
    const by = [f1.sel.value];
    if (f2.sel.value && f2.sel.value !== f1.sel.value) by.push(f2.sel.value);
    const n = Number.parseInt(thr.value, 10);
    return { by, lang, threshold: Number.isFinite(n) && n >= 1 ? n : 11 };
  };

  async function download(format) {
    try {
      const { blob, filename } = await api.download('/report', { ...opts(), format });
      saveBlob(blob, filename);
    } catch (e) {
      out.prepend(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e))));
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    showBtn.disabled = true;
    out.setAttribute('aria-busy', 'true');
    out.append(h('p', { class: 'loading', role: 'status' }, t('figures.working')));
    try {
      const r = await api.post('/report', { ...opts(), format: 'json' });
      clear(out);
      const dl = (fmt, key) => h('button', { type: 'button', class: 'secondary', 'data-download': fmt, onclick: () => download(fmt) }, t(key));
      out.append(
        h('section', { class: 'card printable', 'aria-labelledby': 'fig-report-h' },
          h('h2', { id: 'fig-report-h' }, r.report.title),
          reportNotes(r.report, r.info),
          h('figure', { class: 'chart', 'data-figures': 'chart' }, svgNode(r.svg), h('figcaption', { class: 'small muted' }, t('figures.chart_caption'))),
          reportTable(r.report)),
        h('div', { class: 'actions card', role: 'group', 'aria-label': t('figures.downloads') },
          dl('csv', 'figures.dl_csv'), dl('hxl', 'figures.dl_hxl'), dl('ctdc', 'figures.dl_ctdc'), dl('html', 'figures.dl_html'),
          h('button', { type: 'button', 'data-action': 'print', onclick: () => window.print() }, t('figures.print')),
          h('p', { class: 'small muted' }, t('figures.ctdc_hint'))));
    } catch (e) {
      clear(out);
      out.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e))));
    } finally {
      out.removeAttribute('aria-busy');
      showBtn.disabled = false;
    }
  });

  // --------------------------------------------------------------- estimate
  const stId = id('strat');
  const strat = h('select', { id: stId }, h('option', { value: '' }, t('figures.none')),
    STRATA.map((f) => h('option', { value: f }, fieldLabel(f))));
  const mapId = id('map');
  const map = h('textarea', { id: mapId, rows: 5, spellcheck: 'false', class: 'mono', placeholder: 'organization,list', 'aria-describedby': `${mapId}-hint` });
  const mfId = id('mapfile');
  const mapFile = h('input', { type: 'file', id: mfId, accept: '.csv,text/csv' });
  let mapName = 'lists';
  mapFile.addEventListener('change', async () => {
    const f = mapFile.files && mapFile.files[0];
    if (!f) return;
    try {
      map.value = await readText(f, LISTS_MAX);
      mapName = f.name;
    } catch (e) {
      est.prepend(h('div', { class: 'errors', role: 'alert' }, h('p', {}, t('figures.file_too_large', { file: f.name }))));
    }
  });
  const runBtn = h('button', { type: 'submit', 'data-action': 'estimate' }, t('figures.run'));
  const est = h('div', { 'aria-live': 'polite', 'data-figures': 'estimate-out' });
  const eform = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('figures.estimate_title')),
    h('p', {}, t('figures.estimate_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: stId }, t('figures.stratify')), strat),
      h('div', { class: 'field grow' }, h('label', { for: mfId }, t('figures.map_file')), mapFile)),
    h('div', { class: 'field' }, h('label', { for: mapId }, t('figures.map')), map,
      h('p', { class: 'hint', id: `${mapId}-hint` }, t('figures.map_hint'))),
    h('div', { class: 'actions' }, runBtn));

  eform.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(est);
    runBtn.disabled = true;
    est.setAttribute('aria-busy', 'true');
    const started = Date.now();
    const status = h('p', { class: 'loading', role: 'status' }, t('figures.estimating'));
    let stage = null;
    const stageText = () => (stage && stage.total ? ` — ${t(`figures.stage.${stage.stage}`)} ${stage.done}/${stage.total}` : '');
    const timer = setInterval(() => {
      status.textContent = t('figures.estimating_for', { s: Math.round((Date.now() - started) / 1000) }) + stageText();
    }, 1000);
    est.append(status);
    try {
      const body = { lang, stratify: strat.value || null };
      if (map.value.trim()) {
        body.lists = map.value.endsWith('\n') ? map.value : `${map.value}\n`;
        body.lists_name = mapName;
      }
      const r = await jobs.run('/estimate', body, (j) => { stage = j; });
      clear(est);
      est.append(estimateView(r, strat.value));
      if (!map.value.trim()) {
        // the derived mapping, for the user to edit and run again
        map.value = `organization,list\n${r.counted.lists.map((l) => `${l.organization},${l.list}`).join('\n')}\n`;
      }
    } catch (e) {
      clear(est);
      est.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, app.errorText(e)),
        e.field ? h('p', {}, h('code', {}, e.field)) : null));
    } finally {
      clearInterval(timer);
      est.removeAttribute('aria-busy');
      runBtn.disabled = false;
    }
  });

  root.append(h('div', { class: 'pagehead' }, h('h1', {}, t('figures.title'))), form, out, eform, est);
}

// Coverage by stratum (the result's "coverage", the same figures as the
// CLI's "coverage by FIELD" lines): how many of each stratum's estimated
// people the lists reached, and the latent-class model with the field as a
// covariate.
function coverageView(cov) {
  if (!cov) return null;
  const loc = current() === 'ko' ? 'ko-KR' : 'en-US';
  const n = (v) => (v == null ? '—' : Math.round(v).toLocaleString(loc));
  const pct = (v) => (v == null ? '—' : `${(100 * v).toFixed(1)}%`);
  const withCov = cov.strata.some((s) => s.lcm_covariate);
  return h('section', { class: 'card', 'data-figures': 'coverage', 'aria-labelledby': 'fig-cov-h' },
    h('h3', { id: 'fig-cov-h' }, t('figures.coverage_title', { field: fieldLabel(cov.field) })),
    h('div', { class: 'tablewrap' }, h('table', { class: 'figtable' },
      h('caption', {}, t('figures.coverage_caption')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('figures.stratum')),
        h('th', { scope: 'col', class: 'num' }, t('figures.observed')),
        h('th', { scope: 'col', class: 'num' }, t('figures.estimated')),
        h('th', { scope: 'col', class: 'num' }, t('figures.reached')),
        withCov ? h('th', { scope: 'col', class: 'num' }, t('figures.lcm_covariate')) : null)),
      h('tbody', {}, cov.strata.map((s) => h('tr', {},
        h('th', { scope: 'row' }, s.stratum),
        h('td', { class: 'num' }, n(s.observed)),
        h('td', { class: 'num' }, n(s.estimate)),
        h('td', { class: 'num' }, pct(s.share)),
        withCov ? h('td', { class: 'num' }, s.lcm_covariate
          ? `${n(s.lcm_covariate.median)} (${n(s.lcm_covariate.ci95[0])}–${n(s.lcm_covariate.ci95[1])})` : '—') : null))))),
    h('p', { 'data-figures': 'coverage-words' }, current() === 'ko' ? cov.words_ko : cov.words_en));
}

function estimateView(r, stratify) {
  const c = r.counted;
  const total = r.summaries[0];
  const counted = h('section', { class: 'card', 'data-figures': 'counted', 'aria-labelledby': 'fig-counted-h' },
    h('h3', { id: 'fig-counted-h' }, t('figures.counted_title')),
    h('p', {}, t('figures.counted_persons', { persons: c.persons, cases: c.cases, links: c.joins_confirmed, linkage: c.joins_linkage, vetoed: c.vetoed_pairs })),
    c.linkage_ran ? null : h('p', { class: 'warning' }, t('figures.no_linkage')),
    h('div', { class: 'tablewrap' }, h('table', { class: 'figtable' },
      h('caption', {}, c.list_mapping === 'given' ? t('figures.lists_given') : t('figures.lists_derived')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('figures.list')), h('th', { scope: 'col' }, t('figures.organization')), h('th', { scope: 'col', class: 'num' }, t('figures.cases')))),
      h('tbody', {}, c.lists.map((l) => h('tr', {}, h('td', {}, l.list), h('td', {}, l.organization), h('td', { class: 'num' }, l.cases)))))),
    h('ul', {},
      h('li', {}, t('figures.out_consent', { n: c.left_out.no_reporting_consent })),
      h('li', {}, t('figures.out_org', { n: c.left_out.no_organization })),
      c.list_mapping === 'given' ? h('li', {}, t('figures.out_unmapped', { n: c.left_out.unmapped })) : null));
  const strata = stratify && r.summaries.length > 1 ? h('section', { class: 'card', 'data-figures': 'strata' },
    h('h3', {}, t('figures.by_stratum', { field: fieldLabel(stratify) })),
    r.summaries.slice(1).map((s) => h('div', { class: 'stratum' }, h('h4', {}, s.stratum),
      s.error ? h('p', { class: 'muted' }, t('figures.no_estimate', { why: s.error })) : h('p', {}, s.text)))) : null;
  return h('div', {},
    counted,
    h('section', { class: 'card printable', 'data-figures': 'summary', 'aria-labelledby': 'fig-sum-h' },
      h('h3', { id: 'fig-sum-h' }, t('figures.summary_title')),
      total.error ? h('p', {}, total.error) : total.text.trim().split('\n').map((p) => h('p', { class: 'summary' }, p)),
      h('figure', { class: 'chart', 'data-figures': 'estimate-chart' }, svgNode(r.svg, t('figures.estimate_chart')),
        h('figcaption', { class: 'small muted' }, t('figures.estimate_chart_caption')))),
    coverageView(r.result && r.result.coverage),
    strata);
}
