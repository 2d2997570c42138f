// attach — the attachments of a case (src/web/api_attach.c): photos shown
// (their location and camera details were removed on the way in), documents
// and recordings listed with a download (the server allows it only with the
// person's consent to sharing), an upload that sends the file as it is read
// (the server encrypts it as it arrives), and removal as a new version.
// Used by the case page and by tracing candidates (photos only).

import { h, id, clear } from './dom.js';
import { t, formatTime } from './i18n.js';
import * as api from './api.js';

const MIB = 1024 * 1024;

function src(it) {
  return `/api/attachment?id=${encodeURIComponent(it.id)}`;
}

function sizeText(n) {
  return n >= MIB ? t('attach.size_mb', { n: (n / MIB).toFixed(1) }) : t('attach.size_kb', { n: Math.max(1, Math.round(n / 1024)) });
}

function errorOf(app, e, max) {
  if (e && e.code === 'too_large') return t('attach.too_large', { mib: Math.round(max / MIB) });
  if (e && e.code === 'photo') return t('attach.bad_photo');
  return app.errorText(e);
}

// The photos of a case as a row of pictures (tracing candidates). Empty when
// there are none or they cannot be read.
export async function photoStrip(caseRef) {
  const box = h('div', { class: 'thumbs', 'data-section': 'photos' });
  try {
    const r = await api.get('/attachments', { case: caseRef });
    for (const it of r.attachments.filter((x) => x.photo)) {
      box.append(h('img', { src: src(it), alt: t('attach.photo_alt', { name: it.name }), loading: 'lazy' }));
    }
  } catch (e) {
    /* a candidate without photos */
  }
  return box.childNodes.length ? box : null;
}

// The attachments section of a case page: list, upload, remove.
export function attachSection(app, rec) {
  const list = h('div', { 'data-list': 'attachments' });
  const msg = h('p', { role: 'status' });
  const fid = id('file');
  const input = h('input', { type: 'file', id: fid, 'data-field': 'attachment' });
  const button = h('button', { type: 'submit', 'data-action': 'attach' }, t('attach.add'));
  const note = h('p', { class: 'muted small' });
  let max = 64 * MIB;
  const say = (text, bad) => {
    msg.className = bad ? 'err-text' : 'banner';
    msg.textContent = text;
  };

  async function load() {
    let r;
    try {
      r = await api.get('/attachments', { case: rec.ref });
    } catch (e) {
      say(app.errorText(e), true);
      return;
    }
    max = r.max_bytes || max;
    note.textContent = t('attach.max', { mib: Math.round(max / MIB) });
    clear(list);
    if (!r.attachments.length) {
      list.append(h('p', { class: 'muted' }, t('attach.none')));
      return;
    }
    for (const it of r.attachments) list.append(item(it));
  }

  function item(it) {
    const remove = h('button', { type: 'button', class: 'secondary', 'data-action': 'attach-remove' }, t('attach.remove'));
    remove.addEventListener('click', async () => {
      const yes = await app.confirm({ title: t('attach.remove_title'), body: h('p', {}, t('attach.remove_confirm', { name: it.name })), confirmText: t('attach.remove') });
      if (!yes) return;
      try {
        await api.post('/attachment/remove', { id: it.id });
        say(t('attach.removed', { name: it.name }));
        load();
      } catch (e) {
        say(app.errorText(e), true);
      }
    });
    const purge = h('button', { type: 'button', class: 'danger', 'data-action': 'attach-purge' }, t('attach.purge'));
    purge.addEventListener('click', () => purgeDialog(it));
    const consent = !!(rec.body && rec.body.consent && rec.body.consent.sharing === true);
    const dl = consent
      ? h('a', { class: 'btn secondary', href: `${src(it)}&download=1`, download: '', 'data-action': 'attach-download' }, t('attach.download'))
      : h('span', { class: 'muted small' }, t('attach.download_consent'));
    return h('div', { class: 'attachment', 'data-attachment': it.id },
      it.photo ? h('img', { src: src(it), alt: t('attach.photo_alt', { name: it.name }), loading: 'lazy' }) : null,
      h('div', { class: 'grow' },
        h('strong', { lang: '' }, it.name),
        h('div', { class: 'muted small' },
          `${sizeText(it.size)} · ${formatTime(it.at)}`,
          it.stripped ? ` · ${t('attach.stripped')}` : '')),
      h('div', { class: 'actions' }, dl, remove, purge));
  }

  // Destroying the bytes for good (casework/attach.h kith_attach_purge): an
  // administrator's decision, with the reason and the case number typed.
  async function purgeDialog(it) {
    const wid = id('purge-why');
    const rid = id('purge-ref');
    const why = h('textarea', { id: wid, rows: 2, 'data-field': 'purge-why' });
    const ref = h('input', { id: rid, type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-field': 'purge-ref' });
    const yes = await app.confirm({
      title: t('attach.purge_title'),
      body: [h('p', {}, t('attach.purge_body', { name: it.name })),
        h('div', { class: 'field' }, h('label', { for: wid }, t('attach.purge_why')), why),
        h('div', { class: 'field' }, h('label', { for: rid }, t('attach.purge_confirm_label', { ref: rec.ref })), ref)],
      confirmText: t('attach.purge_button'),
      danger: true,
    });
    if (!yes) return;
    if (!why.value.trim()) {
      say(t('attach.purge_need_why'), true);
      return;
    }
    if (ref.value.trim() !== rec.ref) {
      say(t('attach.purge_wrong_ref', { ref: rec.ref }), true);
      return;
    }
    try {
      await api.post('/attachment/purge', { id: it.id, note: why.value.trim(), confirm: ref.value.trim() });
      say(t('attach.purged', { name: it.name }));
      load();
    } catch (e) {
      say(e && e.field === 'confirm' ? t('attach.purge_wrong_ref', { ref: rec.ref }) : app.errorText(e), true);
    }
  }

  const form = h('form', { class: 'row', novalidate: true },
    h('div', { class: 'field grow' }, h('label', { for: fid }, t('attach.file')), input),
    h('div', { class: 'field' }, button));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = input.files && input.files[0];
    msg.textContent = '';
    if (!file) {
      say(t('attach.choose'), true);
      return;
    }
    if (file.size > max) {
      say(t('attach.too_large', { mib: Math.round(max / MIB) }), true);
      return;
    }
    button.disabled = true;
    say(t('attach.adding'));
    try {
      await api.upload('/attach', { case: rec.ref, name: file.name, type: file.type || null }, file);
      say(t('attach.added', { name: file.name }));
      input.value = '';
      load();
    } catch (e) {
      say(errorOf(app, e, max), true);
    } finally {
      button.disabled = false;
    }
  });

  load();
  return h('section', { class: 'card', 'data-section': 'attachments' },
    h('h2', {}, t('attach.title')),
    h('p', { class: 'muted small' }, t('attach.intro')),
    list, form, note, msg);
}
