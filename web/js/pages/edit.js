// edit — intake of a new case and editing of an existing one, with the form
// generated from the schema. An edit sends the version it started from
// (expect_version): if someone changed the case meanwhile, the server refuses
// and nothing is overwritten.

import { h, id } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { kind, pathLabel } from '../schema.js';
import { buildForm } from '../form.js';

export async function render(root, app, params) {
  const ref = params[0];
  const editing = !!ref;
  let current = null;
  if (editing) current = await api.get('/case', { ref });
  const ks = kind('case');
  const form = buildForm(ks, current ? current.body : null, { editing });
  const errors = h('div', { class: 'errors', role: 'alert', hidden: true });
  const noteId = id('note');
  const note = h('input', { type: 'text', id: noteId, autocomplete: 'off' });
  const save = h('button', { type: 'submit', 'data-action': 'save' }, editing ? t('edit.save') : t('new.save'));
  const cancel = h('a', { class: 'btn secondary', href: editing ? `#/case/${encodeURIComponent(ref)}` : '#/cases' }, t('dialog.cancel'));
  const el = h('form', { novalidate: true, class: 'caseform', autocomplete: 'off' },
    form.el,
    h('div', { class: 'formbar' },
      h('label', { for: noteId }, t('edit.note')), note, save, cancel),
    errors);
  el.addEventListener('change', () => { errors.hidden = true; });
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.hidden = true;
    form.clearErrors();
    const body = form.collect();
    save.disabled = true;
    try {
      let r;
      if (editing) {
        r = await api.post('/edit', { id: current.id, expect_version: current.version, body, note: note.value.trim() || null });
      } else {
        r = await api.post('/cases', { body, note: note.value.trim() || null });
      }
      app.flash(editing ? t('edit.saved', { ref: r.ref, v: r.version }) : t('new.saved', { ref: r.ref }));
      app.navigate(`#/case/${encodeURIComponent(r.ref)}`);
      return;
    } catch (e) {
      errors.textContent = '';
      errors.append(h('p', {}, app.errorText(e)));
      if (e.code === 'stale') {
        errors.append(h('p', {}, h('a', { href: `#/case/${encodeURIComponent(ref)}` }, t('edit.reload'))));
      }
      errors.hidden = false;
      if (e.field && form.showError(e.field, `${pathLabel('case', e.field)}: ${app.localMessage(e.message)}`)) {
        /* focused at the field */
      } else {
        errors.setAttribute('tabindex', '-1');
        errors.focus();
      }
    } finally {
      save.disabled = false;
    }
  });
  root.append(
    h('div', { class: 'pagehead' },
      h('h1', {}, editing ? t('edit.title', { ref }) : t('new.title')),
      editing ? h('span', { class: 'muted' }, t('edit.from_version', { v: current.version })) : null),
    h('p', { class: 'muted small' }, t('new.intro')),
    el);
}
