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

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from './harness.mjs';

const h = harness('people');
const { check, shot, pageChecks, work, KITH } = h;
const ADMIN = '시험용 관리자 암호';
const CW = '사례 담당자 암호';
const AN = 'analyst words';
let VAULT = null;
let kith = null;

function setup() {
  writeFileSync(join(work, 'cw'), `${CW}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'an'), `${AN}\n`, { mode: 0o600 });
  ({ vault: VAULT, kith } = h.vault('v', ADMIN));
  writeFileSync(join(work, 'cases.jsonl'), `${JSON.stringify({ ref: 'P-1', person: { name: '김영희', sex: 'female', birth: '1990' } })}\n`);
  kith('import', join(work, 'cases.jsonl'));
  kith('user', 'add', '김 선생', '--role', 'caseworker', '--pass-file', join(work, 'cw'));
  kith('user', 'add', 'Analyst Oh', '--role', 'analyst', '--pass-file', join(work, 'an'));
  kith('assign', 'P-1', '김 선생');
  // the caseworker edits it with their own passphrase: a version they signed
  const shown = JSON.parse(kith('show', 'P-1', '--json'));
  const body = shown.body || shown;
  body.person.birth = '1991';
  writeFileSync(join(work, 'e.json'), JSON.stringify(body));
  execFileSync(KITH, ['edit', 'P-1', join(work, 'e.json'), '--vault', VAULT, '--passphrase-file', join(work, 'cw')], { stdio: 'pipe' });
}

async function session(browser, base, lang, size, pass, problems) {
  const before = async (page) => {
    const hint = await page.locator('form.unlock').innerText();
    check(lang === 'en' ? /their own passphrase/.test(hint) : /자신만의 암호/.test(hint), `${lang}-${size}: the unlock page says the passphrase chooses the person`);
  };
  return h.session(browser, base, lang, size, pass, problems, { ready: '.who', before });
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
  check(lines.some((l) => l.includes('김 선생') && l.includes(lang === 'en' ? 'signed by this person' : '본인 서명')), `${tag}: history says the caseworker signed their version`);
  check(!lines.some((l) => l.includes('관리자') && (l.includes('본인 서명') || l.includes('signed by this person'))), `${tag}: and not the admin's`);
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
  const { url: base } = await h.serve(VAULT);
  const browser = await h.launch();
  try {
    for (const [lang, size] of [['ko', 'desktop'], ['en', 'phone']]) {
      await caseworker(browser, base, lang, size);
      await admin(browser, base, lang, size);
    }
    await analyst(browser, base);
  } finally {
    await browser.close();
  }
}

await h.run(main);
