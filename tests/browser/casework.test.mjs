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

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const KITH = process.env.KITH;
const OUT = join(process.env.KITH_BUILD || tmpdir(), 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(OUT, { recursive: true });

let passed = 0;
let failed = 0;
function check(cond, what) {
  if (cond) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`not ok - ${what}`);
  }
  return cond;
}

const work = mkdtempSync(join(tmpdir(), 'kith-casework-'));
const vault = join(work, 'v.kith');
const pf = join(work, 'pass');
const pass = '내보내기 시험 암호 correct horse';
let server = null;
const k = (...a) => execFileSync(KITH, [...a, '--vault', vault, '--passphrase-file', pf], { stdio: 'pipe' }).toString();

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

// what each language shows (the locale's words, checked on the page)
const L = {
  ko: { wrongRef: '다릅니다', purged: '완전히 삭제했습니다', header: '사례 번호', sex: '여성', leftOut: '사례 1건의 파일 1개는 제외했습니다', logged: '공유 동의: 내보낸 사례 1건, 제외 1건' },
  en: { wrongRef: 'is not', purged: 'Its bytes are gone', header: 'Case number', sex: 'Female', leftOut: 'Left out for lack of consent: 1 (cases: 1)', logged: 'consent to sharing: cases out 1, left out 1' },
};

function makeVault() {
  writeFileSync(pf, `${pass}\n`, { mode: 0o600 });
  execFileSync(KITH, ['init', '--vault', vault, '--passphrase-file', pf, '--kdf', 'test'], { stdio: 'pipe' });
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

function startServer() {
  return new Promise((resolve, reject) => {
    const p = spawn(KITH, ['serve', '--vault', vault, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server = p;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kith serve did not start: ${out}`)), 15000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    p.stderr.on('data', (d) => { out += d; });
  });
}

async function axe(page, what) {
  await page.evaluate(AXE);
  const v = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(v.length === 0, `axe: ${what}: no violation ${v.join(' | ')}`);
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
  const context = await browser.newContext({ viewport: size.viewport, isMobile: !!size.isMobile, hasTouch: !!size.hasTouch, acceptDownloads: true });
  const page = await context.newPage();
  const origin = new URL(base).origin;
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`outside request: ${u}`);
  });
  await page.goto(`${base}/`);
  await page.waitForSelector('input[type="password"]');
  if ((await page.evaluate(() => document.documentElement.lang)) !== lang) {
    await page.click('[data-action="lang"]');
    await page.waitForFunction((x) => document.documentElement.lang === x, lang);
  }
  await page.fill('input[type="password"]', pass);
  await page.click('form.unlock button[type="submit"]');
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
  await page.screenshot({ path: join(OUT, `casework-purge-${run}.png`), fullPage: true });

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
  await page.screenshot({ path: join(OUT, `casework-export-${run}.png`), fullPage: true });
  check(problems.length === 0, `${run}: no console errors, no request leaves the machine ${problems.join('; ')}`);
  await context.close();
  return other;
}

async function main() {
  if (!KITH) throw new Error('set KITH');
  const ids = makeVault();
  const base = await startServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--no-proxy-server'],
  });
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

try {
  await main();
} catch (e) {
  failed += 1;
  console.log(`not ok - the run stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  if (server) server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
