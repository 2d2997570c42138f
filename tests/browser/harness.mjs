// What every browser test of kith's web UI shares: the tally of checks, a
// temporary folder, vaults made with the real binary, `kith serve` on a free
// port, Debian's chromium, pages that report console errors and requests to
// anywhere but the server, screenshots that fail on "undefined" in the page,
// the page checks (labels, ids, tables, width, translations), axe-core, and
// the end of a run (servers stopped, folder removed, the tally printed, the
// exit code set).
//
// Environment: KITH (the binary), KITH_BUILD (screenshots go to
// $KITH_BUILD/screenshots), CHROMIUM (default /usr/bin/chromium).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const KITH = process.env.KITH;
export const OUT = join(process.env.KITH_BUILD || tmpdir(), 'screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];
export const LANGS = ['ko', 'en'];

/** A size of SIZES by its name ('desktop' or 'phone'); a size object is returned as it is. */
export function sizeOf(size) {
  if (typeof size === 'object') return size;
  const s = SIZES.find((x) => x.name === size);
  if (!s) throw new Error(`no size named ${size}`);
  return s;
}

const require = createRequire(import.meta.url);
let axeSource = null;

/** The HTTP errors a test provokes on purpose (a wrong passphrase, a
 * validation error) are logged by chromium as "Failed to load resource";
 * any other console error is a problem. */
const EXPECTED_CONSOLE = /^Failed to load resource: the server responded with a status of/;

/**
 * One test file's harness. `name` names its temporary folder and prefixes its
 * screenshots (none for 'ui', whose screenshots the docs name as they are).
 */
export function harness(name) {
  mkdirSync(OUT, { recursive: true });
  const h = {
    name,
    passed: 0,
    failed: 0,
    servers: [],
    work: mkdtempSync(join(tmpdir(), `kith-${name}-`)),
    KITH,
  };

  h.check = (cond, what) => {
    if (cond) h.passed += 1;
    else h.failed += 1;
    console.log(`${cond ? 'ok' : 'not ok'} - ${what}`);
    return cond;
  };

  /** A new vault in the work folder made by `kith init` with the test KDF;
   * `kith(...)` runs the binary on it with its passphrase file. */
  h.vault = (file, pass, extraInit = []) => {
    const vault = join(h.work, `${file}.kith`);
    const pf = join(h.work, `${file}.pass`);
    writeFileSync(pf, `${pass}\n`, { mode: 0o600 });
    execFileSync(KITH, ['init', '--vault', vault, '--passphrase-file', pf, '--kdf', 'test', ...extraInit], { stdio: 'pipe' });
    const kith = (...args) => execFileSync(KITH, [...args, '--vault', vault, '--passphrase-file', pf], { stdio: 'pipe' }).toString();
    return { vault, pf, kith };
  };

  /** `kith serve` on a free port; resolves to its address and process. */
  h.serve = (vault, { extra = [], env } = {}) => new Promise((resolve, reject) => {
    const p = spawn(KITH, ['serve', '--vault', vault, '--port', '0', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    h.servers.push(p);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kith serve did not start: ${out}`)), 15000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, proc: p });
      }
    });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kith serve exited ${code}: ${out}`)); });
  });

  h.launch = () => chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--no-proxy-server'],
  });

  /** A fresh browser context and page at `size` whose console errors, page
   * errors and requests outside `base` land in `problems`. */
  h.newPage = async (browser, base, problems, size = 'desktop', { acceptDownloads = false } = {}) => {
    const s = sizeOf(size);
    const context = await browser.newContext({ viewport: s.viewport, isMobile: !!s.isMobile, hasTouch: !!s.hasTouch, acceptDownloads });
    const page = await context.newPage();
    const origin = base ? new URL(base).origin : null;
    page.on('console', (m) => {
      if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const u = r.url();
      if (origin && !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`outside request: ${u}`);
    });
    return { context, page };
  };

  /** Switches the page's language and waits until the page is drawn again in
   * the new one: `sel` (a selector of the page) is marked on the old page
   * first, and the wait is for an unmarked one. render() asks the server
   * before it redraws, so for a moment the old page is still on screen with
   * the new <html lang>; typing into it then was lost with it. */
  h.switchLang = async (page, sel) => {
    await page.evaluate((s) => { for (const el of document.querySelectorAll(s)) el.dataset.stale = '1'; }, sel);
    const before = await page.evaluate(() => document.documentElement.lang);
    await page.click('[data-action="lang"]');
    await page.waitForFunction((l) => document.documentElement.lang !== l, before);
    await page.waitForSelector(`${sel}:not([data-stale])`);
  };

  /** Opens `hash` on the locked server, switches the page to `lang` ('ko' or
   * 'en') if it is not in it, and types `pass` into the unlock form. `before(page)` runs on the
   * unlock page just before typing (to check what it says). */
  h.unlock = async (page, base, pass, lang, { hash = '#/cases', before = null } = {}) => {
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector('input[type="password"]');
    if ((await page.evaluate(() => document.documentElement.lang)) !== lang) await h.switchLang(page, 'input[type="password"]');
    if (before) await before(page);
    await page.fill('input[type="password"]', pass);
    await page.keyboard.press('Enter');
  };

  /** A new page at `size`, unlocked with `pass` in `lang`, once `ready` (a selector) shows. */
  h.session = async (browser, base, lang, size, pass, problems, { ready = '#results[data-query]', acceptDownloads = false, before = null } = {}) => {
    const { context, page } = await h.newPage(browser, base, problems, size, { acceptDownloads });
    await h.unlock(page, base, pass, lang, { before });
    await page.waitForSelector(ready);
    return { context, page };
  };

  /** A full-page screenshot; a value drawn as "[object …]", "undefined" or "NaN" fails. */
  h.shot = async (page, shotName) => {
    await page.waitForTimeout(150);
    const file = name === 'ui' ? `${shotName}.png` : `${name}-${shotName}.png`;
    await page.screenshot({ path: join(OUT, file), fullPage: true });
    const text = await page.evaluate(() => document.body.innerText);
    const junk = /\[object \w+\]|\bundefined\b|\bNaN\b/.exec(text);
    if (junk) h.check(false, `${shotName}: the page shows "${junk[0]}"`);
  };

  /** Every visible field labelled, ids unique, tables captioned with
   * headers, no sideways scroll, every string translated. */
  h.pageChecks = async (page, what) => {
    const found = await page.evaluate(() => {
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
    h.check(found.length === 0, `${what}: labelled, unique ids, captioned tables, no sideways scroll, translated ${found.join('; ')}`);
  };

  /** axe-core's violations on the page as it is now. */
  h.axeViolations = async (page) => {
    if (axeSource === null) axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
    return page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    });
  };

  h.axe = async (page, what) => {
    const v = await h.axeViolations(page);
    h.check(v.length === 0, `axe: ${what}: no violation ${v.join(' | ')}`);
  };

  /** Runs `main`, counts an exception as a failure, stops every server,
   * removes the work folder, prints the tally and sets the exit code.
   * `needKith: false` lets `main` run against a server already running. */
  h.run = async (main, { needKith = true } = {}) => {
    try {
      if (needKith && !KITH) throw new Error('set KITH to the kith binary');
      await main();
    } catch (e) {
      h.failed += 1;
      console.log(`not ok - the run stopped: ${e && e.stack ? e.stack : e}`);
    } finally {
      for (const p of h.servers) p.kill('SIGTERM');
      rmSync(h.work, { recursive: true, force: true });
      if (name === 'ui') console.log(`screenshots: ${OUT}`);
      console.log(`${h.passed} passed, ${h.failed} failed`);
      process.exitCode = h.failed ? 1 : 0;
    }
  };

  return h;
}
