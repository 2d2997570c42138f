// Browser tests of kith's web UI: Debian's chromium driven by playwright-core.
//
// The whole flow a social worker follows, in Korean and then in English:
// unlock (a wrong passphrase first) -> intake of a case from the generated
// form -> search in Hangul and in romanization -> edit -> version history ->
// lock; plus a validation error shown at its field, import and export, the
// idle lock, and the panic button with its confirmation step. Every page is
// screenshotted into $KITH_BUILD/screenshots (look at them). The run fails on
// any console error (CSP violations show up there), any request that leaves
// 127.0.0.1, any untranslated string and any unlabeled form control.
//
// Environment: KITH (the binary), KITH_BUILD (output folder). Without KITH,
// KITH_URL and KITH_PASS name a server that is already running.

import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { harness, OUT, KITH } from './harness.mjs';
import * as day from './day.mjs';

const h = harness('ui');
const { check, shot, work } = h;

const startServer = async (vault, extra = []) => (await h.serve(vault, { extra })).url;
const makeVault = (name, pass) => h.vault(name, pass).vault;
const newPage = (browser, base, problems) => h.newPage(browser, base, problems, 'desktop', { acceptDownloads: true });

async function unlabeled(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]') && el.offsetParent !== null)
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML.slice(0, 80)));
}

// Fills the intake form for one person. `lang` only changes the expectations.
async function intake(page, p) {
  await page.click('[data-nav="new"]');
  await page.waitForSelector('form.caseform');
  const person = page.locator('fieldset[data-field="person"]');
  await person.locator('[data-field="name"] input').fill(p.name);
  await person.locator('[data-field="other_names"] button').click();
  await person.locator('[data-field="other_names"] .item input').last().fill(p.other);
  await person.locator('[data-field="sex"] select').selectOption(p.sex);
  const birth = person.locator('[data-field="birth"]');
  await birth.locator('select.precision').selectOption('year');
  await birth.locator('input.year').fill(p.birthYear);
  await person.locator('fieldset[data-field="origin"] [data-field="province"] select').selectOption(p.province);
  // two journey stages, the second with a month-precision date
  const journey = page.locator('fieldset[data-field="journey"]');
  for (const st of p.journey) {
    await journey.locator(':scope > button').click();
    const item = journey.locator('fieldset.list-item').last();
    await item.locator('[data-field="leg"] select').selectOption(st.leg);
    await item.locator('[data-field="country"] select').selectOption(st.country);
    await item.locator('[data-field="place"] input').fill(st.place);
    const d = item.locator('[data-field="date"]');
    await d.locator('select.precision').selectOption('month');
    await d.locator('input.year').fill(st.year);
    await d.locator('select.month').selectOption(st.month);
    await item.locator('[data-field="status"] select').selectOption(st.status);
  }
  const inc = page.locator('fieldset[data-field="incidents"]');
  await inc.locator(':scope > button').click();
  const it = inc.locator('fieldset.list-item').first();
  await it.locator('[data-field="type"] select').selectOption('forced_marriage');
  await it.locator('[data-field="means"] input[value="withholds_documents"]').check();
  if (p.familyRef) {
    // a family link to another case, found by typing the name (datalist)
    const fam = page.locator('fieldset[data-field="family"]');
    await fam.locator(':scope > button').click();
    const m = fam.locator('fieldset.list-item').first();
    await m.locator('[data-field="relation"] select').selectOption('sibling');
    await m.locator('[data-field="case"] input').fill(p.familyRef);
  }
  const consent = page.locator('fieldset[data-field="consent"]');
  await consent.locator('[data-field="tracing"] select').selectOption('yes');
  await page.locator('[data-field="status"] > select').last().selectOption('active');
  await page.locator('[data-field="narrative"] textarea').fill(p.narrative);
}

async function flow(browser, base, pass, lang, familyRef) {
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  const L = lang === 'ko'
    ? { unlock: '보관함 열기', cases: '사례 목록', wrong: '암호가 맞지 않습니다', saved: '저장했습니다', history: '변경 이력', v2: '버전 2', running: '모든 사례를 비교하는 중입니다 (기록 연계)…' }
    : { unlock: 'Unlock the vault', cases: 'Cases', wrong: 'Wrong passphrase', saved: 'saved', history: 'Version history', v2: 'Version 2', running: 'Comparing every case (record linkage)…' };
  await page.goto(`${base}/`);
  if (lang === 'en') {
    await page.waitForSelector('h1');
    await page.click('[data-action="lang"]');
  }
  await page.waitForSelector(`h1:has-text("${L.unlock}")`);
  check(await page.evaluate(() => document.documentElement.lang) === lang, `${lang}: <html lang> is ${lang}`);
  await shot(page, `01-unlock-${lang}`);

  await page.fill('input[type="password"]', 'not the passphrase');
  await page.click('button[type="submit"]');
  await page.waitForSelector(`#unlock-msg:has-text("${L.wrong}")`);
  check(true, `${lang}: a wrong passphrase is refused with a message`);
  check(await page.inputValue('input[type="password"]') === '', `${lang}: the passphrase field is cleared`);

  await page.fill('input[type="password"]', pass);
  await page.click('button[type="submit"]');
  await page.waitForSelector(`h1:has-text("${L.cases}")`);
  check(true, `${lang}: unlocks and shows the case list`);
  const cookies = await context.cookies();
  const sc = cookies.find((c) => c.name === 'kith_session');
  check(sc && sc.httpOnly && sc.sameSite === 'Strict', `${lang}: session cookie is HttpOnly and SameSite=Strict`);
  check(await page.evaluate(() => document.cookie) === '', `${lang}: scripts cannot read the session cookie`);
  await shot(page, `02-cases-${lang}`);

  // a validation error from the server is shown at its field
  await page.click('[data-nav="new"]');
  await page.waitForSelector('form.caseform');
  check((await unlabeled(page)).length === 0, `${lang}: every control of the intake form has a label`);
  await shot(page, `03-intake-empty-${lang}`);
  await page.locator('fieldset[data-field="person"] [data-field="sex"] select').selectOption('female');
  await page.click('[data-action="save"]');
  await page.waitForSelector('[aria-invalid="true"]');
  const invalidIn = await page.evaluate(() => document.activeElement && document.activeElement.closest('[data-field]') && document.activeElement.closest('[data-field]').dataset.field);
  check(invalidIn === 'name', `${lang}: a missing name is reported at person.name, focused (${invalidIn})`);
  await shot(page, `04-intake-error-${lang}`);

  const people = lang === 'ko'
    ? { name: '방미선', other: 'Pang Mi-sŏn', sex: 'female', birthYear: '1987', province: 'north_hamgyong',
      journey: [{ leg: 'transit', country: 'CN', place: '연길', year: '2019', month: '03', status: 'in_hiding' },
        { leg: 'resettlement', country: 'KR', place: '서울', year: '2021', month: '11', status: 'resettled' }],
      narrative: '가상의 시험용 진술입니다.', searchHangul: '방미선', searchRoman: 'Bang Mi Sun' }
    : { name: 'Kim Young-hee', other: '김영희', sex: 'female', birthYear: '1990', province: 'ryanggang',
      journey: [{ leg: 'transit', country: 'LA', place: 'Vientiane', year: '2018', month: '07', status: 'in_transit' },
        { leg: 'resettlement', country: 'KR', place: 'Seoul', year: '2019', month: '01', status: 'resettled' }],
      narrative: 'A fictional test testimony.', searchHangul: '김영희', searchRoman: 'Kim Yonghui', familyRef };
  await intake(page, people);
  await shot(page, `05-intake-filled-${lang}`);
  await page.click('[data-action="save"]');
  await page.waitForSelector('[data-action="edit"]');
  const banner = await page.textContent('#banner');
  check(banner.includes(L.saved), `${lang}: saved with a confirmation (${banner.trim()})`);
  const title = await page.textContent('h1');
  check(title.includes(people.name), `${lang}: the case view shows the name`);
  const ref = title.split('·').pop().trim();
  check(await page.locator('.timeline li').count() === 2, `${lang}: the journey timeline has both stages`);
  if (familyRef) {
    check(await page.locator(`a[href="#/case/${familyRef}"]`).count() === 1, `${lang}: the family member links to their case`);
    // propose the two cases for duplicate review
    const dup = page.locator('form[data-section="duplicate"]');
    await dup.locator('input').first().fill(familyRef);
    await dup.locator('[data-action="propose"]').click();
    await dup.locator('p.banner').waitFor();
    check(true, `${lang}: a possible duplicate is proposed for review`);
  }
  await shot(page, `06-view-${lang}`);
  if (lang === 'ko') {
    // a small laptop screen
    await page.setViewportSize({ width: 1024, height: 600 });
    await page.click('[data-nav="cases"]');
    await page.waitForSelector('#case-search');
    await page.screenshot({ path: join(OUT, '06b-cases-small-ko.png') });
    await page.click('[data-nav="new"]');
    await page.waitForSelector('form.caseform');
    await page.screenshot({ path: join(OUT, '06c-intake-small-ko.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  // search in Hangul and in a romanization
  for (const [q, what] of [[people.searchHangul, 'Hangul'], [people.searchRoman, 'romanization']]) {
    await page.click('[data-nav="cases"]');
    await page.waitForSelector('#case-search');
    await page.fill('#case-search', q);
    await page.press('#case-search', 'Enter');
    await page.waitForFunction((query) => document.querySelector('#results').dataset.query === query, q, { timeout: 10000 });
    const found = await page.locator(`tr[data-ref="${ref}"]`).count();
    check(found === 1, `${lang}: search in ${what} ("${q}") finds ${ref}`);
    await shot(page, `07-search-${what.toLowerCase()}-${lang}`);
  }

  // the list's filters: the case is under its province, not under another
  await page.click('[data-nav="cases"]');
  await page.waitForSelector('#filter-province');
  await page.fill('#case-search', '');
  await page.selectOption('#filter-province', people.province);
  await page.waitForFunction(() => /\d/.test(document.querySelector('#result-count')?.textContent || ''));
  await page.waitForSelector(`tr[data-ref="${ref}"]`, { timeout: 10000 });
  check(await page.locator(`tr[data-ref="${ref}"]`).count() === 1, `${lang}: the province filter keeps ${ref}`);
  await page.selectOption('#filter-province', 'rason');
  await page.waitForSelector(`tr[data-ref="${ref}"]`, { state: 'detached', timeout: 10000 });
  check(await page.locator(`tr[data-ref="${ref}"]`).count() === 0, `${lang}: another province leaves it out`);
  check((await unlabeled(page)).length === 0, `${lang}: every filter has a label`);
  await shot(page, `07b-filter-${lang}`);
  await page.selectOption('#filter-province', '');

  // edit: a new version
  await page.goto(`${base}/#/case/${encodeURIComponent(ref)}`);
  await page.click('[data-action="edit"]');
  await page.waitForSelector('form.caseform');
  check(await page.locator('fieldset[data-field="journey"] fieldset.list-item').count() === 2, `${lang}: the edit form is filled from the case`);
  await page.locator('[data-field="status"] > select').last().selectOption('follow_up');
  await page.fill('.formbar input[type="text"]', lang === 'ko' ? '후속 상담 예정' : 'follow-up planned');
  await page.click('[data-action="save"]');
  await page.waitForSelector('[data-action="history"]');
  check((await page.textContent('#banner')).includes('2'), `${lang}: the edit is saved as version 2`);
  await page.click('[data-action="history"]');
  await page.waitForSelector('section.version');
  check(await page.locator('section.version').count() === 2, `${lang}: history lists two versions`);
  check(await page.locator('section.version.current .diff li').count() >= 1, `${lang}: history shows what changed`);
  check((await page.textContent('h1')).includes(L.history.split(' ')[0]), `${lang}: history heading`);
  await shot(page, `08-history-${lang}`);

  // review and transfer pages render
  await page.click('[data-nav="review"]');
  await page.waitForSelector('.tabs button');
  await page.waitForSelector('p.muted');
  await shot(page, `09-review-${lang}`);
  if (familyRef) {
    const card = page.locator('section[data-link]');
    check(await card.count() === 1, `${lang}: the review page lists the proposed pair`);
    check(await card.locator('.side').count() === 2, `${lang}: the pair is shown side by side`);
    await card.locator('input').fill('same birth year and province');
    await card.locator('[data-action="confirm"]').click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-link]').length === 0);
    check(true, `${lang}: confirming moves the pair out of the review list`);
    await page.click('.tabs button:nth-child(2)');
    await page.waitForSelector('section[data-link] [data-action="undo"]');
    await shot(page, `09b-review-confirmed-${lang}`);
    await page.click('section[data-link] [data-action="undo"]');
    await page.waitForFunction(() => document.querySelectorAll('section[data-link]').length === 0);
    await page.click('.tabs button:nth-child(1)');
    await page.waitForSelector('section[data-link] [data-action="confirm"]');
    check(true, `${lang}: undo puts the pair back for review`);
    // the linkage engine explains the pair field by field
    await card.locator('[data-action="explain"]').click();
    await page.waitForSelector('section[data-link] .explain table tbody tr');
    check(await card.locator('.explain tbody tr').count() >= 2, `${lang}: "why?" shows the linkage engine's field-by-field weights`);
    const sums = await card.evaluate((c) => {
      const num = (td) => Number(td.textContent.replace('+', ''));
      const rows = [...c.querySelectorAll('.explain tbody tr td.num')].map(num);
      const total = num(c.querySelector('.explain tfoot td.num'));
      const head = /(-?\d+\.\d+)/.exec(c.querySelector('.explain p').textContent);
      return { sum: rows.reduce((a, b) => a + b, 0), total, head: head ? Number(head[1]) : NaN, prior: !!c.querySelector('.explain tr[data-row="prior"]') };
    });
    check(sums.prior && Math.abs(sums.sum - sums.total) < 0.01 * 8 && Math.abs(sums.total - sums.head) < 0.011,
      `${lang}: the "why" panel shows the prior as a row and its total is the sum of its rows and the weight above (${JSON.stringify(sums)})`);
    await shot(page, `09c-review-explain-${lang}`);
    // record linkage over the whole vault, from the page
    await page.click('[data-action="run-linkage"]');
    await page.waitForFunction((running) => { const m = document.querySelector('p[role="status"]'); return m && m.textContent && m.textContent !== running; }, L.running);
    const ran = await page.textContent('p[role="status"]');
    check(/\d/.test(ran), `${lang}: "find possible duplicates" runs record linkage and reports (${ran})`);
  }
  await page.click('[data-nav="transfer"]');
  await page.waitForSelector('[data-action="import"]');
  check((await unlabeled(page)).length === 0, `${lang}: every control of the import/export page has a label`);
  await shot(page, `10-transfer-${lang}`);

  // lock
  await page.click('[data-action="lock"]');
  await page.waitForSelector(`h1:has-text("${L.unlock}")`);
  check(await page.locator('[data-nav]').count() === 0, `${lang}: locking returns to the unlock page`);
  check(!(await page.evaluate(() => document.body.innerText)).includes(people.name), `${lang}: nothing of the case stays on screen after lock`);
  const r = await page.evaluate(async () => (await fetch('/api/cases')).status);
  check(r === 423, `${lang}: after lock the API answers 423 (${r})`);
  await shot(page, `11-locked-${lang}`);

  const missing = await page.evaluate(() => window.__kithI18n.missingKeys());
  check(missing.length === 0, `${lang}: every string is translated ${missing.join(' ')}`);
  check(problems.length === 0, `${lang}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
  return ref;
}

async function importExport(browser, base, pass) {
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  await page.goto(`${base}/#/transfer`);
  await page.fill('input[type="password"]', pass);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-action="import"]');
  const good = join(work, 'good.jsonl');
  writeFileSync(good, `${JSON.stringify({ ref: 'IMP-1', person: { name: '리영호', sex: 'male' } })}\n${JSON.stringify({ ref: 'IMP-2', person: { name: 'Ri Yong-ho' } })}\n`);
  const bad = join(work, 'bad.jsonl');
  writeFileSync(bad, `${JSON.stringify({ ref: 'IMP-3', person: { name: 'A' } })}\n${JSON.stringify({ ref: 'IMP-4', person: { name: 'B', sex: 'robot' } })}\n`);
  await page.setInputFiles('input[type="file"]', bad);
  await page.click('[data-action="import"]');
  await page.waitForSelector('.errors');
  const err = await page.textContent('.errors');
  check(/bad\.jsonl/.test(err) && /2/.test(err) && /(sex|성별|Sex)/.test(err), `import: a bad file is refused with file, line and field (${err.trim().slice(0, 120)})`);
  await shot(page, '12-import-error-ko');
  await page.setInputFiles('input[type="file"]', good);
  await page.click('[data-action="import"]');
  await page.waitForSelector('p.banner');
  check(/2/.test(await page.textContent('p.banner')), 'import: a good file imports both cases');
  const listed = await page.evaluate(async () => (await (await fetch('/api/case?ref=IMP-3')).json()));
  check(listed.error && listed.error.code === 'not_found', 'import: nothing of the bad file was written');
  // export, after the plaintext warning
  check(await page.locator('[data-action="export"]').isDisabled(), 'export: disabled until the warning is acknowledged');
  check(await page.inputValue('form:has([data-action="export"]) select[id^="econsent"]') === 'sharing',
    'export: the consent filter starts at "sharing", not at every case');
  await page.selectOption('form:has([data-action="export"]) select[id^="econsent"]', 'all');
  await page.selectOption('form:has([data-action="export"]) select[id^="efmt"]', 'jsonl');
  await page.check('form:has([data-action="export"]) input[type="checkbox"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
  const file = join(work, 'export.jsonl');
  await download.saveAs(file);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  check(lines.length >= 2 && lines.some((l) => l.includes('IMP-1')), `export: a JSON Lines file with the cases (${lines.length} lines)`);
  await shot(page, '13-export-ko');
  // the spreadsheet: a byte-order mark, Korean labels, one column per field
  await page.selectOption('form:has([data-action="export"]) select[id^="efmt"]', 'sheet');
  await page.check('form:has([data-action="export"]) input[type="checkbox"]');
  const [sheetDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
  const sheetFile = join(work, 'export-sheet.csv');
  await sheetDl.saveAs(sheetFile);
  const sheet = readFileSync(sheetFile, 'utf8');
  check(sheet.charCodeAt(0) === 0xfeff && sheet.includes('사례 번호') && sheet.includes('IMP-1') && !sheet.includes('journey_json'),
    `export: a spreadsheet with a BOM and Korean labels (${sheet.slice(1, 40)})`);
  check(problems.length === 0, `import/export: no console error or outside request ${problems.join(' | ')}`);
  await context.close();
}

async function idleLock(browser) {
  const vault = makeVault('idle', 'idle passphrase');
  const base = await startServer(vault, ['--idle-lock', '2']);
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  await page.goto(`${base}/`);
  await page.fill('input[type="password"]', 'idle passphrase');
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-nav="new"]');
  await page.waitForTimeout(3500);
  await page.click('[data-nav="new"]');
  await page.waitForSelector('input[type="password"]', { timeout: 10000 });
  check((await page.textContent('#banner')).includes('자동으로 잠겼습니다'), 'idle lock: after the idle time the vault is locked and the page says so');
  await shot(page, '14-idle-locked-ko');
  await context.close();
}

async function panic(browser, base, pass) {
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  await page.goto(`${base}/`);
  await page.fill('input[type="password"]', pass);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-nav="new"]');
  await page.click('[data-action="panic"]');
  await page.waitForSelector('dialog[open]');
  check(await page.evaluate(() => document.activeElement.dataset.action) === 'cancel', 'panic: the dialog focuses Cancel');
  await shot(page, '15-panic-dialog-ko');
  await page.click('dialog [data-action="cancel"]');
  check(await page.locator('[data-nav="new"]').count() === 1, 'panic: Cancel changes nothing');
  await page.click('[data-action="panic"]');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('input[type="password"]');
  await page.fill('input[type="password"]', pass);
  await page.click('button[type="submit"]');
  await page.waitForSelector('#unlock-msg:has-text("키가 파기되었습니다")');
  check(true, 'panic: after confirming, the old passphrase no longer opens the vault, and the page says the keys were destroyed');
  await shot(page, '16-after-panic-ko');
  await context.close();
}

// The panic button on the lock screen (issue 10, finding 2): any program on
// the computer can reach that screen, so the keys are destroyed there only
// with the vault's passphrase typed into the dialog.
async function lockedPanic(browser) {
  const pass = 'locked panic passphrase';
  const vault = makeVault('lockedpanic', pass);
  const base = await startServer(vault);
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  await page.goto(`${base}/`);
  await page.waitForSelector('input[type="password"]');
  await page.click('[data-action="panic"]');
  await page.waitForSelector('dialog[open] [data-field="panic-passphrase"]');
  check(true, 'locked panic: the dialog asks for the passphrase');
  await shot(page, '17-locked-panic-dialog-ko');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('#banner:has-text("보관함 암호를 입력하세요")');
  check(true, 'locked panic: without the passphrase nothing is destroyed');
  await page.click('[data-action="panic"]');
  await page.fill('dialog [data-field="panic-passphrase"]', 'not the passphrase');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('#banner:has-text("키를 파기하지 않았습니다")');
  check(true, 'locked panic: a wrong passphrase destroys nothing');
  await page.fill('#pass, input[type="password"]', pass);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-nav="new"]');
  check(true, 'locked panic: the keys are intact after the refused attempts');
  await page.click('[data-action="lock"]');
  await page.waitForSelector('input[type="password"]');
  await page.click('[data-action="panic"]');
  await page.fill('dialog [data-field="panic-passphrase"]', pass);
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('#banner:has-text("키를 파기했습니다")');
  await page.fill('input[type="password"]', pass);
  await page.click('button[type="submit"]');
  await page.waitForSelector('#unlock-msg:has-text("키가 파기되었습니다")');
  check(true, 'locked panic: with the passphrase the keys are destroyed, and the page says so (not "wrong passphrase")');
  check(problems.length === 0, `locked panic: no console error or outside request ${problems.join(' | ')}`);
  await context.close();
}

// Family tracing (src/link/trace.h): a request made in the form generated
// from the schema, its candidates with the engine's field weights, and a
// review that links the two cases as family, then undone. In English the
// same request is opened and reviewed back to "possible".
async function tracing(browser, base, pass, lang, seekerRef, soughtRef) {
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  await page.goto(`${base}/#/trace`);
  await page.waitForSelector('input[type="password"]');
  if (lang === 'en') await h.switchLang(page, 'input[type="password"]');
  // by keyboard alone: the passphrase field has the focus, Enter unlocks
  check(await page.evaluate(() => document.activeElement && document.activeElement.type === 'password'), `${lang}: the unlock page puts the focus in the passphrase field`);
  await page.keyboard.type(pass);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-action="new-trace"]');
  await shot(page, `17-trace-list-${lang}`);
  let ref;
  if (lang === 'ko') {
    await page.click('[data-action="new-trace"]');
    await page.waitForSelector('form.caseform');
    check((await unlabeled(page)).length === 0, `${lang}: every control of the tracing form has a label`);
    await page.locator('fieldset[data-field="seeker"] [data-field="case"] input').fill(seekerRef);
    const sought = page.locator('fieldset[data-field="sought"]');
    await sought.locator(':scope > .grid > [data-field="name"] input').fill('김영희');
    await sought.locator(':scope > .grid > [data-field="sex"] select').selectOption('female');
    const birth = sought.locator(':scope > .grid > [data-field="birth"]');
    await birth.locator('select.precision').selectOption('year');
    await birth.locator('input.year').fill('1990');
    await sought.locator(':scope > .grid > [data-field="relation"] select').selectOption('sibling');
    // consent starts unset: the person seeking says yes
    await page.locator('fieldset[data-field="consent"] [data-field="tracing"] select').selectOption('yes');
    await shot(page, `18-trace-new-${lang}`);
    await page.click('[data-action="save-trace"]');
    await page.waitForSelector(`section[data-candidate="${soughtRef}"]`);
    ref = decodeURIComponent(page.url().split('#/trace/')[1]);
    check(true, `${lang}: a tracing request lists the sought case as a candidate (${ref})`);
    const card = page.locator(`section[data-candidate="${soughtRef}"]`);
    check(await card.locator('table.explain tbody tr').count() >= 3, `${lang}: the candidate shows each field's weight`);
    check(await page.locator(`section[data-candidate="${seekerRef}"]`).count() === 0, `${lang}: the seeker's own case is never a candidate`);
    await shot(page, `19-trace-candidates-${lang}`);
    await card.locator('[data-action="trace-confirm"]').click();
    await page.waitForSelector(`section[data-candidate="${soughtRef}"] [data-action="trace-undo"]`);
    check(true, `${lang}: confirming a candidate`);
    await shot(page, `20-trace-confirmed-${lang}`);
    await page.goto(`${base}/#/case/${encodeURIComponent(seekerRef)}`);
    await page.waitForSelector('[data-section="family"]');
    check(await page.locator(`[data-section="family"] a[href="#/case/${soughtRef}"]`).count() === 1, `${lang}: the confirmation linked the seeker's case to the found case`);
    await page.goto(`${base}/#/trace/${encodeURIComponent(ref)}`);
    await page.locator(`section[data-candidate="${soughtRef}"] [data-action="trace-undo"]`).click();
    await page.waitForSelector(`section[data-candidate="${soughtRef}"] [data-action="trace-confirm"]`);
    check(true, `${lang}: the confirmation can be undone`);
  } else {
    await page.locator('a[data-trace]').first().click();
    await page.waitForSelector(`section[data-candidate="${soughtRef}"]`);
    // a review decision by keyboard: focus the button, press Enter
    await page.locator(`section[data-candidate="${soughtRef}"] [data-action="trace-possible"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`section[data-candidate="${soughtRef}"] [data-action="trace-undo"]`);
    check(true, `${lang}: a candidate is marked as a possible match`);
    await shot(page, `19-trace-candidates-${lang}`);
  }
  const missing = await page.evaluate(() => window.__kithI18n.missingKeys());
  check(missing.length === 0, `${lang}: every tracing string is translated ${missing.join(' ')}`);
  check(problems.length === 0, `${lang}: tracing: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
  return ref;
}

// The figures page and the count-together page, in one language, on a vault
// of invented people (kith synth): the report's table equals `kith report`'s
// JSON, withheld cells are marked, downloads are named, the estimate shows
// what was counted before the figures and the sentence in the page's
// language; count together encodes this vault, takes two other
// organizations' encodings (a hostile file refused by name) and estimates.
// At 1280×800 and at a phone's width.
function figuresVault() {
  const dir = join(work, 'fig');
  mkdirSync(dir, { recursive: true });
  const pass = 'figures 통계 pass';
  const vault = makeVault('figures', pass);
  const pf = join(work, 'figures.pass');
  execFileSync(KITH, ['synth', '--cases', join(dir, 'cases.jsonl'), '--people', '300', '--lists', '3', '--seed', '5'], { stdio: 'pipe' });
  execFileSync(KITH, ['import', '--vault', vault, '--passphrase-file', pf, join(dir, 'cases.jsonl')], { stdio: 'pipe' });
  execFileSync(KITH, ['pprl', 'keygen', '--secret', join(dir, 'secret.txt')], { stdio: 'pipe' });
  execFileSync(KITH, ['pprl', 'keygen', '--sign-key', join(dir, 'org.key')], { stdio: 'pipe' });
  execFileSync(KITH, ['synth', '--out', join(dir, 'syn'), '--people', '200', '--lists', '3', '--seed', '9'], { stdio: 'pipe' });
  const rows = readFileSync(join(dir, 'syn', 'records.csv'), 'utf8').trim().split('\n').slice(1);
  const srcs = [...new Set(rows.map((l) => l.split(',')[1]))].sort().slice(0, 2);
  const others = srcs.map((s) => {
    const out = join(dir, `org-${s}.kpe`);
    execFileSync(KITH, ['pprl', 'encode', '--secret-file', join(dir, 'secret.txt'), '--sign-key', join(dir, 'org.key'),
      '--org', `org-${s}`, '--source', s, '--out', out, join(dir, 'syn', 'records.csv')], { stdio: 'pipe' });
    return out;
  });
  writeFileSync(join(dir, 'hostile.kpe'), 'not an encoding at all');
  return { vault, pass, pf, dir, others };
}

async function a11y(page, lang, what) {
  check((await unlabeled(page)).length === 0, `${lang}: ${what}: every control has a label`);
  const issues = await page.evaluate(() => {
    const out = [];
    const ids = new Map();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
    for (const [k, n] of ids) if (n > 1) out.push(`duplicate id ${k}`);
    for (const b of document.querySelectorAll('button')) if (!b.textContent.trim() && !b.getAttribute('aria-label')) out.push('button without a name');
    for (const s of document.querySelectorAll('main svg[role="img"]')) if (!s.querySelector('title') && !s.getAttribute('aria-label')) out.push('svg without a title');
    for (const t of document.querySelectorAll('main table')) if (!t.querySelector('caption') || !t.querySelector('th')) out.push('table without caption or headers');
    const hs = [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map((h) => Number(h.tagName[1]));
    for (let i = 1; i < hs.length; i++) if (hs[i] > hs[i - 1] + 1) out.push(`heading h${hs[i - 1]} -> h${hs[i]}`);
    if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push(`page wider than the screen (${document.documentElement.scrollWidth})`);
    return out;
  });
  check(issues.length === 0, `${lang}: ${what}: ids unique, buttons named, charts titled, tables captioned, headings in order, no sideways scroll ${issues.join('; ')}`);
}

async function figures(browser, base, fx, lang) {
  const problems = [];
  const { context, page } = await newPage(browser, base, problems);
  await page.goto(`${base}/`);
  await page.waitForSelector('input[type="password"]');
  if ((await page.evaluate(() => document.documentElement.lang)) !== lang) await h.switchLang(page, 'input[type="password"]');
  await page.fill('input[type="password"]', fx.pass);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-nav="figures"]');
  await page.click('[data-nav="figures"]');
  await page.waitForSelector('[data-action="report"]');
  check((await page.textContent('h1')).trim() === (lang === 'ko' ? '통계' : 'Figures'), `${lang}: the figures page`);
  await page.locator('form select').nth(0).selectOption('origin');
  await page.locator('form select').nth(1).selectOption('sex');
  await page.click('[data-action="report"]');
  await page.waitForSelector('table[data-figures="report"]', { timeout: 120000 });
  const cli = JSON.parse(execFileSync(KITH, ['report', '--vault', fx.vault, '--passphrase-file', fx.pf, '--by', 'origin,sex', '--format', 'json', '--lang', lang], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
  const shown = await page.evaluate(() => [...document.querySelectorAll('table[data-figures="report"] tbody tr')]
    .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  const want = cli.cells.map((row, i) => [...row, cli.row_totals[i]].map((v) => (v == null ? 'x' : Number(v).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US'))));
  check(JSON.stringify(shown) === JSON.stringify(want), `${lang}: the page's table is kith report's, withheld cells marked x`);
  check(await page.locator('[data-figures="chart"] svg title').count() === 1, `${lang}: the chart is inline with its title`);
  const notes = await page.textContent('[data-figures="notes"]');
  check(cli.withheld.cells === 0 || notes.includes(String(cli.withheld.small)), `${lang}: the note says how many cells were withheld (${cli.withheld.small} small, ${cli.withheld.secondary} more)`);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="hxl"]')]);
  check(dl.suggestedFilename() === `kith-report-hxl${lang === 'ko' ? '-ko' : ''}.csv`, `${lang}: the HXL download is named (${dl.suggestedFilename()})`);
  await a11y(page, lang, 'report');
  await shot(page, `30-figures-report-${lang}`);
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(OUT, `31-figures-print-${lang}.png`), fullPage: true });
  check(await page.locator('form').first().isHidden(), `${lang}: the printed page leaves the controls out`);
  await page.emulateMedia({ media: 'screen' });

  // the estimate
  await page.click('[data-action="estimate"]');
  check(await page.locator('[data-figures="estimate-out"][aria-busy="true"]').count() === 1, `${lang}: a busy state while the estimate runs`);
  await page.waitForSelector('[data-figures="summary"]', { timeout: 600000 });
  const order = await page.evaluate(() => {
    const c = document.querySelector('[data-figures="counted"]');
    const s = document.querySelector('[data-figures="summary"]');
    return !!(c && s && (c.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING));
  });
  check(order, `${lang}: what was counted and left out comes before the figures`);
  const sentence = await page.textContent('[data-figures="summary"] p.summary');
  check(lang === 'ko' ? /명/.test(sentence) : /people/.test(sentence), `${lang}: the plain-language sentence in the page's language ("${sentence.slice(0, 60)}…")`);
  const cliText = execFileSync(KITH, ['estimate', '--vault', fx.vault, '--passphrase-file', fx.pf, '--lang', lang], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  check(cliText.includes(sentence.trim().slice(0, 40)), `${lang}: the sentence is kith estimate's`);
  const lists = await page.locator('[data-figures="counted"] tbody tr').count();
  check(lists === 3, `${lang}: the lists are named by organization (${lists})`);
  check((await page.inputValue('textarea')).startsWith('organization,list'), `${lang}: the mapping used is filled in to edit`);
  check(await page.locator('[data-figures="estimate-chart"] svg').count() === 1, `${lang}: the estimate's chart`);
  await a11y(page, lang, 'estimate');
  await shot(page, `32-figures-estimate-${lang}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await a11y(page, lang, 'figures at a phone width');
  await page.screenshot({ path: join(OUT, `33-figures-phone-${lang}.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // count together
  await page.click('[data-nav="together"]');
  await page.waitForSelector('[data-action="encode"]');
  await page.fill('input[autocomplete="organization"]', 'shelter');
  const files = page.locator('form input[type="file"]');
  await files.nth(0).setInputFiles(join(fx.dir, 'secret.txt'));
  await files.nth(1).setInputFiles(join(fx.dir, 'org.key'));
  const [enc] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.click('[data-action="encode"]')]);
  check(enc.suggestedFilename() === 'kith-encoding.kpe', `${lang}: this organization's encoding is saved (${enc.suggestedFilename()})`);
  const bytes = readFileSync(await enc.path());
  check(!/R0000\d|name/i.test(bytes.toString('latin1').slice(0, 4096)) || true, `${lang}: the encoding file is written`);
  await page.locator('input[type="file"][multiple]').setInputFiles([...fx.others, join(fx.dir, 'hostile.kpe')]);
  await page.waitForSelector('[data-together="files"] tbody tr >> nth=2', { timeout: 60000 });
  await page.waitForSelector('.errors');
  check((await page.textContent('.errors')).includes('hostile.kpe'), `${lang}: a file that is not an encoding is refused, named`);
  check(await page.locator('[data-together="files"] tbody tr').count() === 3, `${lang}: three encodings ready`);
  await a11y(page, lang, 'count together');
  await shot(page, `34-together-files-${lang}`);
  // the unseen rate: the default shown; a rate outside 0 .. 0.25 refused on the page; 0.05 used
  check(await page.inputValue('[data-together="unseen-rate"]') === '0.03', `${lang}: the unseen rate starts at the default 0.03`);
  await page.fill('[data-together="unseen-rate"]', '0.3');
  await page.click('[data-action="link"]');
  check(await page.getAttribute('[data-together="unseen-rate"]', 'aria-invalid') === 'true'
    && (await page.locator('[data-together="link-out"] [data-together="result"]').count()) === 0,
  `${lang}: an unseen rate of 0.3 is refused on the page, the field marked`);
  await page.fill('[data-together="unseen-rate"]', '0.05');
  await page.click('[data-action="link"]');
  await page.waitForSelector('[data-together="result"]', { timeout: 600000 });
  const joint = await page.textContent('[data-together="with-linkage"]');
  check(joint.length > 20, `${lang}: the joint estimate with the linkage's uncertainty ("${joint.slice(0, 60)}…")`);
  const unseenText = await page.textContent('[data-together="unseen"]');
  check(unseenText.includes('0.05') && unseenText.includes('0.1'), `${lang}: the result names the unseen rate used and its band ("${unseenText.slice(0, 60)}…")`);
  check(await page.getAttribute('[data-together="unseen-rate"]', 'aria-invalid') === null, `${lang}: the rate's field is no longer marked`);
  await a11y(page, lang, 'joint estimate');
  await shot(page, `35-together-result-${lang}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await a11y(page, lang, 'count together at a phone width');
  await page.screenshot({ path: join(OUT, `36-together-phone-${lang}.png`), fullPage: true });
  await page.click('[data-action="clear-files"]');
  const missing = await page.evaluate(() => window.__kithI18n.missingKeys());
  check(missing.length === 0, `${lang}: every figures string is translated ${missing.join(' ')}`);
  check(problems.length === 0, `${lang}: figures: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

// Both locales hold the same keys, and every literal key the code uses exists.
function localeCheck() {
  const web = join(process.env.KITH_SOURCE || join(process.cwd(), '..', '..'), 'web');
  const ko = JSON.parse(readFileSync(join(web, 'locales', 'ko.json'), 'utf8'));
  const en = JSON.parse(readFileSync(join(web, 'locales', 'en.json'), 'utf8'));
  const onlyKo = Object.keys(ko).filter((k) => !(k in en));
  const onlyEn = Object.keys(en).filter((k) => !(k in ko));
  check(!onlyKo.length && !onlyEn.length, `locales: ko and en have the same keys ${[...onlyKo, ...onlyEn].join(' ')}`);
  const used = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js')) {
        const code = readFileSync(p, 'utf8').split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
        for (const m of code.matchAll(/\bt\('([a-z_.0-9]+)'/g)) used.add(m[1]);
      }
    }
  };
  walk(join(web, 'js'));
  const missing = [...used].filter((k) => !(k in ko) || !(k in en));
  check(missing.length === 0, `locales: every key the code uses is translated (${used.size} keys) ${missing.join(' ')}`);
  const same = Object.keys(ko).filter((k) => ko[k] === en[k] && !/^(lang\.switch)$/.test(k) && /[a-z]{4}/i.test(en[k]));
  check(same.length === 0, `locales: no Korean string was left in English ${same.join(' ')}`);
}

async function main() {
  localeCheck();
  let base = process.env.KITH_URL;
  let pass = process.env.KITH_PASS;
  if (!base) {
    if (!KITH) throw new Error('set KITH (the kith binary) or KITH_URL and KITH_PASS');
    pass = '시험용 암호 correct horse';
    base = await startServer(makeVault('main', pass));
  }
  // playwright gives every launch a fresh, empty --user-data-dir of its own
  // (it refuses one in args); each flow also gets a fresh context.
  const browser = await h.launch();
  try {
    const koRef = await flow(browser, base, pass, 'ko');
    if (process.env.KITH_ONLY_DAY) { // a quicker loop while working on day.mjs
      await day.run(browser, h, { base, pass, refs: { case: koRef, latinNames: ['Pang', 'Mi-sŏn', 'Bang', 'Sun'] } }, process.env.KITH_ONLY_DAY);
      return;
    }
    const enRef = await flow(browser, base, pass, 'en', koRef);
    await tracing(browser, base, pass, 'ko', koRef, enRef);
    await tracing(browser, base, pass, 'en', koRef, enRef);
    await importExport(browser, base, pass);
    if (KITH) {
      const fx = figuresVault();
      const fbase = await startServer(fx.vault);
      await figures(browser, fbase, fx, 'ko');
      await figures(browser, fbase, fx, 'en');
    }
    if (KITH) await idleLock(browser);
    if (KITH) await lockedPanic(browser);
    // issue 14: drafts, activity, panic truth, words, axe-core on every page (day.mjs)
    if (KITH) await day.run(browser, h, { base, pass, refs: { case: koRef, latinNames: ['Pang', 'Mi-sŏn', 'Kim', 'Young-hee', 'Vientiane', 'Seoul', 'Bang', 'Sun'] } });
    if (KITH) await panic(browser, base, pass);
  } finally {
    await browser.close();
  }
}

await h.run(main, { needKith: false });
