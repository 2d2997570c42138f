// Browser test of attachments (web/js/attach.js, src/web/api_attach.c) in
// Chromium, in Korean and in English, at desktop and phone sizes: a photo
// with a GPS EXIF tag (data/attach/gps.jpg) is attached on the case page and
// shown; the photo shows in the tracing candidates; a HEIC upload and a file
// over the size cap get their message in each language; a download needs
// the person's consent; removal asks first. Then: an attachment's bytes and
// its photo's location are nowhere on disk in plaintext — neither in the
// vault file, its -wal, nor the temporary folder (TMPDIR of the server).
//
// Environment: KITH (the binary), KITH_SOURCE (the repository), KITH_BUILD.

import { writeFileSync, readFileSync, readdirSync, statSync, truncateSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from './harness.mjs';

const SRC = process.env.KITH_SOURCE || join(process.cwd(), '..', '..');
const h = harness('attach');
const { check, work } = h;
const tmp = join(work, 'tmp'); // the server's temporary folder
mkdirSync(tmp);
const photo = join(SRC, 'data', 'attach', 'gps.jpg');
const clean = readFileSync(join(SRC, 'data', 'attach', 'clean.jpg'));

function makeVault(pass) {
  const { vault, kith: k } = h.vault('v', pass);
  // invented people: a mother looking for her son; the son's case will get the photo
  const cases = [
    { ref: 'M-1', person: { name: '방순자', sex: 'female', birth: '1970', origin: { province: 'north_hamgyong' } }, consent: { tracing: true } },
    { ref: 'K-1', person: { name: 'Bang Cheol-su', sex: 'male', birth: '1996', origin: { province: 'north_hamgyong' } },
      family: [{ relation: 'mother', name: '방순자', status: 'missing' }], consent: { tracing: true, sharing: true } },
  ];
  writeFileSync(join(work, 'c.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  k('import', join(work, 'c.jsonl'));
  writeFileSync(join(work, 't.json'), JSON.stringify({ ref: 'T-1', seeker: { case: 'M-1' },
    sought: { name: '방철수', sex: 'male', age: { years: 7, in_year: 2003 }, relation: 'child' }, consent: { tracing: true, given_by: 'self' } }));
  k('trace', 'add', join(work, 't.json'));
  return vault;
}

const L = {
  ko: { title: '첨부 파일', stripped: '위치·카메라 정보 제거됨', heic: 'JPEG나 PNG로 저장한 뒤', big: '64MB보다 큽니다', consent: '공유 동의가 필요합니다', removed: '사례 기록에는 남습니다', attachedAction: '파일 첨부', removedAction: '파일 삭제' },
  en: { title: 'Attachments', stripped: 'location and camera details removed', heic: 'Save it as JPEG or PNG', big: 'larger than 64 MB', consent: "consent to sharing", removed: 'The case history keeps it', attachedAction: 'file attached', removedAction: 'file removed' },
};

async function flow(browser, base, pass, lang, size) {
  const problems = [];
  const { context, page } = await h.newPage(browser, base, problems, size, { acceptDownloads: true });
  const l = L[lang];
  await h.unlock(page, base, pass, lang, { hash: '#/case/K-1' });
  const sec = page.locator('[data-section="attachments"]');
  await sec.waitFor();
  check((await sec.locator('h2').textContent()) === l.title, `${lang} ${size}: the case page has its attachments section`);
  const before = await sec.locator('[data-attachment]').count();
  // the photo with GPS: attached, shown, marked stripped
  await sec.locator('input[type="file"]').setInputFiles(photo);
  await sec.locator('[data-action="attach"]').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-section="attachments"] [data-attachment]').length === n + 1, before);
  const img = sec.locator('[data-attachment] img').last();
  await img.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-section="attachments"] img')].every((i) => i.complete && i.naturalWidth > 0));
  check(await img.evaluate((i) => i.naturalWidth === 96 && i.naturalHeight === 64), `${lang} ${size}: the photo is shown (96×64)`);
  check((await sec.textContent()).includes(l.stripped), `${lang} ${size}: it says the location was removed`);
  check(await sec.locator('[data-action="attach-download"]').count() > 0, `${lang} ${size}: a download is offered (the person consents to sharing)`);
  // the bytes the page gets are the stripped photo
  const got = await page.evaluate(async (src) => Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer())), await img.getAttribute('src'));
  check(Buffer.from(got).equals(clean), `${lang} ${size}: the photo served has no EXIF, XMP or comment left`);
  // a HEIC photo is refused, with the reason, in this language
  await sec.locator('input[type="file"]').setInputFiles({ name: 'p.heic', mimeType: 'image/heic', buffer: Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'binary') });
  await sec.locator('[data-action="attach"]').click();
  await page.waitForSelector('[data-section="attachments"] .err-text');
  check((await sec.locator('.err-text').textContent()).includes(l.heic), `${lang} ${size}: a HEIC photo is refused with its reason`);
  // a file over the cap: refused before it is sent, with the cap in MB
  const big = join(work, 'big.bin'); // sparse: 64 MiB and one byte
  writeFileSync(big, '');
  truncateSync(big, 64 * 1024 * 1024 + 1);
  await sec.locator('input[type="file"]').setInputFiles(big);
  await sec.locator('[data-action="attach"]').click();
  await page.waitForFunction((s) => document.querySelector('[data-section="attachments"] [role="status"]').textContent.includes(s), l.big);
  check(true, `${lang} ${size}: a file over 64 MB is refused with the cap`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(wide, `${lang} ${size}: no sideways scroll`);
  const unlabeled = await page.evaluate(() => [...document.querySelectorAll('[data-section="attachments"] input')].filter((el) => !(el.labels && el.labels.length)).length);
  check(unlabeled === 0, `${lang} ${size}: the file field has a label`);
  await h.shot(page, `case-${lang}-${size}`);
  // the tracing candidate shows the photo
  await page.goto(`${base}/#/trace/T-1`);
  const cand = page.locator('[data-candidate="K-1"]');
  await cand.waitFor();
  await cand.locator('[data-section="photos"] img').first().waitFor();
  check(await cand.locator('[data-section="photos"] img').count() >= 1, `${lang} ${size}: the tracing candidate shows the photo`);
  await h.shot(page, `trace-${lang}-${size}`);
  // removal asks first, and the attachment leaves the list
  await page.goto(`${base}/#/case/K-1`);
  await sec.locator('[data-attachment]').first().waitFor();
  const n = await sec.locator('[data-attachment]').count();
  await sec.locator('[data-action="attach-remove"]').last().click();
  await page.click('dialog [data-action="confirm"]');
  await page.waitForFunction((k) => document.querySelectorAll('[data-section="attachments"] [data-attachment]').length === k - 1, n);
  check((await sec.locator('[role="status"]').textContent()).includes(l.removed), `${lang} ${size}: removal says the history keeps it`);
  // ... and it does: the case's history page lists the attachment added and removed
  await page.goto(`${base}/#/case/K-1/history`);
  const ah = page.locator('[data-section="attachment-history"]');
  await ah.waitFor();
  const items = await ah.locator('li').allTextContents();
  check(items.some((x) => x.includes(l.removedAction)) && items.some((x) => x.includes(l.attachedAction)), `${lang} ${size}: the case's history shows attachments added and removed`);
  check(problems.length === 0, `${lang} ${size}: no console errors, no request leaves the machine ${problems.join('; ')}`);
  await context.close();
}

function noPlaintext(vault) {
  // what must not be on disk: the photo's location, the camera, the comment,
  // and runs of the photo's own bytes (its scan data)
  const needles = [Buffer.from('KITH-TEST-LOCATION'), Buffer.from('GPSLatitude'), Buffer.from('KITHCAM'),
    Buffer.from([0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x35]), // GPS 42/1, 53/1
    clean.subarray(clean.length - 200, clean.length - 150), clean.subarray(700, 748)];
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else files.push(p); } };
  walk(work); // the vault's folder (the vault, its -wal and -shm, the test's inputs) and the temporary folder in it
  let found = [];
  for (const f of files) {
    let b;
    try { b = readFileSync(f); } catch (e) { continue; }
    needles.forEach((nd, i) => { if (b.indexOf(nd) >= 0) found.push(`${f}: needle ${i}`); });
  }
  check(found.length === 0, `an attachment's bytes and its photo's location are nowhere on disk in plaintext (${files.length} files: the vault, its -wal and -shm, the server's temporary folder, the folder they are in) ${found.join('; ')}`);
  check(statSync(vault).size > 0, 'the vault file is there');
}

async function main() {
  const pass = '첨부 시험 암호 correct horse';
  const vault = makeVault(pass);
  const { url: base } = await h.serve(vault, { env: { TMPDIR: tmp } });
  const browser = await h.launch();
  try {
    // both languages at both sizes, on one vault (each run adds its photo and removes it)
    await flow(browser, base, pass, 'ko', 'desktop');
    await flow(browser, base, pass, 'en', 'phone');
    await flow(browser, base, pass, 'ko', 'phone');
    await flow(browser, base, pass, 'en', 'desktop');
  } finally {
    await browser.close();
  }
  noPlaintext(vault);
}

await h.run(main);
