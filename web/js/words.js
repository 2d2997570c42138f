// words — the messages a person reads about what went wrong and what a
// panic will do, in her language: a validation message names the field by
// its label ("Name", not "Person: required"), a date gets the message of its
// own mistake, limits are in characters, and Korean particles fit the word
// (i18n "{label:을}", particles.js). The server's messages are English
// (record.c); here they become sentences of the current language, and one
// that is not known becomes a general sentence, never English in Korean.

import { h } from './dom.js';
import { t, label, formatTime } from './i18n.js';
import { fieldAt, kind } from './schema.js';

// record.c's messages -> locale key and the numbers they carry
const MESSAGES = [
  [/^is required$/, 'valmsg.required'],
  [/^the same ref as the record on line (\d+)/, 'valmsg.same_ref'],
  [/^is empty/, 'valmsg.empty'],
  [/^is longer than (\d+) characters/, 'valmsg.too_long'],
  [/^is longer than (\d+) bytes/, 'valmsg.too_long'],
  [/^is not valid UTF-8|invalid UTF-8/, 'valmsg.utf8'],
  [/control character/, 'valmsg.control'],
  [/^(must be a string from|is not in) the vocabulary/, 'valmsg.vocab'],
  [/^must be a (string|list|an object)|^must be an object/, 'valmsg.type'],
  [/^must hold at least (\d+) items/, 'valmsg.min_items'],
  [/^holds more than (\d+) items/, 'valmsg.max_items'],
  [/^must be a reference/, 'valmsg.ref'],
  [/^is not a date: a year has four digits/, 'valmsg.date_year4'],
  [/^is a date before (\d+)/, 'valmsg.date_before'],
  [/^is a date after (\d+)/, 'valmsg.date_after'],
  [/^is not a date: no month (\d+)/, 'valmsg.date_month'],
  [/^is not a date: no day (\d+) in month (\d+) of that year \(it has (\d+) days\)/, 'valmsg.date_day_month'],
  [/^is not a date: no day (\d+)/, 'valmsg.date_day'],
  [/^must be a date/, 'valmsg.date'],
  [/^must be a whole number/, 'valmsg.int'],
  [/^must be between (\S+) and (\S+)/, 'valmsg.range'],
  [/^must be a number/, 'valmsg.number'],
  [/^must be true or false/, 'valmsg.bool'],
  [/^unknown field/, 'valmsg.unknown'],
  [/^gives both a case and a description/, 'valmsg.case_or_desc'],
  [/^needs a case or a name/, 'valmsg.case_or_name'],
  [/a name without letters/, 'valmsg.no_letters'],
];

// The message for `msg` about the field labelled `lbl` (null: "this field").
export function fieldMessage(msg, lbl) {
  const name = lbl || t('valmsg.this_field');
  for (const [re, key] of MESSAGES) {
    const m = re.exec(msg || '');
    if (m) return t(key, { label: name, a: m[1], b: m[2], c: m[3] });
  }
  return t('valmsg.other', { label: name });
}

// The field a message is really about: a required group that is missing
// means its first required field ("person" -> "person.name").
export function errorField(kindName, path, msg) {
  const f = path ? fieldAt(kindName, path) : null;
  if (f && f.fields && /^is required$/.test(msg || '')) {
    const first = f.fields.find((x) => x.required);
    if (first) return `${path}.${first.name}`;
  }
  return path;
}

// The label a person knows the field by: its own label, with the numbered
// list item it sits in ("Journey 2 › Date"), never the path of groups.
export function fieldLabel(kindName, path) {
  if (!path || !kind(kindName)) return null;
  const segs = path.split('.');
  const own = fieldAt(kindName, path);
  if (!own) return null;
  let item = null;
  for (let i = 0; i < segs.length - 1; i += 1) {
    const m = /^(.+)\[(\d+)\]$/.exec(segs[i]);
    if (m) {
      const lf = fieldAt(kindName, segs.slice(0, i).concat(m[1]).join('.'));
      if (lf) item = `${label(lf.label)} ${Number(m[2]) + 1}`;
    }
  }
  // "이름 (본인이 밝힌 대로)" is "이름" in a message
  const bare = label(own.label).replace(/\s*\([^()]*\)$/, '') || label(own.label);
  return item ? `${item} › ${bare}` : bare;
}

// What a panic will do to this vault, in plain words. ks: GET /api/keystatus
// (null when the vault is locked and this page has not seen it unlocked).
export function panicEffect(ks, locked) {
  let kindOf = 'unknown';
  let text;
  if (ks && !ks.holds_org_key) {
    kindOf = 'field';
    text = t('panic.effect_field');
  } else if (ks && ks.backed_up) {
    kindOf = 'backed_up';
    text = t('panic.effect_backed_up', { time: formatTime(ks.last_backup_at) });
  } else if (ks) {
    kindOf = 'permanent';
    text = t('panic.effect_permanent');
  } else {
    text = t(locked ? 'panic.effect_unknown_locked' : 'panic.effect_unknown');
  }
  return h('p', { class: kindOf === 'field' || kindOf === 'backed_up' ? 'info-box' : 'danger-box', 'data-panic-effect': kindOf }, text);
}

// The "why" of a match adds up: the prior (the weight before any field is
// compared) is a row of its own, and the total row is the sum of the rows
// shown, so a reader can check it. Returns [prior row, tfoot].
export function priorAndTotal(prior, fieldWeights) {
  const fmt = (x) => (x >= 0 ? '+' : '') + Number(x).toFixed(2);
  const total = fieldWeights.reduce((a, b) => a + Number(b || 0), Number(prior || 0));
  return [
    h('tr', { 'data-row': 'prior' },
      h('td', {}, t('review.explain_prior')), h('td', {}, t('review.explain_prior_level')), h('td', { class: 'num' }, fmt(prior || 0))),
    h('tfoot', {}, h('tr', { 'data-row': 'total' },
      h('th', { scope: 'row', colspan: '2' }, t('review.explain_sum')), h('td', { class: 'num' }, fmt(total)))),
  ];
}

// The reason record linkage writes on a pair it proposes (linkvault.c) in
// the reader's language, or null when the reason is a person's own words.
export function linkReason(reason) {
  const m = /^kith link: (\d+) cases, weakest match probability ([\d.]+) \(threshold ([\d.]+)\)/.exec(reason || '');
  if (!m) return null;
  return t('review.reason_auto', { n: m[1], p: `${Math.round(Number(m[2]) * 100)}%`, th: `${Math.round(Number(m[3]) * 100)}%` });
}
