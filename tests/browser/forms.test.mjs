// Browser tests of every form's draft and of the keys page (issue 14, point
// 1 for the forms beyond the case form, and the passphrase and key backup
// of its "missing" list), in Debian's chromium with playwright-core, in
// Korean and English, at a desktop's (1280x800) and a phone's (390x844) size:
//   - the tracing request form (new): its draft survives a reload and is
//     offered after unlocking; the language switch keeps it; leaving asks;
//     abandoning deletes the draft;
//   - the tracing request form (edit): an edit conflict shows both versions
//     and keeps what was typed; saving again puts the typing on top;
//   - a tracing candidate's note: back after a reload, discarded by "start afresh";
//   - the review decision's reason: its draft survives kill -9 of the server
//     mid-typing; a decision made elsewhere meanwhile shows both, the reason
//     typed stays;
//   - the assignment and follow-up: leaving asks; a case saved meanwhile shows
//     both and keeps the typing; the duplicate proposal's and the referral
//     sheet's drafts come back after a reload;
//   - the keys page: the status (held, backed up, when) and what a panic would
//     do, before and after a backup downloaded as a file (never a key in
//     clear); a wrong current passphrase gets a clear message at its field;
//     a passphrase change (the old one then fails, the new one opens);
//   - axe-core finds no violation on any of these pages and states.
// One server and vault for the forms, one for the keys, shared by the four
// runs. Every person is invented. Environment: KITH (the binary), KITH_BUILD.

import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness, SIZES, LANGS } from './harness.mjs';

const h = harness('forms');
const { check, work, KITH } = h;
const PASS = '시험용 암호 forms';
let VAULT = null;
let KVAULT = null;
let kpass = '열쇠 시험 0';
let kith = null;

function setup() {
  ({ vault: VAULT, kith } = h.vault('v', PASS));
  const cases = [];
  for (let i = 0; i < 4; i += 1) {
    cases.push({ ref: `P-${i}a`, person: { name: `가상 ${i}`, sex: 'female', birth: '1990' }, consent: { sharing: true, tracing: true } });
    cases.push({ ref: `P-${i}b`, person: { name: `Kasang ${i}`, sex: 'female', birth: '1990' }, consent: { tracing: true } });
  }
  cases.push({ ref: 'M-1', person: { name: '방순자', sex: 'female', birth: '1970' }, consent: { tracing: true } });
  cases.push({ ref: 'K-1', person: { name: 'Bang Cheol-su', sex: 'male', birth: '1996' }, consent: { tracing: true } });
  writeFileSync(join(work, 'cases.jsonl'), `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  kith('import', join(work, 'cases.jsonl'));
  writeFileSync(join(work, 't.json'), JSON.stringify({ ref: 'T-1', seeker: { case: 'M-1' }, sought: { name: '방철수', sex: 'male', birth: '1996', relation: 'child' }, consent: { tracing: true } }));
  kith('trace', 'add', join(work, 't.json'));
  KVAULT = h.vault('k', kpass).vault;
}

const startServer = (vault) => h.serve(vault);
const open = (browser, size, problems) => h.newPage(browser, null, problems, size, { acceptDownloads: true });

async function unlock(page, base, pass, lang, hash = '#/cases') {
  await h.unlock(page, base, pass, lang, { hash });
  await page.waitForSelector('[data-nav="new"]');
}

// the lock button, then the passphrase again (what the idle lock leads to)
async function relock(page, pass) {
  await page.click('[data-action="lock"]');
  await page.waitForSelector('input[type="password"]');
  await page.fill('input[type="password"]', pass);
  await page.click('form.unlock button[type="submit"]');
  await page.waitForSelector('[data-nav="new"]');
}

async function go(page, hash) {
  await page.evaluate((hh) => { window.location.hash = hh; }, hash);
  await page.waitForFunction(() => !document.querySelector('main .loading'));
  await page.waitForSelector('main h1');
}

async function axeCheck(page, what) {
  await page.waitForTimeout(150);
  await h.axe(page, what);
}

const shot = (page, name) => h.shot(page, name);

// fetch from the page with the session's CSRF token
function apiPost(page, path, body) {
  return page.evaluate(async ([p, b]) => {
    const st = await (await fetch('/api/state', { cache: 'no-store' })).json();
    const r = await fetch(`/api${p}`, { method: 'POST', headers: { 'X-CSRF-Token': st.csrf, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [path, body]);
}
function apiGet(page, path) {
  return page.evaluate(async (p) => (await fetch(`/api${p}`, { cache: 'no-store' })).json(), path);
}
async function draftKeys(page) {
  return (await apiGet(page, '/drafts')).items.map((d) => d.form);
}

// ------------------------------------------------------------ the forms

let srv = null; // the forms' server: killed and started again in the middle

async function traceNew(page, tag, lang) {
  await go(page, '#/trace/new');
  const details = page.locator('fieldset[data-field="sought"] [data-field="details"] textarea');
  const typed = `${lang === 'ko' ? '왼쪽 눈썹 위 흉터' : 'a scar above the left eyebrow'} ${tag}`;
  await details.click();
  await page.keyboard.type(typed, { delay: 5 });
  await page.waitForSelector('[data-draft-status]:not(:empty)', { timeout: 15000 });
  check((await draftKeys(page)).includes('#/trace/new'), `${tag}: the tracing form's typing is kept as a draft in the vault`);
  // a closed tab: reopened, the form comes back from the vault
  await page.goto(`${srv.url}/#/cases`);
  await page.reload();
  await page.waitForSelector('[data-nav="new"]');
  await go(page, '#/trace/new');
  await page.waitForSelector('[data-draft="restored"]');
  check((await details.inputValue()) === typed, `${tag}: after a reload the tracing form comes back from the vault`);
  await page.click('[data-nav="cases"]');
  await page.waitForSelector('#results');
  // locked (as the idle lock does): offered after unlocking
  await relock(page, PASS);
  await page.waitForSelector('[data-draft-link="#/trace/new"]');
  check(true, `${tag}: after a lock and unlocking, the tracing form's draft is offered`);
  await axeCheck(page, `${tag} drafts offered`);
  await page.click('[data-draft-link="#/trace/new"]');
  await page.waitForSelector('form.traceform [data-draft="restored"], [data-draft="restored"]');
  check((await details.inputValue()) === typed, `${tag}: the tracing form comes back with what was typed`);
  await axeCheck(page, `${tag} tracing form restored`);
  await shot(page, `${tag}-trace-restored`);
  // the language switch keeps the form
  await details.fill(`${typed}!`);
  await h.switchLang(page, 'form.traceform');
  check((await details.inputValue()) === `${typed}!`, `${tag}: a language switch keeps the tracing form`);
  await h.switchLang(page, 'form.traceform');
  // leaving a changed form asks; staying stays
  await details.type('.');
  await page.click('[data-nav="cases"]').catch(() => page.evaluate(() => { window.location.hash = '#/cases'; }));
  await page.waitForSelector('dialog[open]');
  await axeCheck(page, `${tag} leave the tracing form?`);
  await page.click('dialog [data-action="cancel"]');
  check(await page.locator('form.traceform').count() === 1 && (await details.inputValue()).startsWith(typed), `${tag}: leaving the tracing form asks first; "stay" keeps it`);
  // abandoning deletes the draft
  await page.click('form.traceform [data-action="cancel"]');
  await page.waitForSelector('dialog[open]');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('form.traceform', { state: 'detached' });
  check(!(await draftKeys(page)).includes('#/trace/new'), `${tag}: an abandoned tracing form leaves no draft`);
}

async function traceConflict(page, tag, lang) {
  await go(page, '#/trace/T-1/edit');
  await page.waitForSelector('form.traceform');
  const details = page.locator('fieldset[data-field="sought"] [data-field="details"] textarea');
  const mine = `${lang === 'ko' ? '내가 쓴 특징' : 'my details'} ${tag}`;
  await details.fill(mine);
  await page.waitForSelector('[data-draft-status]:not(:empty)', { timeout: 15000 });
  const theirs = `${lang === 'ko' ? '다른 사람의 특징' : 'their details'} ${tag}`;
  const cur = (await apiGet(page, '/trace?ref=T-1&limit=1')).request;
  const { candidates, status, ...body } = cur.body;
  const r = await apiPost(page, '/trace/edit', { ref: 'T-1', expect_version: cur.version, body: { ...body, sought: { ...body.sought, details: theirs } } });
  check(r.status === 200 || r.status === 201, `${tag}: another version of the request is saved meanwhile (${r.status})`);
  await page.click('[data-action="save-trace"]');
  await page.waitForSelector('[data-conflict]', { timeout: 10000 });
  const th = await page.locator('[data-conflict] td[data-side="theirs"]').allTextContents();
  const mn = await page.locator('[data-conflict] td[data-side="mine"]').allTextContents();
  check(th.some((x) => x.includes(theirs)) && mn.some((x) => x.includes(mine)), `${tag}: a tracing request's edit conflict shows both versions`);
  check((await details.inputValue()) === mine, `${tag}: and keeps what was typed`);
  await axeCheck(page, `${tag} tracing edit conflict`);
  await shot(page, `${tag}-trace-conflict`);
  await page.click('[data-action="save-trace"]');
  await page.waitForSelector('form.traceform', { state: 'detached' });
  const now = (await apiGet(page, '/trace?ref=T-1&limit=1')).request.body.sought.details;
  check(now === mine, `${tag}: saving again puts the typing on top (${now})`);
  check(!(await draftKeys(page)).some((k) => k.startsWith('#/trace/T-1/edit')), `${tag}: a saved form leaves no draft`);
}

async function candidateNote(page, tag, lang) {
  await go(page, '#/trace/T-1');
  const cand = page.locator('section[data-candidate="K-1"]');
  await cand.waitFor();
  const note = cand.locator('input[type="text"]');
  const typed = `${lang === 'ko' ? '사진 확인 필요' : 'check the photo'} ${tag}`;
  await note.fill(typed);
  await page.waitForFunction((k) => { const e = document.querySelector(`[data-draft-form="${k}"]`); return e && e.textContent; }, '#/trace/T-1|note:K-1', { timeout: 15000 });
  await page.goto(`${srv.url}/#/cases`);
  await page.reload();
  await page.waitForSelector('[data-nav="new"]');
  await go(page, '#/trace/T-1');
  await page.waitForSelector('section[data-candidate="K-1"][data-draft="restored"]');
  check((await note.inputValue()) === typed, `${tag}: a tracing candidate's note comes back after a reload`);
  await axeCheck(page, `${tag} candidate note restored`);
  await cand.locator('[data-action="draft-fresh"]').click();
  await page.waitForFunction(() => !document.querySelector('section[data-candidate="K-1"] [data-draft="restored"]'));
  check((await note.inputValue()) === '' && !(await draftKeys(page)).includes('#/trace/T-1|note:K-1'), `${tag}: starting afresh empties it and discards the draft`);
}

async function reviewReason(browser, ctx, tag, lang, i) {
  let { page } = ctx;
  const r = await apiPost(page, '/links', { refs: [`P-${i}a`, `P-${i}b`], reason: null });
  check(r.status === 201, `${tag}: a pair is proposed for review (${r.status})`);
  const id = r.body.id;
  await go(page, '#/review');
  const item = page.locator(`section[data-link="${id}"]`);
  await item.waitFor();
  const reason = item.locator('input[type="text"]');
  const typed = `${lang === 'ko' ? '같은 생년, 같은 고향' : 'same birth year, same home town'} ${tag}`;
  await reason.fill(typed.slice(0, -3));
  await reason.press('End');
  await page.keyboard.type(typed.slice(-3), { delay: 20 });
  await page.waitForFunction((k) => { const e = document.querySelector(`[data-draft-form="${k}"]`); return e && e.textContent; }, `#/review|link:${id}`, { timeout: 15000 });
  // kill -9 while the typing goes on
  srv.proc.kill('SIGKILL');
  await new Promise((res) => srv.proc.once('exit', res));
  await page.keyboard.type(' …', { delay: 10 }).catch(() => {});
  srv = await startServer(VAULT);
  await unlock(page, srv.url, PASS, lang);
  const key = `#/review|link:${id}`;
  await page.waitForSelector(`[data-draft-link="${key}"]`);
  check(true, `${tag}: after kill -9 and unlocking, the review reason's draft is offered`);
  await page.click(`[data-draft-link="${key}"]`);
  await page.waitForSelector(`section[data-link="${id}"][data-draft="restored"]`);
  const back = await reason.inputValue();
  check(back.startsWith(typed), `${tag}: the reason typed before the kill is back in its field (${back})`);
  await axeCheck(page, `${tag} review reason restored`);
  // decided elsewhere meanwhile: both decisions shown, the reason stays
  const cur = (await apiGet(page, `/links?status=all&id=${id}`)).items[0];
  const d = await apiPost(page, '/link', { id, status: 'confirmed', reason: 'elsewhere', expect_version: cur.version });
  check(d.status === 200, `${tag}: the pair is decided elsewhere meanwhile (${d.status})`);
  await item.locator('[data-action="reject"]').click();
  await item.locator('[data-conflict]').waitFor({ timeout: 10000 });
  const th = await item.locator('[data-conflict] td[data-side="theirs"]').allTextContents();
  const mn = await item.locator('[data-conflict] td[data-side="mine"]').allTextContents();
  check(th.some((x) => x.includes('elsewhere')) && mn.some((x) => x.startsWith(typed)), `${tag}: a review decision's conflict shows both decisions`);
  check((await reason.inputValue()).startsWith(typed), `${tag}: and keeps the reason typed`);
  await axeCheck(page, `${tag} review conflict`);
  await shot(page, `${tag}-review-conflict`);
  // a confirmed pair can only be undone (the review rules): leaving asks, and the reason stays a draft
  await page.click('[data-nav="cases"]').catch(() => page.evaluate(() => { window.location.hash = '#/cases'; }));
  await page.waitForSelector('dialog[open]');
  await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('#results');
  check((await draftKeys(page)).includes(key), `${tag}: leaving after the conflict asks, and the reason typed stays a draft`);
  await apiPost(page, '/drafts/discard', { form: key });
  ctx.page = page;
}

async function caseForms(page, tag, lang, i) {
  const ref = `P-${i}a`;
  await go(page, `#/case/${ref}`);
  await page.waitForSelector('[data-section="assignment"]', { timeout: 10000 }).catch(async (e) => {
    console.log(`# case page: ${(await page.innerText('main')).slice(0, 300)}`);
    throw e;
  });
  const assigned = page.locator('[data-section="assignment"] input[data-field="assigned"]');
  const who = `${lang === 'ko' ? '담당 한' : 'Worker Han'} ${tag}`;
  await assigned.fill(who);
  await page.waitForFunction((k) => { const e = document.querySelector(`[data-draft-form="${k}"]`); return e && e.textContent; }, `#/case/${ref}|assign`, { timeout: 15000 });
  // leaving asks
  await page.click('[data-nav="due"]').catch(() => page.evaluate(() => { window.location.hash = '#/due'; }));
  await page.waitForSelector('dialog[open]');
  await page.click('dialog [data-action="cancel"]');
  check((await assigned.inputValue()) === who, `${tag}: leaving a changed assignment asks first; "stay" keeps it`);
  // the language switch keeps it
  await h.switchLang(page, '[data-section="assignment"]');
  check((await assigned.inputValue()) === who, `${tag}: a language switch keeps the assignment typed`);
  await h.switchLang(page, '[data-section="assignment"]');
  // the case is saved meanwhile: both, the typing stays
  const c = await apiGet(page, `/case?ref=${ref}`);
  const e = await apiPost(page, '/edit', { id: c.id, expect_version: c.version, body: { ...c.body, assigned: 'Someone Else' }, note: null });
  check(e.status === 200, `${tag}: the case is saved meanwhile (${e.status})`);
  await page.click('[data-action="assign"]');
  await page.locator('[data-section="assignment"] [data-conflict]').waitFor({ timeout: 10000 });
  const th = await page.locator('[data-section="assignment"] td[data-side="theirs"]').allTextContents();
  const mn = await page.locator('[data-section="assignment"] td[data-side="mine"]').allTextContents();
  check(th.includes('Someone Else') && mn.includes(who), `${tag}: an assignment's conflict shows both`);
  check((await assigned.inputValue()) === who, `${tag}: and keeps the name typed`);
  await axeCheck(page, `${tag} assignment conflict`);
  await page.click('[data-action="assign"]');
  await page.waitForFunction((w) => { const x = document.querySelector('[data-section="assignment"] input[data-field="assigned"]'); return x && !document.querySelector('[data-section="assignment"] [data-conflict]') && x.value === w; }, who, { timeout: 10000 });
  const now = await apiGet(page, `/case?ref=${ref}`);
  check(now.body.assigned === who, `${tag}: saving again puts it on top`);
  // the duplicate proposal and the referral sheet: drafts come back after a reload
  const why = `${lang === 'ko' ? '같은 사람 같음' : 'looks like the same person'} ${tag}`;
  await page.locator('[data-section="duplicate"] input').nth(1).fill(why);
  await page.waitForFunction((k) => { const e2 = document.querySelector(`[data-draft-form="${k}"]`); return e2 && e2.textContent; }, `#/case/${ref}|duplicate`, { timeout: 15000 });
  await go(page, `#/case/${ref}/referral`).catch(() => {});
  const leave = await page.waitForSelector('dialog[open]', { timeout: 3000 }).catch(() => null);
  if (leave) await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('input[data-field="partner"]');
  const partner = `${lang === 'ko' ? '협력 단체' : 'Partner NGO'} ${tag}`;
  await page.fill('input[data-field="partner"]', partner);
  await page.check('input[data-referral-field]');
  await page.waitForFunction((k) => { const e2 = document.querySelector(`[data-draft-form="${k}"]`); return e2 && e2.textContent; }, `#/case/${ref}/referral`, { timeout: 15000 });
  await relock(page, PASS);
  await page.waitForSelector('[data-drafts]');
  const offered = await page.locator('[data-draft-link]').evaluateAll((as) => as.map((a) => a.dataset.draftLink));
  check(offered.includes(`#/case/${ref}|duplicate`) && offered.includes(`#/case/${ref}/referral`), `${tag}: the duplicate proposal's and the referral's drafts are offered`);
  await page.waitForSelector('input[data-field="partner"]');
  await page.waitForSelector('[data-draft="restored"]');
  check((await page.inputValue('input[data-field="partner"]')) === partner && (await page.locator('input[data-referral-field]').first().isChecked()),
    `${tag}: the referral sheet's form comes back as it was`);
  await axeCheck(page, `${tag} referral restored`);
  await page.click(`[data-draft-link="#/case/${ref}|duplicate"]`).catch(() => go(page, `#/case/${ref}`));
  const leave2 = await page.waitForSelector('dialog[open]', { timeout: 3000 }).catch(() => null);
  if (leave2) await page.click('dialog [data-action="confirm"]');
  await page.waitForSelector('[data-section="duplicate"][data-draft="restored"]');
  check((await page.locator('[data-section="duplicate"] input').nth(1).inputValue()) === why, `${tag}: the duplicate proposal's reason comes back`);
  // emptying a small form discards its draft
  await page.locator('[data-section="duplicate"] [data-action="draft-fresh"]').click();
  await page.waitForTimeout(300);
  const left = await draftKeys(page);
  check(!left.includes(`#/case/${ref}|duplicate`), `${tag}: "start afresh" discards the duplicate proposal's draft`);
  for (const k of left) await apiPost(page, '/drafts/discard', { form: k });
}

async function formsRun(browser, lang, size, i) {
  const tag = `${lang} ${size.name}`;
  const problems = [];
  const ctx = await open(browser, size, problems);
  await unlock(ctx.page, srv.url, PASS, lang);
  await traceNew(ctx.page, tag, lang);
  await traceConflict(ctx.page, tag, lang);
  await candidateNote(ctx.page, tag, lang);
  await reviewReason(browser, ctx, tag, lang, i);
  await caseForms(ctx.page, tag, lang, i);
  const real = problems.filter((p) => !/Failed to fetch|NetworkError|ERR_CONNECTION|ERR_EMPTY_RESPONSE/.test(p));
  check(real.length === 0, `${tag} forms: no console error ${real.join(' | ')}`);
  await ctx.context.close();
}

// ------------------------------------------------------------- the keys

async function keysRun(browser, base, lang, size, first) {
  const tag = `${lang} ${size.name}`;
  const problems = [];
  const { context, page } = await open(browser, size, problems);
  await unlock(page, base, kpass, lang);
  await page.click('[data-nav="keys"]').catch(() => go(page, '#/keys'));
  await page.waitForSelector('[data-section="key-status"]');
  const st = page.locator('[data-section="key-status"]');
  check(await st.getAttribute('data-holds') === 'true', `${tag}: the keys page says the vault holds the organization key`);
  const effect = await st.locator('[data-panic-effect]').getAttribute('data-panic-effect');
  check(effect === (first ? 'permanent' : 'backed_up'), `${tag}: and what a panic would do (${effect})`);
  await axeCheck(page, `${tag} keys page`);
  await shot(page, `${tag}-keys`);
  // a wrong current passphrase: a clear message at its field, nothing changed
  const bf = page.locator('[data-section="key-backup"]');
  await bf.locator('input[data-field="current"]').fill('not the passphrase');
  await bf.locator('input[data-field="backup"]').fill(`usb ${tag}`);
  await bf.locator('input[data-field="again"]').fill(`usb ${tag}`);
  await bf.locator('[data-action="key-backup"]').click();
  await bf.locator('[data-key-field="current"] .err:not([hidden])').waitFor();
  const msg = await bf.locator('[data-key-field="current"] .err').textContent();
  check(lang === 'ko' ? msg.includes('현재 암호가 맞지 않습니다') : msg.includes('current passphrase is wrong'), `${tag}: a wrong current passphrase says so at its field (${msg})`);
  check(await bf.locator('input[data-field="current"]').getAttribute('aria-invalid') === 'true' && (await bf.locator('input[data-field="backup"]').inputValue()) === '',
    `${tag}: the field is marked, and nothing typed stays in the form`);
  await axeCheck(page, `${tag} keys: wrong passphrase`);
  const before = (await apiGet(page, '/keys')).backups;
  // the backup: a download
  await bf.locator('input[data-field="current"]').fill(kpass);
  await bf.locator('input[data-field="backup"]').fill(`usb ${tag}`);
  await bf.locator('input[data-field="again"]').fill(`usb ${tag}`);
  const [dl] = await Promise.all([page.waitForEvent('download'), bf.locator('[data-action="key-backup"]').click()]);
  const file = join(work, `org-${lang}-${size.name}.key`);
  await dl.saveAs(file);
  const bytes = readFileSync(file);
  check(/^kith-org-key-\d{8}\.key$/.test(dl.suggestedFilename()) && bytes.length > 64, `${tag}: the backup is a file the browser downloads (${dl.suggestedFilename()}, ${bytes.length} bytes)`);
  await page.waitForSelector('[data-section="key-status"][data-backed-up="true"]');
  const ks = await apiGet(page, '/keys');
  check(ks.backups === before + 1 && ks.panic_effect === 'recoverable' && ks.last_backup_at > 0, `${tag}: the status says backed up, and when (${ks.backups})`);
  check(await page.locator('[data-section="key-status"] [data-panic-effect="backed_up"]').count() === 1, `${tag}: the keys page now says a panic is recoverable`);
  // the panic dialog says the same
  await page.click('[data-action="panic"]');
  await page.waitForSelector('dialog[open] [data-panic-effect]');
  check(await page.getAttribute('dialog [data-panic-effect]', 'data-panic-effect') === 'backed_up', `${tag}: the panic dialog is updated after the backup`);
  await page.click('dialog [data-action="cancel"]');
  // the backup file recovers the key: kith's own reader accepts it with its passphrase
  const kp = join(work, `kp-${lang}-${size.name}`);
  writeFileSync(kp, `usb ${tag}\n`, { mode: 0o600 });
  // the passphrase: change it, the old one fails, the new one opens
  const pf = page.locator('[data-section="key-passphrase"]');
  const next = `열쇠 시험 ${lang} ${size.name}`;
  await pf.locator('input[data-field="current"]').fill('wrong');
  await pf.locator('input[data-field="new"]').fill(next);
  await pf.locator('input[data-field="again"]').fill(next);
  await pf.locator('[data-action="key-passphrase"]').click();
  await pf.locator('[data-key-field="current"] .err:not([hidden])').waitFor();
  check(true, `${tag}: changing the passphrase with a wrong current one says so`);
  await pf.locator('input[data-field="current"]').fill(kpass);
  await pf.locator('input[data-field="new"]').fill(next);
  await pf.locator('input[data-field="again"]').fill(`${next}x`);
  await pf.locator('[data-action="key-passphrase"]').click();
  await pf.locator('[data-key-field="again"] .err:not([hidden])').waitFor();
  check(true, `${tag}: two different new passphrases are refused before sending`);
  await pf.locator('input[data-field="again"]').fill(next);
  await pf.locator('[data-action="key-passphrase"]').click();
  await pf.locator('[data-key-result] .banner').waitFor();
  const old = kpass;
  kpass = next;
  await axeCheck(page, `${tag} keys: passphrase changed`);
  await page.click('[data-action="lock"]');
  await page.waitForSelector('input[type="password"]');
  await page.fill('input[type="password"]', old);
  await page.click('form.unlock button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('#unlock-msg') && document.querySelector('#unlock-msg').textContent.length > 0);
  check(await page.locator('[data-nav="new"]').count() === 0, `${tag}: the old passphrase no longer opens the vault`);
  await page.fill('input[type="password"]', kpass);
  await page.click('form.unlock button[type="submit"]');
  await page.waitForSelector('[data-nav="new"]');
  check(true, `${tag}: the new passphrase does`);
  check(problems.length === 0, `${tag} keys: no console error ${problems.join(' | ')}`);
  await context.close();
  return { file, kp };
}

async function main() {
  setup();
  srv = await startServer(VAULT);
  const ksrv = await startServer(KVAULT);
  const browser = await h.launch();
  let backup = null;
  try {
    let i = 0;
    for (const lang of LANGS) {
      for (const size of SIZES) {
        backup = await keysRun(browser, ksrv.url, lang, size, i === 0);
        await formsRun(browser, lang, size, i);
        i += 1;
      }
    }
  } finally {
    await browser.close();
  }
  // the last backup downloaded recovers the vault after a real panic
  ksrv.proc.kill('SIGTERM');
  await new Promise((r) => ksrv.proc.once('exit', r));
  execFileSync(KITH, ['panic', '--vault', KVAULT, '--yes'], { stdio: 'pipe' });
  const np = join(work, 'np');
  writeFileSync(np, 'after the panic\n', { mode: 0o600 });
  let ok = true;
  try {
    execFileSync(KITH, ['recover', '--vault', KVAULT, '--org-key', backup.file, '--key-passphrase-file', backup.kp, '--new-passphrase-file', np], { stdio: 'pipe' });
    execFileSync(KITH, ['list', '--vault', KVAULT, '--passphrase-file', np], { stdio: 'pipe' });
  } catch (e) {
    ok = false;
  }
  check(ok, 'the backup downloaded from the keys page recovers the vault after a panic (kith recover)');
}

await h.run(main);
