// Browser tests of devices, bundles and conflicts (issue 12, items 3 and 6),
// in Debian's chromium with playwright-core, in Korean and English, at a
// desktop's and a phone's size: headquarters sent four cases to two field
// devices, both edited each case apart and sent it back (made with the real
// binary first); the case page shows the conflict banner, the conflict view
// shows both versions side by side with a choice per field, a field left
// unchosen is named, saving writes one version and the banner goes; the
// devices page lists the devices, the conflicts and the send and receive
// forms. Every person is invented. Environment: KITH (the binary), KITH_BUILD.

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

const work = mkdtempSync(join(tmpdir(), 'kith-sync-'));
const servers = [];
const PASS = '시험용 암호 sync';
const HQ = join(work, 'hq.kith');
const PF = join(work, 'hq.pass');

function run(vault, pf, ...args) {
  return execFileSync(KITH, [...args, '--vault', vault, '--passphrase-file', pf], { stdio: 'pipe' }).toString();
}
const hq = (...a) => run(HQ, PF, ...a);

const REFS = ['S-1', 'S-2', 'S-3', 'S-4'];

function setup() {
  writeFileSync(PF, `${PASS}\n`, { mode: 0o600 });
  execFileSync(KITH, ['init', '--vault', HQ, '--passphrase-file', PF, '--kdf', 'test'], { stdio: 'pipe' });
  const names = ['김은숙', 'Ri Ok-hui', '박순영', 'Jo Myong-ae'];
  const cases = REFS.map((ref, i) => ({ ref, person: { name: names[i], sex: 'female', birth: '1980' }, notes: 'invented' }));
  writeFileSync(join(work, 'cases.jsonl'), `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  hq('import', join(work, 'cases.jsonl'));
  for (const d of ['f1', 'f2']) {
    const out = hq('device', 'add', d, '--out', join(work, `${d}.kithinvite`)).trim().split('\n');
    writeFileSync(join(work, `${d}.code`), `${out[out.length - 1]}\n`);
    writeFileSync(join(work, `${d}.pass`), `field words ${d}\n`, { mode: 0o600 });
    execFileSync(KITH, ['init', '--vault', join(work, `${d}.kith`), '--join', join(work, `${d}.kithinvite`), '--code-file', join(work, `${d}.code`),
      '--passphrase-file', join(work, `${d}.pass`), '--kdf', 'test'], { stdio: 'pipe' });
    hq('bundle', 'export', '--to', d, '--kind', 'case', '--out', join(work, `to-${d}.kithbundle`));
    const fd = (...a) => run(join(work, `${d}.kith`), join(work, `${d}.pass`), ...a);
    fd('bundle', 'import', join(work, `to-${d}.kithbundle`));
    for (const ref of REFS) {
      const c = JSON.parse(fd('show', ref, '--json'));
      const body = c.body || c;
      if (d === 'f1') body.person.birth = '1979';
      else body.notes = `edited on ${d}`;
      writeFileSync(join(work, 'e.json'), JSON.stringify(body));
      fd('edit', ref, join(work, 'e.json'));
    }
    fd('bundle', 'export', '--out', join(work, `from-${d}.kithbundle`));
  }
  hq('bundle', 'import', join(work, 'from-f1.kithbundle'));
  hq('bundle', 'import', join(work, 'from-f2.kithbundle'));
}

function startServer() {
  return new Promise((resolve, reject) => {
    const p = spawn(KITH, ['serve', '--vault', HQ, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

async function session(browser, base, lang, size, problems) {
  const context = await browser.newContext({ viewport: SIZES[size], isMobile: size === 'phone', hasTouch: size === 'phone', acceptDownloads: true });
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
  await page.fill('input[type="password"]', PASS);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#results[data-query]');
  return { context, page };
}

async function shot(page, name) {
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(OUT, `sync-${name}.png`), fullPage: true });
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

async function resolveOne(browser, base, lang, size, ref) {
  const problems = [];
  const tag = `${lang}-${size}`;
  const { context, page } = await session(browser, base, lang, size, problems);
  // the devices page
  await page.click('[data-nav="sync"]');
  await page.waitForSelector('[data-section="conflicts"]');
  check(await page.locator(`[data-conflict="${ref}"]`).count() === 1, `${tag}: the devices page lists ${ref} as a conflict`);
  check(await page.locator('[data-device="f1"]').count() === 1 && await page.locator('[data-device="f2"]').count() === 1, `${tag}: and both devices`);
  check(await page.locator('[data-action="send"]').count() === 1 && await page.locator('[data-action="receive"]').count() === 1, `${tag}: with the send and receive forms`);
  await pageChecks(page, `${tag}: devices page`);
  await shot(page, `devices-${tag}`);
  // the case page's banner, then the conflict view
  await page.goto(`${base}/#/case/${ref}`);
  await page.waitForSelector('[data-section="conflict"]');
  check(true, `${tag}: the case page shows the conflict`);
  await page.click('[data-section="conflict"] [data-action="resolve"]');
  await page.waitForSelector('table.conflict');
  const fields = await page.locator('table.conflict tr[data-field]').evaluateAll((rs) => rs.map((r) => r.dataset.field));
  check(fields.join(',') === 'notes,person', `${tag}: one row per field that differs (${fields.join(',')})`);
  check(await page.locator('table.conflict thead th').count() === 3, `${tag}: the two versions side by side`);
  await pageChecks(page, `${tag}: conflict view`);
  await shot(page, `conflict-${tag}`);
  // a field left unchosen is named; then A's person and B's notes
  await page.locator('tr[data-field="person"] input[data-side="A"]').check();
  await page.click('form [data-action="resolve"]');
  await page.waitForSelector('form [role="alert"]');
  check((await page.locator('form [role="alert"]').innerText()).includes('notes'), `${tag}: a field left unchosen is named`);
  await page.locator('tr[data-field="notes"] input[data-side="B"]').check();
  await page.click('form [data-action="resolve"]');
  await page.waitForFunction((r) => window.location.hash === `#/case/${r}` && document.querySelector('.pagehead'), ref);
  await page.waitForTimeout(300);
  check(await page.locator('[data-section="conflict"]').count() === 0, `${tag}: after saving, the case has no conflict`);
  await shot(page, `resolved-${tag}`);
  check(problems.length === 0, `${tag}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

async function main() {
  if (!KITH) throw new Error('set KITH to the kith binary');
  setup();
  const base = await startServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-proxy-server'],
  });
  try {
    let i = 0;
    for (const lang of ['ko', 'en']) for (const size of ['desktop', 'phone']) await resolveOne(browser, base, lang, size, REFS[i++]);
  } finally {
    await browser.close();
  }
  // the resolutions are in the history, and nothing is left to resolve
  const left = hq('resolve');
  check(left.includes('no conflicts'), `every conflict resolved (${left.trim()})`);
  const hist = hq('history', 'S-1');
  check(/resolve/.test(hist), 'the resolution is a version in the history');
  const shown = JSON.parse(hq('show', 'S-1', '--json'));
  const b = shown.body || shown;
  check(b.person.birth === '1979' && /edited on f2/.test(b.notes || ''), 'A\'s person and B\'s notes were kept');
}

try {
  await main();
} catch (e) {
  failed += 1;
  console.log(`not ok - the run stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  for (const p of servers) p.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
