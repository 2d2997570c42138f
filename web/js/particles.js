// particles — Korean particles chosen by the word they follow, so that a
// message reads "이름을 입력하세요" and "번호를 입력하세요", never "이름을(를)".
// A particle depends on whether the last sound of the word ends in a
// consonant (받침), and 으로/로 also on whether that consonant is ㄹ.
// Used by i18n.t: "{label:을}" in a Korean string is the label with 을 or 를.

// The pairs: [after a consonant, after a vowel]. Keyed by either form.
const PAIRS = [
  ['을', '를'], ['이', '가'], ['은', '는'], ['과', '와'], ['아', '야'], ['으로', '로'], ['이에요', '예요'],
];
const BY_FORM = new Map();
for (const p of PAIRS) for (const f of p) BY_FORM.set(f, p);

// How digits are read: 영 일 이 삼 사 오 육 칠 팔 구 (0, 1, 3, 6, 7, 8 end in a consonant;
// 1, 7, 8 in ㄹ).
const DIGIT_BATCHIM = '1101001110';
const DIGIT_RIEUL = '0100000110';

// The last character that is read aloud before the particle: a trailing
// bracketed aside is passed over, as Korean writes "동의(익명)를" (the
// particle fits 동의), and so are quotes, dots and spaces.
function lastSounding(word) {
  let s = String(word == null ? '' : word).trimEnd();
  for (let prev = null; prev !== s;) {
    prev = s;
    s = s.replace(/\s*[([{（][^()[\]{}（）]*[)\]}）]$/u, '').trimEnd();
  }
  for (let i = s.length - 1; i >= 0; i -= 1) {
    const c = s[i];
    if (/[\p{L}\p{N}]/u.test(c)) return c;
  }
  return '';
}

// {batchim, rieul} of the word's last sound.
export function finalSound(word) {
  const c = lastSounding(word);
  if (!c) return { batchim: false, rieul: false };
  const code = c.codePointAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) {
    const jong = (code - 0xac00) % 28;
    return { batchim: jong !== 0, rieul: jong === 8 };
  }
  if (c >= '0' && c <= '9') {
    const d = Number(c);
    return { batchim: DIGIT_BATCHIM[d] === '1', rieul: DIGIT_RIEUL[d] === '1' };
  }
  // Latin letters as said in Korean: L, M, N end in a consonant (엘, 엠, 엔; L in ㄹ)
  const l = c.toLowerCase();
  if (l === 'l') return { batchim: true, rieul: true };
  if (l === 'm' || l === 'n') return { batchim: true, rieul: false };
  return { batchim: false, rieul: false };
}

// The particle (either form of a pair: '을' or '를', '으로' or '로', ...) that
// fits after `word`. An unknown particle is returned as given.
export function particle(word, form) {
  const pair = BY_FORM.get(form);
  if (!pair) return form;
  const { batchim, rieul } = finalSound(word);
  if (pair[0] === '으로') return batchim && !rieul ? '으로' : '로';
  return batchim ? pair[0] : pair[1];
}

// The word followed by the particle that fits.
export function withParticle(word, form) {
  return `${word}${particle(word, form)}`;
}
