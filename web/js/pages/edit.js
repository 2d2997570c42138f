// edit — intake of a new case and editing of an existing one, with the form
// generated from the schema. An edit sends the version it started from
// (expect_version): if someone changed the case meanwhile, the server refuses,
// nothing is overwritten, and the page shows both versions side by side while
// the form keeps what was typed. What is typed is kept as a draft (drafts.js).

import { h, id } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { kind } from '../schema.js';
import { conflictPanel } from '../conflict.js';
import { buildForm } from '../form.js';
import * as drafts from '../drafts.js';
import * as words from '../words.js';

export async function render(root, app, params) {
  const ref = params[0];
  const editing = !!ref;
  let current = null;
  if (editing) current = await api.get('/case', { ref });
  const key = editing ? `#/case/${encodeURIComponent(ref)}/edit` : '#/new';
  const title = editing ? t('edit.title', { ref }) : t('new.title');
  const kept = await drafts.restore(key);
  let base = current ? current.version : 0;
  let start = current ? current.body : null;
  let noteText = '';
  if (kept && kept.data && typeof kept.data === 'object') {
    start = kept.data.body || start;
    noteText = kept.data.note || '';
    if (editing && kept.data.base) base = kept.data.base;
  }
  const ks = kind('case');
  const form = buildForm(ks, start, { editing });
  const errors = h('div', { class: 'errors', role: 'alert', hidden: true });
  const noteId = id('note');
  const note = h('input', { type: 'text', id: noteId, autocomplete: 'off', value: noteText });
  const save = h('button', { type: 'submit', 'data-action': 'save' }, editing ? t('edit.save') : t('new.save'));
  const back = editing ? `#/case/${encodeURIComponent(ref)}` : '#/cases';
  let watch = null;
  const cancel = drafts.cancelButton(app, () => watch, back, !!kept);
  const status = h('p', { class: 'muted small', 'data-draft-status': '', 'aria-live': 'polite' });
  const conflictBox = h('div', {});
  const el = h('form', { novalidate: true, class: 'caseform', autocomplete: 'off' },
    form.el,
    h('div', { class: 'formbar' },
      h('label', { for: noteId }, t('edit.note')), note, save, cancel),
    status,
    errors);
  watch = drafts.attach(app, el, {
    key, title, collect: () => ({ body: form.collect(), note: note.value, base }),
  });
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
        r = await api.post('/edit', { id: current.id, expect_version: base, body, note: note.value.trim() || null });
      } else {
        r = await api.post('/cases', { body, note: note.value.trim() || null });
      }
      await watch.saved();
      app.flash(editing ? t('edit.saved', { ref: r.ref, v: r.version }) : t('new.saved', { ref: r.ref }));
      app.navigate(`#/case/${encodeURIComponent(r.ref)}`);
      return;
    } catch (e) {
      errors.textContent = '';
      errors.append(h('p', {}, app.errorText(e)));
      if (e.code === 'stale' && editing) {
        // someone saved meanwhile: show both, keep what was typed; saving
        // again puts this version on top of theirs
        try {
          const theirs = await api.get('/case', { ref });
          conflictBox.replaceChildren(conflictPanel('case', theirs.body, body, theirs.version));
          base = theirs.version;
          watch.markDirty();
          errors.append(h('p', {}, t('conflict.again')));
        } catch (e2) {
          /* the error above says it */
        }
      }
      errors.hidden = false;
      const at = e.field && e.code === 'invalid' ? words.errorField('case', e.field, e.message) : null;
      if (at && form.showError(at, words.fieldMessage(e.message, words.fieldLabel('case', at)))) {
        /* focused at the field */
      } else {
        errors.setAttribute('tabindex', '-1');
        errors.focus();
      }
    } finally {
      save.disabled = false;
    }
  });
  root.append(...[
    h('div', { class: 'pagehead' },
      h('h1', {}, title),
      editing ? h('span', { class: 'muted' }, t('edit.from_version', { v: base })) : null),
    h('p', { class: 'muted small' }, t('new.intro')),
    kept && kept.fromVault ? drafts.restoredNote(app, key, kept.at, () => { drafts.detach(); app.navigate(key); }) : null,
    conflictBox,
    el].filter(Boolean));
}
