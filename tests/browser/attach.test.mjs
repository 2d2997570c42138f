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

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const KITH = process.env.KITH;
const SRC = process.env.KITH_SOURCE || join(process.cwd(), '..', '..');
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

const work = mkdtempSync(join(tmpdir(), 'kith-attach-'));
const tmp = join(work, 'tmp'); // the server's temporary folder
mkdirSync(tmp);
const photo = join(SRC, 'data', 'attach', 'gps.jpg');
const clean = readFileSync(join(SRC, 'data', 'attach', 'clean.jpg'));
let server = null;

function startServer(vault) {
  return new Promise((resolve, reject) => {
    const p = spawn(KITH, ['serve', '--vault', vault, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
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
    p.on('exit', (code) => reject(new Error(`kith serve exited ${code}: ${out}`)));
  });
}

function makeVault(pass) {
  const vault = join(work, 'v.kith');
  const pf = join(work, 'pass');
  writeFileSync(pf, `${pass}\n`, { mode: 0o600 });
  const k = (...a) => execFileSync(KITH, [...a, '--vault', vault, '--passphrase-file', pf], { stdio: 'pipe' });
  execFileSync(KITH, ['init', '--vault', vault, '--passphrase-file', pf, '--kdf', 'test'], { stdio: 'pipe' });
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

async function newPage(browser, base, problems, viewport) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const origin = new URL(base).origin;
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`outside request: ${u}`);
  });
  return { context, page };
}

async function unlock(page, base, pass, lang, hash) {
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector('h1');
  if (lang === 'en') await page.click('[data-action="lang"]');
  await page.waitForSelector('input[type="password"]');
  await page.fill('input[type="password"]', pass);
  await page.keyboard.press('Enter');
}

const L = {
  ko: { title: '첨부 파일', stripped: '위치·카메라 정보 제거됨', heic: 'JPEG나 PNG로 저장한 뒤', big: '64MB보다 큽니다', consent: '공유 동의가 필요합니다', removed: '사례 기록에는 남습니다', attachedAction: '파일 첨부', removedAction: '파일 삭제' },
  en: { title: 'Attachments', stripped: 'location and camera details removed', heic: 'Save it as JPEG or PNG', big: 'larger than 64 MB', consent: "consent to sharing", removed: 'The case history keeps it', attachedAction: 'file attached', removedAction: 'file removed' },
};

async function flow(browser, base, pass, lang, viewport, size) {
  const problems = [];
  const { context, page } = await newPage(browser, base, problems, viewport);
  const l = L[lang];
  await unlock(page, base, pass, lang, '#/case/K-1');
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
  await page.screenshot({ path: join(OUT, `attach-case-${lang}-${size}.png`), fullPage: true });
  // the tracing candidate shows the photo
  await page.goto(`${base}/#/trace/T-1`);
  const cand = page.locator('[data-candidate="K-1"]');
  await cand.waitFor();
  await cand.locator('[data-section="photos"] img').first().waitFor();
  check(await cand.locator('[data-section="photos"] img').count() >= 1, `${lang} ${size}: the tracing candidate shows the photo`);
  await page.screenshot({ path: join(OUT, `attach-trace-${lang}-${size}.png`), fullPage: true });
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
  if (!KITH) throw new Error('set KITH');
  const pass = '첨부 시험 암호 correct horse';
  const vault = makeVault(pass);
  const base = await startServer(vault);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--no-proxy-server'],
  });
  try {
    // both languages at both sizes, on one vault (each run adds its photo and removes it)
    await flow(browser, base, pass, 'ko', { width: 1280, height: 800 }, 'desktop');
    await flow(browser, base, pass, 'en', { width: 390, height: 844 }, 'phone');
    await flow(browser, base, pass, 'ko', { width: 390, height: 844 }, 'phone');
    await flow(browser, base, pass, 'en', { width: 1280, height: 800 }, 'desktop');
  } finally {
    await browser.close();
  }
  noPlaintext(vault);
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
