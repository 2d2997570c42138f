// keys — this vault's keys from the web UI (src/web/api_keys.c), as
// `kith passwd` and `kith init --org-key-backup` do in a terminal:
//   - the status: whether the vault holds the organization's own key, whether
//     and when it was backed up, and what a panic would do because of it;
//   - a backup of the organization key: a file the browser downloads,
//     encrypted under a passphrase of its own (the only key material that
//     ever reaches the page, and only so protected);
//   - a change of the vault's passphrase (the duress passphrase must be
//     typed again to stay, as in `kith passwd`).
// Both forms ask for the current passphrase; a wrong one changes nothing and
// says so at the field. Passphrase fields are never kept as drafts and are
// emptied after every attempt.

import { h, clear, id } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as words from '../words.js';

function passField(name, labelText, hint, autocomplete) {
  const fid = id(`key-${name}`);
  const err = h('p', { class: 'err', id: `${fid}-err`, hidden: true });
  const hintEl = hint ? h('p', { class: 'muted small', id: `${fid}-hint` }, hint) : null;
  const input = h('input', {
    type: 'password', id: fid, autocomplete, 'data-field': name, spellcheck: 'false',
    'aria-describedby': [hintEl ? `${fid}-hint` : null, `${fid}-err`].filter(Boolean).join(' '),
  });
  const box = h('div', { class: 'field', 'data-key-field': name }, h('label', { for: fid }, labelText), input, hintEl, err);
  return {
    box,
    input,
    show(text) {
      err.textContent = text;
      err.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    },
    reset() {
      err.textContent = '';
      err.hidden = true;
      input.removeAttribute('aria-invalid');
    },
  };
}

function statusCard(ks) {
  const yes = (b) => (b ? t('keys.yes') : t('keys.no'));
  return h('section', {
    class: 'card', 'data-section': 'key-status', 'data-holds': String(!!ks.holds_org_key),
    'data-backed-up': String(!!ks.backed_up), 'aria-labelledby': 'keys-status-h',
  },
  h('h2', { id: 'keys-status-h' }, t('keys.status_title')),
  h('dl', { class: 'kv' },
    h('dt', {}, t('keys.holds')), h('dd', { 'data-key': 'holds' }, yes(ks.holds_org_key)),
    h('dt', {}, t('keys.backed_up')), h('dd', { 'data-key': 'backed-up' },
      ks.holds_org_key ? (ks.backed_up ? t('keys.backed_up_when', { time: formatTime(ks.last_backup_at), n: ks.backups }) : t('keys.no')) : t('keys.not_needed'))),
  h('h3', {}, t('keys.panic_title')),
  words.panicEffect(ks, false));
}

// A form of passphrase fields with one submit button; run(values) returns
// a message to show, or throws an ApiError whose field names the input.
function keyForm(app, { title, intro, fields, button, action, run, check }) {
  const msg = h('div', { 'aria-live': 'polite', 'data-key-result': action });
  const submit = h('button', { type: 'submit', 'data-action': action }, button);
  const form = h('form', { class: 'card', novalidate: true, 'data-section': action, autocomplete: 'off' },
    h('h2', {}, title),
    ...[intro].flat().map((p) => h('p', { class: 'muted small' }, p)),
    h('div', { class: 'grid' }, Object.values(fields).map((f) => f.box)),
    h('p', {}, submit),
    msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    for (const f of Object.values(fields)) f.reset();
    const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value]));
    const local = check(values);
    if (local) {
      fields[local[0]].show(local[1]);
      return;
    }
    submit.disabled = true;
    try {
      const done = await run(values);
      for (const f of Object.values(fields)) f.input.value = '';
      msg.append(h('p', { class: 'banner', role: 'status' }, done));
    } catch (e) {
      const f = e.field && fields[e.field];
      if (e.code === 'rate_limited') {
        msg.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, t('unlock.wait', { s: e.retryAfter || 60 }))));
      } else if (e.code === 'auth' && fields.current) {
        fields.current.show(t('keys.wrong_current'));
      } else if (f) {
        f.show(t(`keys.invalid_${e.field}`));
      } else {
        msg.append(h('div', { class: 'errors', role: 'alert' }, h('p', {}, e.code === 'no_org_key' || e.code === 'main_slot_only' ? t(`keys.${e.code}`) : app.errorText(e))));
      }
      // a wrong passphrase leaves nothing typed behind
      for (const x of Object.values(fields)) x.input.value = '';
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function render(root, app) {
  const status = h('div', {});
  const load = async () => {
    const ks = await api.get('/keys');
    app.keyStatus = ks;
    clear(status);
    status.append(statusCard(ks));
    return ks;
  };
  const ks = await load();

  const b = {
    current: passField('current', t('keys.current'), null, 'current-password'),
    backup: passField('backup', t('keys.backup_pass'), t('keys.backup_pass_hint'), 'new-password'),
    again: passField('again', t('keys.again'), null, 'new-password'),
  };
  const backupForm = keyForm(app, {
    title: t('keys.backup_title'),
    intro: [t('keys.backup_intro'), t('keys.backup_where')],
    fields: b,
    button: t('keys.backup_button'),
    action: 'key-backup',
    check: (v) => {
      if (!v.current) return ['current', t('keys.need_current')];
      if (!v.backup) return ['backup', t('keys.need_backup')];
      if (v.backup !== v.again) return ['again', t('keys.differ')];
      if (v.backup === v.current) return ['backup', t('keys.same_as_vault')];
      return null;
    },
    run: async (v) => {
      const { blob, filename } = await api.download('/keys/backup', { current: v.current, backup: v.backup });
      const href = URL.createObjectURL(blob);
      const a = h('a', { href, download: filename, hidden: true, 'data-download': 'org-key' }, filename);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
      await load();
      return t('keys.backup_done', { file: filename });
    },
  });

  const p = {
    current: passField('current', t('keys.current'), null, 'current-password'),
    new: passField('new', t('keys.new'), null, 'new-password'),
    again: passField('again', t('keys.again'), null, 'new-password'),
    duress: passField('duress', t('keys.duress'), t('keys.duress_hint'), 'off'),
  };
  const passForm = keyForm(app, {
    title: t('keys.pass_title'),
    intro: t('keys.pass_intro'),
    fields: p,
    button: t('keys.pass_button'),
    action: 'key-passphrase',
    check: (v) => {
      if (!v.current) return ['current', t('keys.need_current')];
      if (!v.new) return ['new', t('keys.need_new')];
      if (v.new !== v.again) return ['again', t('keys.differ')];
      if (v.new === v.current) return ['new', t('keys.same_as_old')];
      if (v.duress && v.duress === v.new) return ['duress', t('keys.duress_same')];
      return null;
    },
    run: async (v) => {
      const r = await api.post('/keys/passphrase', { current: v.current, new: v.new, duress: v.duress || null });
      return r.warning ? `${t('keys.pass_done')} ${t('keys.pass_warning')}` : t('keys.pass_done');
    },
  });
  root.append(
    h('h1', {}, t('keys.title')),
    h('p', { class: 'muted' }, t('keys.intro')),
    status,
    ks.holds_org_key ? backupForm : h('section', { class: 'card' }, h('h2', {}, t('keys.backup_title')), h('p', {}, t('keys.backup_field'))),
    passForm);
}
