// Browser tests of devices, bundles and conflicts (issue 12, items 3 and 6),
// in Debian's chromium with playwright-core, in Korean and English, at a
// desktop's and a phone's size: headquarters sent four cases to two field
// devices, both edited each case apart and sent it back (made with the real
// binary first); the case page shows the conflict banner, the conflict view
// shows both versions side by side with a choice per field, a field left
// unchosen is named, saving writes one version and the banner goes; the
// devices page lists the devices, the conflicts and the send and receive
// forms. Every person is invented. Environment: KITH (the binary), KITH_BUILD.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from './harness.mjs';

const h = harness('sync');
const { check, shot, pageChecks, work, KITH } = h;
const PASS = '시험용 암호 sync';
let HQ = null;

function run(vault, pf, ...args) {
  return execFileSync(KITH, [...args, '--vault', vault, '--passphrase-file', pf], { stdio: 'pipe' }).toString();
}
let hq = null;

const REFS = ['S-1', 'S-2', 'S-3', 'S-4'];

function setup() {
  ({ vault: HQ, kith: hq } = h.vault('hq', PASS));
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

const session = (browser, base, lang, size, problems) => h.session(browser, base, lang, size, PASS, problems, { acceptDownloads: true });

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

// A field vault's devices page: it knows devices by key only, so each is
// shown by its id (this device marked), never as an empty name, and the
// "to" list offers headquarters only (it was: one empty option per device).
async function fieldDevices(browser, lang) {
  const problems = [];
  const { url } = await h.serve(join(work, 'f1.kith'));
  const { context, page } = await h.session(browser, url, lang, 'desktop', 'field words f1', problems);
  await page.click('[data-nav="sync"]');
  await page.waitForSelector('[data-section="devices"]');
  const rows = await page.locator('[data-section="devices"] tbody tr').evaluateAll((rs) => rs.map((r) => r.cells[0].innerText.trim()));
  check(rows.length >= 2 && rows.every((x) => /[0-9a-f]{16}/.test(x)), `field ${lang}: every device shown by its id (${rows.join(' | ')})`);
  check(await page.locator('[data-section="devices"] tbody tr').evaluateAll((rs) => rs.every((r) => r.dataset.device)), `field ${lang}: every row names its device`);
  const opts = await page.locator('[data-field="to"] option').evaluateAll((os) => os.map((o) => o.textContent.trim()));
  check(opts.length === 1 && opts.every((x) => x.length > 0), `field ${lang}: the "to" list has headquarters only, no empty option (${opts.length})`);
  await pageChecks(page, `field ${lang}: devices page`);
  await shot(page, `devices-field-${lang}`);
  check(problems.length === 0, `field ${lang}: no console error, CSP violation or outside request ${problems.join(' | ')}`);
  await context.close();
}

async function main() {
  setup();
  const { url: base } = await h.serve(HQ);
  const browser = await h.launch();
  try {
    let i = 0;
    for (const lang of ['ko', 'en']) for (const size of ['desktop', 'phone']) await resolveOne(browser, base, lang, size, REFS[i++]);
    for (const lang of ['ko', 'en']) await fieldDevices(browser, lang);
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

await h.run(main);
