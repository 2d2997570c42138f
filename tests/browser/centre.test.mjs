// Browser tests of the case at the centre (issue 14, points 3 and 5), in
// Debian's chromium with playwright-core, in Korean and English, at a
// desktop's and a phone's size:
//   - the merged person shows every record (case page, list, search) and the
//     merge can be undone from the case page;
//   - confirming a tracing match updates the family entry the mother's case
//     already had (missing -> found, linked), with no new entry;
//   - the due view lists the overdue case; assignment from the case page;
//   - the tracing form's consent starts unset; a request can be edited and
//     closed; the review queue is filtered by score and search;
//   - a referral sheet carries only the chosen fields.
// Every point in both languages and at both sizes (the tracing confirmation
// and the workflow each on a family and a case of their own).
// Every person is invented. Environment: KITH (the binary), KITH_BUILD.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from './harness.mjs';

const h = harness('centre');
const { check, shot, pageChecks, work } = h;
const PASS = '시험용 암호 centre';
let kith = null;

function localDate(offsetDays) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function setup() {
  const v = h.vault('v', PASS);
  kith = v.kith;
  const cases = [
    { ref: 'R-1', person: { name: '김영희', sex: 'female', birth: '1990' }, needs: ['shelter'], narrative: 'invented testimony', consent: { sharing: true, tracing: true } },
    { ref: 'R-2', person: { name: 'Kim Yong-hui', sex: 'female', birth: '1991' }, consent: { tracing: true } },
    { ref: 'R-3', person: { name: '박철', sex: 'male', birth: '1980' } },
    { ref: 'M-1', person: { name: '방순자', sex: 'female', birth: '1970' }, family: [{ relation: 'child', name: '방철수', sex: 'male', status: 'missing' }], consent: { tracing: true } },
    { ref: 'K-1', person: { name: 'Bang Cheol-su', sex: 'male', birth: '1996' }, family: [{ relation: 'mother', name: '방순자', status: 'missing' }], consent: { tracing: true } },
    { ref: 'M-2', person: { name: '리옥희', sex: 'female', birth: '1968' }, family: [{ relation: 'child', name: '리은주', sex: 'female', status: 'missing' }, { relation: 'child', name: '리명수', sex: 'male', status: 'missing' }], consent: { tracing: true } },
    { ref: 'K-2', person: { name: 'Ri Myong-su', sex: 'male', birth: '1994' }, consent: { tracing: true } },
  ];
  // two more families, so that every language and size confirms a match of its own
  cases.push({ ref: 'M-3', person: { name: '조금순', sex: 'female', birth: '1965' }, family: [{ relation: 'child', name: '조영남', sex: 'male', status: 'missing' }], consent: { tracing: true } });
  cases.push({ ref: 'K-3', person: { name: 'Jo Yong-nam', sex: 'male', birth: '1992' }, consent: { tracing: true } });
  cases.push({ ref: 'M-4', person: { name: '황정녀', sex: 'female', birth: '1962' }, family: [{ relation: 'child', name: '황철민', sex: 'male', status: 'missing' }], consent: { tracing: true } });
  cases.push({ ref: 'K-4', person: { name: 'Hwang Chol-min', sex: 'male', birth: '1990' }, consent: { tracing: true } });
  for (let i = 0; i < 4; i += 1) cases.push({ ref: `W-${i}`, person: { name: `Worker Case ${i}`, sex: 'male', birth: '1985' } });
  writeFileSync(join(work, 'cases.jsonl'), `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  kith('import', join(work, 'cases.jsonl'));
  kith('link', 'merge', 'R-1', 'R-2');
  kith('assign', 'R-1', 'Caseworker Han', '--follow-up', localDate(-3));
  writeFileSync(join(work, 't.json'), JSON.stringify({ ref: 'T-1', seeker: { case: 'M-1' }, sought: { name: '방철수', sex: 'male', birth: '1996', relation: 'child' }, consent: { tracing: true } }));
  kith('trace', 'add', join(work, 't.json'));
  writeFileSync(join(work, 't2.json'), JSON.stringify({ ref: 'T-2', seeker: { case: 'M-2' }, sought: { name: '리명수', sex: 'male', birth: '1994', relation: 'child' }, consent: { tracing: true } }));
  kith('trace', 'add', join(work, 't2.json'));
  writeFileSync(join(work, 't3.json'), JSON.stringify({ ref: 'T-3', seeker: { case: 'M-3' }, sought: { name: '조영남', sex: 'male', birth: '1992', relation: 'child' }, consent: { tracing: true } }));
  kith('trace', 'add', join(work, 't3.json'));
  writeFileSync(join(work, 't4.json'), JSON.stringify({ ref: 'T-4', seeker: { case: 'M-4' }, sought: { name: '황철민', sex: 'male', birth: '1990', relation: 'child' }, consent: { tracing: true } }));
  kith('trace', 'add', join(work, 't4.json'));
}

const session = (browser, base, lang, size, problems) => h.session(browser, base, lang, size, PASS, problems);

// The merged person, the list, the search and the due view: every language and size.
async function everyView(browser, base, lang, size) {
  const problems = [];
  const tag = `${lang}-${size}`;
  const { context, page } = await session(browser, base, lang, size, problems);
  // the list: name each other
  const r1 = page.locator('#results tr[data-ref="R-1"] [data-same-person]');
  check(await r1.count() === 1 && (await r1.getAttribute('data-same-person')) === 'R-2', `${tag}: the list shows R-1 with its other record R-2`);
  check(await page.locator('#results tr[data-ref="R-2"] .badge.conflict').count() === 1, `${tag}: the list says the two records disagree (1990, 1991)`);
  await shot(page, `list-${tag}`);
  // the search: a romanized name finds the person with both records
  await page.fill('#case-search', 'Kim Yong-hui');
  await page.waitForSelector('#results[data-query="Kim Yong-hui"]');
  check(await page.locator('#results tr[data-ref="R-2"] [data-same-person="R-1"]').count() === 1, `${tag}: the search result names the other record`);
  // the case page: every record of the person
  await page.goto(`${base}/#/case/R-2`);
  await page.waitForSelector('[data-section="person-records"]');
  const refs = await page.locator('[data-section="person-records"] tr[data-person-case]').evaluateAll((rs) => rs.map((r) => r.dataset.personCase));
  check(refs.join(',') === 'R-2,R-1', `${tag}: the merged person shows every record (${refs.join(',')})`);
  check(await page.locator('[data-section="person-records"] [data-action="undo-merge"]').count() === 1, `${tag}: with a way to undo the merge`);
  await pageChecks(page, `${tag}: case page`);
  await shot(page, `person-${tag}`);
  // the due view: R-1 is overdue
  await page.click('[data-nav="due"]');
  await page.waitForSelector('#due-count');
  check(await page.locator('table[data-due="overdue"] tr[data-ref="R-1"]').count() === 1, `${tag}: the due view lists the overdue case`);
  await pageChecks(page, `${tag}: due view`);
  await shot(page, `due-${tag}`);
  check(problems.length === 0, `${tag}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

// Tracing: consent unset, confirm updates the mother's family entry, edit and close.
async function confirmFamily(page, base, tag, t) {
  await page.goto(`${base}/#/trace/new`);
  await page.waitForSelector('form.caseform');
  const consent = page.locator('fieldset[data-field="consent"] [data-field="tracing"] select');
  check(await consent.inputValue() === '', `${tag}: the tracing form does not set consent to tracing by itself`);
  await page.goto(`${base}/#/trace/${t.req}`);
  await page.waitForSelector(`section[data-candidate="${t.found}"]`);
  await page.locator(`section[data-candidate="${t.found}"] [data-action="trace-confirm"]`).click();
  await page.waitForSelector(`section[data-candidate="${t.found}"] [data-action="trace-undo"]`);
  await page.goto(`${base}/#/case/${t.mother}`);
  await page.waitForSelector('[data-section="family"]');
  const cards = page.locator('[data-section="family"] > .card');
  check(await cards.count() === t.children, `${tag}: trace confirm updates the family entry: ${t.children} children, no new entry (${await cards.count()})`);
  const son = cards.filter({ hasText: t.son });
  check(await son.locator(`a[href="#/case/${t.found}"]`).count() === 1, `${tag}: the son's entry links his case`);
  check(await son.filter({ hasText: t.foundWord }).count() === 1, `${tag}: and says found (${t.foundWord})`);
  if (t.children > 1) check(await cards.locator(`a[href="#/case/${t.found}"]`).count() === 1, `${tag}: and only his entry`);
  await pageChecks(page, `${tag}: the mother's case`);
  await shot(page, `trace-family-${tag}`);
}

async function tracing(browser, base) {
  const problems = [];
  const en = await session(browser, base, 'en', 'phone', problems);
  await confirmFamily(en.page, base, 'en-phone', { req: 'T-2', found: 'K-2', mother: 'M-2', son: '리명수', children: 2, foundWord: 'Found' });
  await en.context.close();
  const enD = await session(browser, base, 'en', 'desktop', problems);
  await confirmFamily(enD.page, base, 'en-desktop', { req: 'T-3', found: 'K-3', mother: 'M-3', son: '조영남', children: 1, foundWord: 'Found' });
  await enD.context.close();
  const koP = await session(browser, base, 'ko', 'phone', problems);
  await confirmFamily(koP.page, base, 'ko-phone', { req: 'T-4', found: 'K-4', mother: 'M-4', son: '황철민', children: 1, foundWord: '찾음' });
  await koP.context.close();
  const { context, page } = await session(browser, base, 'ko', 'desktop', problems);
  await confirmFamily(page, base, 'ko-desktop', { req: 'T-1', found: 'K-1', mother: 'M-1', son: '방철수', children: 1, foundWord: '찾음' });
  // edit the request, then close and reopen it
  await page.goto(`${base}/#/trace/T-1`);
  await page.click('[data-action="edit-trace"]');
  await page.waitForSelector('form.caseform');
  await page.locator('fieldset[data-field="sought"] > .grid > [data-field="details"] textarea').fill('왼손에 흉터');
  await page.click('[data-action="save-trace"]');
  await page.waitForSelector('[data-action="close-trace"]');
  check((await page.locator('[data-section="sought"]').innerText()).includes('왼손에 흉터'), 'ko: a tracing request is edited in the UI');
  await page.click('[data-action="close-trace"]');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('[data-action="reopen-trace"]');
  check(true, 'ko: a tracing request is closed in the UI');
  await page.click('[data-action="reopen-trace"]');
  await page.waitForSelector('[data-action="close-trace"]');
  check(true, 'ko: and reopened');
  await page.goto(`${base}/#/trace`);
  await page.fill('#trace-search', 'zzz');
  await page.press('#trace-search', 'Enter');
  await page.waitForSelector('#trace-results[data-query="zzz"]');
  check(await page.locator('#trace-results a[data-trace]').count() === 0, 'ko: the tracing list is searched');
  check(problems.length === 0, `ko: tracing: no console error ${problems.join(' | ')}`);
  await context.close();
}

// Assignment, the review queue's filters, a referral sheet, in each language
// and size (each its own case W-i and caseworker); undoing a merge (the last).
async function workflow(browser, base, lang, size, i, last) {
  const problems = [];
  const tag = `${lang}-${size}`;
  const { context, page } = await session(browser, base, lang, size, problems);
  const ref = `W-${i}`;
  const worker = `Caseworker Oh ${i}`;
  await page.goto(`${base}/#/case/${ref}`);
  await page.waitForSelector('[data-section="assignment"]');
  await page.fill('[data-section="assignment"] input[data-field="assigned"]', worker);
  await page.fill('[data-section="assignment"] input[data-field="follow_up"]', localDate(0));
  await page.click('[data-action="assign"]');
  await page.waitForSelector('#banner:not([hidden])');
  await page.goto(`${base}/#/due`);
  await page.waitForSelector('#due-count');
  check(await page.locator(`table[data-due="due_today"] tr[data-ref="${ref}"]`).count() === 1, `${tag}: a case assigned in the UI with today's follow-up is due today`);
  await page.fill('form.filters input', worker);
  await page.click('[data-action="due-filter"]');
  await page.waitForFunction(() => !document.querySelector('table[data-due="overdue"]'));
  check(await page.locator('tr[data-ref="R-1"]').count() === 0, `${tag}: "my cases": Han's case is not Oh's`);
  // the list filtered by caseworker
  await page.goto(`${base}/#/cases`);
  await page.waitForSelector(`#filter-assigned option[value="${worker}"]`, { state: 'attached' });
  await page.selectOption('#filter-assigned', worker);
  await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1);
  check(await page.locator(`#results tr[data-ref="${ref}"]`).count() === 1, `${tag}: the case list is filtered by caseworker`);
  // a referral with two fields
  await page.goto(`${base}/#/case/R-1/referral`);
  await page.waitForSelector('[data-referral-field="needs"]');
  await page.fill('input[data-field="partner"]', 'Seoul Shelter');
  await page.check('[data-referral-field="needs"]');
  await page.check('[data-referral-field="person.name"]');
  await page.click('[data-action="make-referral"]');
  await page.waitForSelector('[data-section="referral-sheet"]');
  const sheet = await page.locator('[data-section="referral-sheet"]').innerText();
  check(sheet.includes('김영희') && sheet.includes('Shelter'), `${tag}: the referral sheet has the chosen fields`);
  check(!sheet.includes('invented testimony') && !sheet.includes('1990'), `${tag}: and nothing else`);
  await shot(page, `referral-${tag}`);
  await page.goto(`${base}/#/case/R-1/history`);
  const word = lang === 'ko' ? '의뢰' : 'referred';
  const inHistory = await page.waitForFunction((w) => document.querySelector('main').innerText.toLowerCase().includes(w), word, { timeout: 10000 })
    .then(() => true, () => false);
  check(inHistory, `${tag}: the referral is in the case's history`);
  // the review queue: search and score range
  await page.goto(`${base}/#/review`);
  await page.waitForSelector('#review-q');
  await page.click('.tabs button >> nth=1');
  await page.fill('#review-q', 'R-2');
  await page.press('#review-q', 'Tab');
  await page.waitForSelector('section[data-link]');
  check(await page.locator('section[data-link]').count() === 1, `${tag}: the review queue is searched by case number`);
  await page.fill('#review-min', '50');
  await page.press('#review-min', 'Tab');
  await page.waitForFunction(() => !document.querySelector('section[data-link]'));
  check(true, `${tag}: a manual merge (no score) is left out of a score range from 50%`);
  // undo the merge from the case page (once: the last run)
  if (last) {
  await page.goto(`${base}/#/case/R-1`);
  await page.waitForSelector('[data-action="undo-merge"]');
  await page.click('[data-action="undo-merge"]');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForFunction(() => !document.querySelector('[data-section="person-records"]') && document.querySelector('[data-section="assignment"]'));
  check(true, `${tag}: undoing the merge separates the records again`);
  }
  check(problems.length === 0, `${tag}: workflow: no console error ${problems.join(' | ')}`);
  await context.close();
}

async function main() {
  setup();
  const { url: base } = await h.serve(join(work, 'v.kith'));
  const browser = await h.launch();
  try {
    for (const lang of ['ko', 'en']) for (const size of ['desktop', 'phone']) await everyView(browser, base, lang, size);
    await tracing(browser, base);
    let i = 0;
    for (const lang of ['ko', 'en']) for (const size of ['desktop', 'phone']) { await workflow(browser, base, lang, size, i, i === 3); i += 1; }
  } finally {
    await browser.close();
  }
}

await h.run(main);
