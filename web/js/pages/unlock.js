// unlock — the passphrase page. Nothing here hints at a duress passphrase:
// the server treats it as any other, and the page looks the same.

import { h, id } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

export async function render(main, app, onUnlocked) {
  try {
    await app.refreshState(); // after a panic (here, in another tab, kith panic) the keys are gone
  } catch (e) {
    /* the server stopped: the unlock itself will say so */
  }
  const pid = id('pass');
  const input = h('input', {
    id: pid, type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'unlock-msg',
  });
  const msg = h('p', { id: 'unlock-msg', class: 'err-text', role: 'alert' });
  const button = h('button', { type: 'submit' }, t('unlock.button'));
  const form = h('form', { class: 'card unlock', novalidate: true },
    h('h1', {}, t('unlock.title')),
    h('p', { class: 'muted' }, t('unlock.intro')),
    h('p', { class: 'muted small' }, t('unlock.person_hint')),
    h('div', { class: 'field' }, h('label', { for: pid }, t('unlock.passphrase')), input),
    app.keysDestroyed ? h('div', { class: 'danger-box', role: 'alert', 'data-keys-destroyed': '' },
      h('p', {}, t('unlock.destroyed')), h('p', {}, t('unlock.destroyed_next'))) : null,
    msg,
    button,
    h('p', { class: 'note' }, t('unlock.note')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    if (!input.value) {
      msg.textContent = t('unlock.empty');
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = t('unlock.working');
    const pass = input.value;
    input.value = '';
    try {
      await api.post('/unlock', { passphrase: pass });
      onUnlocked();
      return;
    } catch (e) {
      if (e.code === 'keys_destroyed') msg.textContent = t('unlock.destroyed');
      else if (e.code === 'auth') msg.textContent = t('unlock.wrong');
      else if (e.code === 'rate_limited') msg.textContent = t('unlock.wait', { s: e.retryAfter || 60 });
      else msg.textContent = app.errorText(e);
    }
    button.disabled = false;
    button.textContent = t('unlock.button');
    input.focus();
  });
  main.append(form);
  input.focus();
}
