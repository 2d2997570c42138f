// people — who is enrolled on this vault, with a role and a passphrase of
// their own (issue 12): the list, adding a person, removing one. Admins only
// (the server refuses everyone else: casework/people.h). Also the helpers the
// other pages use to name the person behind a version or a view.

import { h, id, append } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';

const ROLES = ['caseworker', 'reviewer', 'analyst', 'admin'];

export function roleLabel(role) {
  return ROLES.includes(role) ? t(`people.role_${role}`) : role || '';
}

// "김 선생", "Admin (main passphrase)", or "person 1a2b3c4d" for an id no
// record names.
export function personName(p) {
  if (!p) return t('people.admin_main');
  if (p.name) return p.name;
  if (p.main || !p.id) return t('people.admin_main');
  return t('people.unknown', { id: p.id.slice(0, 8) });
}

// "검토자: 김 선생" — the role, then the name.
export function personLine(p) {
  if (!p || (!p.name && (p.main || !p.id))) return personName(p); // "관리자 (기본 암호)" says the role
  return `${roleLabel(p.role)}: ${personName(p)}`;
}

// The view log of a case, for admins (a section, or null for anyone else).
export async function viewsSection(ref) {
  let r;
  try {
    r = await api.get('/views', { ref });
  } catch (e) {
    return null; // 403 for everyone but admins
  }
  return h('section', { class: 'card', 'data-section': 'views' },
    h('h2', {}, t('people.views_title')),
    r.items.length
      ? h('ul', {}, r.items.slice().reverse().map((v) => h('li', { 'data-view': v.at },
        `${formatTime(v.at)} · `, h('span', { lang: '' }, personName({ id: v.person, name: v.name, main: !v.person })),
        ` (${roleLabel(v.role)}) · ${t(`people.what_${v.what}`)}`)))
      : h('p', { class: 'muted' }, t('people.views_none')));
}

function row(p, app, reload) {
  const status = p.removed ? t('people.removed_at', { at: formatTime(p.removed_at) })
    : p.main ? t('people.main') : p.slot ? t('people.active') : t('people.no_slot');
  const remove = !p.removed && !p.main
    ? h('button', {
      type: 'button', class: 'secondary small', 'data-action': 'remove-person',
      onclick: async () => {
        const yes = await app.confirm({
          title: t('people.remove_title', { name: p.name }),
          body: t('people.remove_body'),
          confirmText: t('people.remove'),
          danger: true,
        });
        if (!yes) return;
        try {
          await api.post('/people/remove', { name: p.name });
          app.banner(t('people.removed', { name: p.name }));
        } catch (e) {
          app.banner(app.errorText(e), 'error');
        }
        reload();
      },
    }, t('people.remove'))
    : null;
  return h('tr', { 'data-person': p.id || 'main' },
    h('td', { lang: '' }, personName(p)),
    h('td', {}, roleLabel(p.role)),
    h('td', {}, p.added ? formatTime(p.added) : '—'),
    h('td', {}, status),
    h('td', {}, remove));
}

function addForm(app, reload) {
  const nid = id('pname');
  const rid = id('prole');
  const p1 = id('ppass');
  const p2 = id('ppass2');
  const name = h('input', { id: nid, required: true, maxlength: 200, autocomplete: 'off' });
  const role = h('select', { id: rid }, ROLES.map((r) => h('option', { value: r }, roleLabel(r))));
  const pass = h('input', { id: p1, type: 'password', required: true, autocomplete: 'new-password' });
  const again = h('input', { id: p2, type: 'password', required: true, autocomplete: 'new-password' });
  const msg = h('p', { class: 'err-text', role: 'alert' });
  const button = h('button', { type: 'submit', 'data-action': 'add-person' }, t('people.add_button'));
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('people.add_title')),
    h('p', { class: 'muted' }, t('people.add_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: nid }, t('people.name')), name),
      h('div', { class: 'field' }, h('label', { for: rid }, t('people.role')), role)),
    h('div', { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: p1 }, t('people.passphrase')), pass),
      h('div', { class: 'field grow' }, h('label', { for: p2 }, t('people.again')), again)),
    h('p', { class: 'note' }, t('people.roles_note')),
    msg, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    if (!name.value.trim()) { msg.textContent = t('people.need_name'); name.focus(); return; }
    if (!pass.value) { msg.textContent = t('people.need_pass'); pass.focus(); return; }
    if (pass.value !== again.value) { msg.textContent = t('people.differ'); again.focus(); return; }
    const body = { name: name.value.trim(), role: role.value, passphrase: pass.value };
    pass.value = '';
    again.value = '';
    button.disabled = true;
    try {
      await api.post('/people/add', body);
      app.banner(t('people.added', { name: body.name, role: roleLabel(body.role) }));
      reload();
    } catch (e) {
      msg.textContent = app.errorText(e);
      button.disabled = false;
    }
  });
  return form;
}

export async function render(root, app) {
  const reload = () => app.navigate('#/people');
  let r;
  try {
    r = await api.get('/people');
  } catch (e) {
    append(root, [h('h1', {}, t('people.title')), h('p', { class: 'err-text', role: 'alert' }, app.errorText(e))]);
    return;
  }
  append(root, [
    h('div', { class: 'pagehead' }, h('h1', {}, t('people.title'))),
    h('p', { class: 'muted' }, t('people.intro')),
    h('div', { class: 'tablewrap' }, h('table', { class: 'list', 'data-table': 'people' },
      h('caption', { class: 'skip' }, t('people.caption', { n: r.items.length })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('people.name')),
        h('th', { scope: 'col' }, t('people.role')),
        h('th', { scope: 'col' }, t('people.added_col')),
        h('th', { scope: 'col' }, t('people.status')),
        h('th', { scope: 'col' }, h('span', { class: 'skip' }, t('people.actions'))))),
      h('tbody', {}, r.items.map((p) => row(p, app, reload))))),
    addForm(app, reload)]);
}
