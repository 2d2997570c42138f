// Browser tests of people (issue 12 item 4), in Debian's chromium with
// playwright-core, in Korean and English, at a desktop's and a phone's size:
//   - the unlock page says the passphrase chooses the person; the header
//     says who unlocked, with their role;
//   - an admin sees the People page (list, add, remove), a caseworker does
//     not have it in the menu;
//   - version history names the person of each version;
//   - the case page shows admins who opened the case;
//   - an analyst's case list is refused with a message, never a name.
// Every person is invented. Environment: KITH (the binary), KITH_BUILD.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const KITH = process.env.KITH;
const OUT = join(process.env.KITH_BUILD || tmpdir(), 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(OUT, { recursive: true });

let passed = 0;
let failed = 0;
function check(cond, what) {
  if (cond) passed += 1;
  else failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} - ${what}`);
  return cond;
}

const work = mkdtempSync(join(tmpdir(), 'kith-people-'));
const servers = [];
const ADMIN = '시험용 관리자 암호';
const CW = '사례 담당자 암호';
const AN = 'analyst words';
const VAULT = join(work, 'v.kith');
const PF = join(work, 'v.pass');

function kith(...args) {
  return execFileSync(KITH, [...args, '--vault', VAULT, '--passphrase-file', PF], { stdio: 'pipe' }).toString();
}

function setup() {
  writeFileSync(PF, `${ADMIN}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'cw'), `${CW}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'an'), `${AN}\n`, { mode: 0o600 });
  execFileSync(KITH, ['init', '--vault', VAULT, '--passphrase-file', PF, '--kdf', 'test'], { stdio: 'pipe' });
  writeFileSync(join(work, 'cases.jsonl'), `${JSON.stringify({ ref: 'P-1', person: { name: '김영희', sex: 'female', birth: '1990' } })}\n`);
  kith('import', join(work, 'cases.jsonl'));
  kith('user', 'add', '김 선생', '--role', 'caseworker', '--pass-file', join(work, 'cw'));
  kith('user', 'add', 'Analyst Oh', '--role', 'analyst', '--pass-file', join(work, 'an'));
  kith('assign', 'P-1', '김 선생');
}

function startServer() {
  return new Promise((resolve, reject) => {
    const p = spawn(KITH, ['serve', '--vault', VAULT, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(p);
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
    p.on('exit', (code) => reject(new Error(`kith serve exited ${code}: ${out}`)));
  });
}

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

async function session(browser, base, lang, size, pass, problems) {
  const context = await browser.newContext({ viewport: SIZES[size], isMobile: size === 'phone', hasTouch: size === 'phone' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`outside request: ${r.url()}`); });
  await page.goto(`${base}/#/cases`);
  await page.waitForSelector('input[type="password"]');
  if (lang === 'en') {
    await page.click('[data-action="lang"]');
    await page.waitForSelector('input[type="password"]');
  }
  const hint = await page.locator('form.unlock').innerText();
  check(lang === 'en' ? /their own passphrase/.test(hint) : /자신만의 암호/.test(hint), `${lang}-${size}: the unlock page says the passphrase chooses the person`);
  await page.fill('input[type="password"]', pass);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.who');
  return { context, page };
}

async function shot(page, name) {
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(OUT, `people-${name}.png`), fullPage: true });
  const text = await page.evaluate(() => document.body.innerText);
  const junk = /\[object \w+\]|\bundefined\b|\bNaN\b/.exec(text);
  if (junk) check(false, `${name}: the page shows "${junk[0]}"`);
}

async function pageChecks(page, what) {
  const issues = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('main input, main select, main textarea')) {
      if (el.type === 'hidden' || el.closest('[hidden]') || el.offsetParent === null) continue;
      if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) out.push(`unlabeled ${el.outerHTML.slice(0, 60)}`);
    }
    const ids = new Map();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
    for (const [k, n] of ids) if (n > 1) out.push(`duplicate id ${k}`);
    for (const t of document.querySelectorAll('main table')) if (!t.querySelector('caption') || !t.querySelector('th')) out.push('table without caption or headers');
    if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push(`page wider than the screen (${document.documentElement.scrollWidth})`);
    out.push(...window.__kithI18n.missingKeys().map((k) => `untranslated ${k}`));
    return out;
  });
  check(issues.length === 0, `${what}: labelled, unique ids, captioned tables, no sideways scroll, translated ${issues.join('; ')}`);
}

async function caseworker(browser, base, lang, size) {
  const problems = [];
  const tag = `${lang}-${size}`;
  const { context, page } = await session(browser, base, lang, size, CW, problems);
  const who = await page.locator('.who').innerText();
  check(who.includes('김 선생') && who.includes(lang === 'en' ? 'Caseworker' : '사례 담당자'), `${tag}: the header names the caseworker and their role (${who})`);
  check(await page.locator('[data-nav="people"]').count() === 0, `${tag}: a caseworker has no People page in the menu`);
  await page.goto(`${base}/#/case/P-1/history`);
  await page.waitForSelector('section.version');
  const lines = await page.locator('section.version p.muted.small').allInnerTexts();
  check(lines.some((l) => l.includes(lang === 'en' ? 'Admin (main passphrase)' : '관리자 (기본 암호)')), `${tag}: history names the admin beside the versions they wrote`);
  await pageChecks(page, `${tag}: history`);
  await shot(page, `history-${tag}`);
  check(problems.length === 0, `${tag}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

async function admin(browser, base, lang, size) {
  const problems = [];
  const tag = `${lang}-${size}`;
  const { context, page } = await session(browser, base, lang, size, ADMIN, problems);
  check(await page.locator('[data-nav="people"]').count() === 1, `${tag}: an admin has the People page in the menu`);
  await page.goto(`${base}/#/people`);
  await page.waitForSelector('table[data-table="people"]');
  const rows = await page.locator('table[data-table="people"] tbody tr').allInnerTexts();
  check(rows.length >= 3 && rows.some((r) => r.includes('김 선생')) && rows.some((r) => r.includes('Analyst Oh')), `${tag}: the list shows the main admin and both people (${rows.length})`);
  await pageChecks(page, `${tag}: people`);
  await shot(page, `list-${tag}`);
  const name = `Reviewer ${lang}-${size}`;
  const inputs = page.locator('form.card input');
  await inputs.nth(0).fill(name);
  await page.locator('form.card select').selectOption('reviewer');
  await inputs.nth(1).fill(`${name} words`);
  await inputs.nth(2).fill(`${name} words`);
  await page.click('[data-action="add-person"]');
  await page.waitForSelector(`table[data-table="people"] tbody tr:has-text("${name}")`);
  check(true, `${tag}: the admin adds a reviewer`);
  // the case page: who opened it (the caseworker did, in caseworker())
  await page.goto(`${base}/#/case/P-1`);
  await page.waitForSelector('[data-section="views"]');
  const views = await page.locator('[data-section="views"]').innerText();
  check(views.includes('김 선생'), `${tag}: the case page shows the admin that the caseworker opened it`);
  await pageChecks(page, `${tag}: case page`);
  await shot(page, `views-${tag}`);
  check(problems.length === 0, `${tag}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

async function analyst(browser, base) {
  const problems = [];
  const { context, page } = await session(browser, base, 'ko', 'desktop', AN, problems);
  const nav = await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.dataset.nav));
  check(nav.join(',') === 'figures,together', `ko-desktop: an analyst's menu is the figures only (${nav.join(',')})`);
  await page.goto(`${base}/#/case/P-1`);
  await page.waitForSelector('main .errors');
  const text = await page.locator('main').innerText();
  check(!text.includes('김영희') && text.includes('분석가'), `ko-desktop: the analyst is refused a case page by role, never shown a name (${text.slice(0, 80)})`);
  await shot(page, 'analyst-ko-desktop');
  check(problems.length === 0, `ko-desktop analyst: no console error ${problems.join(' | ')}`);
  await context.close();
}

async function main() {
  setup();
  const base = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    for (const [lang, size] of [['ko', 'desktop'], ['en', 'phone']]) {
      await caseworker(browser, base, lang, size);
      await admin(browser, base, lang, size);
    }
    await analyst(browser, base);
  } finally {
    await browser.close();
    for (const p of servers) p.kill();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`not ok - ${e.stack || e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  for (const p of servers) p.kill();
  process.exit(1);
});
