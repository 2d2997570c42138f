// Browser test of the attachment purge and the export with consent
// (web/js/attach.js, web/js/pages/transfer.js; src/web/api_attach.c,
// casework/attach.h and exchange.h) in Chromium, in Korean and in English, at
// 1280×800 and 390×844:
//  - a purge asks for the reason and the typed case number; a wrong number
//    destroys nothing and says so; the right one destroys the file's bytes
//    (the CLI cannot read any version afterwards) and the page says so;
//  - the export page offers the spreadsheet with its labels' language chosen
//    and the consent filter; the downloaded CSV is read back (UTF-8 BOM,
//    headers and values in the chosen language, one row per consenting case);
//  - the attachments beside it: how many go and how many are left out for
//    lack of consent, and the .tar holds only the consenting case's files;
//  - every export is recorded (`kith export --log`);
//  - axe-core finds no violation on the case page, the purge dialog and the
//    export page; no sideways scroll; no request leaves the machine.
//
// Environment: KITH (the binary), KITH_BUILD (screenshots), CHROMIUM.

import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness, SIZES } from './harness.mjs';

const h = harness('casework');
const { check, work, axe } = h;
const pass = '내보내기 시험 암호 correct horse';
let vault = null;
let k = null;

// what each language shows (the locale's words, checked on the page)
const L = {
  ko: { wrongRef: '다릅니다', purged: '완전히 삭제했습니다', header: '사례 번호', sex: '여성', leftOut: '사례 1건의 파일 1개는 제외했습니다', logged: '공유 동의: 내보낸 사례 1건, 제외 1건' },
  en: { wrongRef: 'is not', purged: 'Its bytes are gone', header: 'Case number', sex: 'Female', leftOut: 'Left out for lack of consent: 1 (cases: 1)', logged: 'consent to sharing: cases out 1, left out 1' },
};

function makeVault() {
  ({ vault, kith: k } = h.vault('v', pass));
  // invented people: one consents to sharing, one does not
  const cases = [
    { ref: 'S-1', person: { name: '한지영', sex: 'female' }, consent: { sharing: true, reporting: true } },
    { ref: 'N-1', person: { name: 'Ri Kwang Ho', sex: 'male' }, consent: { sharing: false } },
  ];
  writeFileSync(join(work, 'c.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  k('import', join(work, 'c.jsonl'));
  const ids = {};
  for (const run of ['ko-desktop', 'ko-phone', 'en-desktop', 'en-phone']) {
    const f = join(work, `purge-${run}.txt`);
    writeFileSync(f, `a scan to destroy, ${run}\n`);
    ids[run] = k('attach', 'add', 'S-1', f).trim();
  }
  writeFileSync(join(work, 'form.txt'), 'a signed consent form\n');
  k('attach', 'add', 'S-1', join(work, 'form.txt'));
  k('attach', 'add', 'N-1', join(work, 'form.txt'));
  return ids;
}

// RFC 4180 records of a CSV text (quotes, CRLF, line breaks inside quotes)
function parseCsv(text) {
  const rows = [];
  let row = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i += 1; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; } else if (c === '\r' && text[i + 1] === '\n') { /* the LF ends it */ } else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; } else f += c;
  }
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  return rows;
}

// the names in a tar file (ustar: name at 0, size at 124, prefix at 345)
function tarNames(buf) {
  const names = [];
  for (let at = 0; at + 512 <= buf.length;) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const str = (o, n) => h.subarray(o, o + n).toString('utf8').replace(/\0.*$/s, '');
    const prefix = str(345, 155);
    names.push(prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    const size = parseInt(str(124, 12), 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

async function flow(browser, base, lang, size, ids) {
  const run = `${lang}-${size.name}`;
  const l = L[lang];
  const other = lang === 'ko' ? 'en' : 'ko'; // the sheet's labels in the other language: the choice is the page's
  const problems = [];
  const { context, page } = await h.newPage(browser, base, problems, size, { acceptDownloads: true });
  await h.unlock(page, base, pass, lang, { hash: '' });
  await page.waitForSelector('[data-nav="new"]');

  // --- the purge, on the case page
  await page.goto(`${base}/#/case/S-1`);
  const sec = page.locator('[data-section="attachments"]');
  const mine = sec.locator(`[data-attachment="${ids[run]}"]`);
  await mine.waitFor();
  await axe(page, `${run} case page with its attachments`);
  await mine.locator('[data-action="attach-purge"]').click();
  await page.waitForSelector('dialog[open] [data-field="purge-ref"]');
  await axe(page, `${run} purge dialog`);
  await page.fill('dialog [data-field="purge-why"]', 'consent withdrawn');
  await page.fill('dialog [data-field="purge-ref"]', 'N-1');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForFunction((s) => (document.querySelector('[data-section="attachments"] [role="status"]') || {}).textContent?.includes(s), l.wrongRef);
  check(await mine.count() === 1, `${run}: a wrong case number destroys nothing, and the page says so`);
  await mine.locator('[data-action="attach-purge"]').click();
  await page.waitForSelector('dialog[open] [data-field="purge-ref"]');
  await page.fill('dialog [data-field="purge-why"]', 'consent withdrawn');
  await page.fill('dialog [data-field="purge-ref"]', 'S-1');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForFunction((s) => (document.querySelector('[data-section="attachments"] [role="status"]') || {}).textContent?.includes(s), l.purged);
  await page.waitForFunction((id) => !document.querySelector(`[data-attachment="${id}"]`), ids[run]);
  check(true, `${run}: the purge says the bytes are gone, and the file leaves the list`);
  let readable = true;
  try { k('attach', 'get', ids[run], '--version', '1'); } catch (e) { readable = false; }
  check(!readable, `${run}: no version of the purged file can be read (kith attach get --version 1 fails)`);
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${run}: the case page has no sideways scroll`);
  await h.shot(page, `purge-${run}`);

  // --- the export: a spreadsheet in the chosen language, only with consent, attachments beside
  await page.goto(`${base}/#/transfer`);
  await page.waitForSelector('[data-action="export"]');
  const form = page.locator('form', { has: page.locator('[data-action="export"]') });
  await form.locator('select').first().selectOption('sheet');
  await page.locator('[data-field="export-lang"] select').selectOption(other);
  await form.locator('select').nth(2).selectOption('sharing');
  await page.locator('[data-field="export-attachments"]').selectOption('tar');
  await form.locator('input[type="checkbox"]').check();
  check(await page.locator('[data-action="export"]').isEnabled(), `${run}: export is enabled once the warning is acknowledged`);
  await axe(page, `${run} export page`);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
  const csv = readFileSync(await dl.path());
  check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf, `${run}: the sheet starts with the UTF-8 byte-order mark`);
  const rows = parseCsv(csv.subarray(3).toString('utf8'));
  const head = rows[0] || [];
  check(head[0] === L[other].header, `${run}: the sheet's headers are in the language chosen (${other}): ${head[0]}`);
  check(rows.length === 2 && rows[1][0] === 'S-1', `${run}: one row, the case that consents to sharing (${rows.length - 1} rows)`);
  check(rows.every((r) => r.length === head.length), `${run}: every row has one cell per column (${head.length})`);
  check(rows[1].includes(L[other].sex), `${run}: values are labels in that language, not codes`);
  check(!csv.includes('Ri Kwang Ho') && !rows.some((r) => r.some((c) => c.startsWith('{') || c.startsWith('['))), `${run}: nothing of the case without consent, no JSON in a cell`);
  const res = page.locator('[data-result="attachments"]');
  await res.waitFor();
  const said = await res.textContent();
  check(said.includes(l.leftOut) && /1/.test(said), `${run}: the page says how many attachments were left out: ${said}`);
  const href = await page.locator('[data-action="export-attachments"]').getAttribute('href');
  const tar = Buffer.from(await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href));
  const names = tarNames(tar);
  check(names.length >= 1 && names.every((n) => n.startsWith('S-1/')), `${run}: the attachments' tar holds only the consenting case's files (${names.join(', ')})`);
  check(!names.some((n) => n.includes(ids[run].slice(0, 8))), `${run}: the purged file is not in it`);
  const logged = await page.waitForFunction((x) => (document.querySelector('[data-section="export-log"] li') || {}).textContent?.includes(x), l.logged).then(() => true, () => false);
  check(logged, `${run}: the export page lists the export just recorded, with its consent filter and counts (${await page.locator('[data-section="export-log"]').textContent()})`);
  await axe(page, `${run} export page with its results`);
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${run}: the export page has no sideways scroll`);
  await h.shot(page, `export-${run}`);
  check(problems.length === 0, `${run}: no console errors, no request leaves the machine ${problems.join('; ')}`);
  await context.close();
  return other;
}

async function main() {
  const ids = makeVault();
  const { url: base } = await h.serve(vault);
  const browser = await h.launch();
  const langs = [];
  try {
    for (const lang of ['ko', 'en']) for (const size of SIZES) langs.push(await flow(browser, base, lang, size, ids));
  } finally {
    await browser.close();
  }
  const log = JSON.parse(k('export', '--log', '--json'));
  const sheets = log.filter((e) => e.format === 'sheet' && e.consent === 'sharing');
  check(sheets.length === 4 && sheets.every((e, i) => e.lang === langs[i] && e.cases === 1 && e.left_out === 1),
    `every web export is recorded with its language, consent filter and counts (${sheets.length})`);
}

await h.run(main);
