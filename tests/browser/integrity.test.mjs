// Browser tests of the file check (issue 12: format-2 integrity findings in
// the web UI), in Debian's chromium with playwright-core, in Korean at a
// desktop's size and English at a phone's:
//   - a format-2 vault whose middle batch was dropped (sqlite3, as someone
//     holding the file could) shows an admin a banner on the first page, which
//     links to the File check page; the page names the dropped batch by number
//     and device, in the page's language, never a record's content;
//   - a caseworker sees neither the banner nor the menu item.
// Every person and case is invented. Environment: KITH (the binary), KITH_BUILD.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from './harness.mjs';

const h = harness('integrity');
const { check, shot, pageChecks, work } = h;
const ADMIN = '시험용 관리자 암호';
const CW = '사례 담당자 암호';
let VAULT = null;

function setup() {
  let kith;
  ({ vault: VAULT, kith } = h.vault('v', ADMIN, ['--format', '2']));
  writeFileSync(join(work, 'cw'), `${CW}\n`, { mode: 0o600 });
  for (const [i, name] of ['김영희', '박철수', '이순자'].entries()) {
    writeFileSync(join(work, `c${i}.json`), JSON.stringify({ ref: `I-${i + 1}`, person: { name, sex: 'female', birth: '1990' } }));
    kith('add', join(work, `c${i}.json`));
  }
  kith('user', 'add', '김 선생', '--role', 'caseworker', '--pass-file', join(work, 'cw'));
  execFileSync('sqlite3', [VAULT, 'DELETE FROM rows WHERE batch = (SELECT batch_id FROM batches WHERE seq = 2); DELETE FROM batches WHERE seq = 2;']);
}

async function admin(browser, base, lang, size) {
  const problems = [];
  const tag = `${lang}-${size}`;
  const { context, page } = await h.session(browser, base, lang, size, ADMIN, problems, { ready: '[data-banner="integrity"]' });
  const banner = await page.locator('[data-banner="integrity"]').innerText();
  check(lang === 'en' ? /failed its check/.test(banner) : /점검을 통과하지 못했습니다/.test(banner), `${tag}: the admin sees the banner (${banner.slice(0, 60)})`);
  check(await page.locator('[data-nav="integrity"]').count() === 1, `${tag}: the File check is in an admin's menu`);
  await page.click('[data-banner="integrity"] a');
  await page.waitForSelector('[data-section="findings"] li');
  const items = await page.locator('[data-section="findings"] li[data-kind="dropped_batch"]').allInnerTexts();
  check(items.length === 1 && (lang === 'en' ? /Batch 2 of device [0-9a-f]{16} is missing/ : /기기 [0-9a-f]{16}의 저장 묶음 2번이 없습니다/).test(items[0]),
    `${tag}: the page names the dropped batch by number and device (${items[0] || 'none'})`);
  const text = await page.locator('main').innerText();
  check(!/김영희|박철수|이순자/.test(text), `${tag}: no record's content on the page`);
  await pageChecks(page, `${tag}: file check`);
  await shot(page, `findings-${tag}`);
  check(problems.length === 0, `${tag}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

async function caseworker(browser, base) {
  const problems = [];
  const { context, page } = await h.session(browser, base, 'ko', 'desktop', CW, problems, { ready: '.who' });
  await page.waitForSelector('#results[data-query]');
  check(await page.locator('[data-banner="integrity"]').count() === 0, 'ko-desktop: a caseworker sees no banner');
  check(await page.locator('[data-nav="integrity"]').count() === 0, 'ko-desktop: a caseworker has no File check in the menu');
  check(problems.length === 0, `ko-desktop caseworker: no console error ${problems.join(' | ')}`);
  await context.close();
}

async function main() {
  setup();
  const { url: base } = await h.serve(VAULT);
  const browser = await h.launch();
  try {
    await admin(browser, base, 'ko', 'desktop');
    await admin(browser, base, 'en', 'phone');
    await caseworker(browser, base);
  } finally {
    await browser.close();
  }
}

await h.run(main);
