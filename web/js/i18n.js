// i18n — Korean and English. Every UI string lives in /locales/{ko,en}.json;
// labels of record fields and vocabularies come from the schema ({en, ko}).
// The choice is remembered in localStorage; Korean is the default.

import { withParticle } from './particles.js';

const LANGS = ['ko', 'en'];
const KEY = 'kith.lang';
const tables = {};
let lang = 'ko';
const missing = new Set();

export function current() {
  return lang;
}

export async function load() {
  let saved = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch (e) {
    saved = null;
  }
  lang = LANGS.includes(saved) ? saved : 'ko';
  await Promise.all(
    LANGS.map(async (l) => {
      const r = await fetch(`/locales/${l}.json`, { credentials: 'same-origin' });
      tables[l] = await r.json();
    }),
  );
  document.documentElement.lang = lang;
}

export function setLang(l) {
  if (!LANGS.includes(l)) return;
  lang = l;
  try {
    localStorage.setItem(KEY, l);
  } catch (e) {
    /* private mode: not remembered */
  }
  document.documentElement.lang = l;
}

export function other() {
  return lang === 'ko' ? 'en' : 'ko';
}

// t('key', {n: 3}) — "{n}" in the text is replaced; "{n:을}" adds the particle. A missing key shows the
// key itself and is recorded (the browser tests fail on any).
export function t(key, params) {
  // "key.one", when there is one, says it for a count of 1 ("1 matching case")
  if (params && Number(params.n) === 1 && tables[lang] && tables[lang][`${key}.one`] != null) key = `${key}.one`;
  let s = tables[lang] && tables[lang][key];
  if (s == null) {
    missing.add(`${lang}:${key}`);
    s = (tables.en && tables.en[key]) || key;
  }
  // "{label:을}": the value followed by the Korean particle that fits it (particles.js)
  if (params) {
    s = s.replace(/\{(\w+)(?::([^}\s]+))?\}/g, (m, k, part) => {
      if (params[k] == null) return m;
      return part ? withParticle(String(params[k]), part) : String(params[k]);
    });
  }
  return s;
}

export function has(key) {
  return !!(tables[lang] && tables[lang][key] != null);
}

// A schema label {en, ko} in the current language.
export function label(l) {
  if (!l) return '';
  if (typeof l === 'string') return l;
  return l[lang] || l.en || '';
}

export function missingKeys() {
  return [...missing];
}

export function formatTime(unix) {
  if (!unix) return '';
  const d = new Date(unix * 1000);
  return d.toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

// "1987", "1987-03", "1987-03-14" in words of the current language.
export function formatDate(s) {
  if (!s || typeof s !== 'string') return '';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(s);
  if (!m) return s;
  const [, y, mo, d] = m;
  if (lang === 'ko') return `${y}년${mo ? ` ${Number(mo)}월` : ''}${d ? ` ${Number(d)}일` : ''}`;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  if (d) return `${Number(d)} ${months[Number(mo) - 1]} ${y}`;
  if (mo) return `${months[Number(mo) - 1]} ${y}`;
  return y;
}

// Exposed for the browser tests.
window.__kithI18n = { missingKeys, current };
