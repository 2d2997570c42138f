// Unit tests of web/js/particles.js (Korean particles by the final consonant)
// and checks of the locale files: the same keys in both, no "을(를)" left,
// the glossary's words used for the seeker and the sought, plural forms.
// Plain node, no browser: run by tests/cli/test_words.sh.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.env.KITH_SOURCE || join(process.cwd(), '..', '..');
const { particle, withParticle, finalSound } = await import(join(root, 'web/js/particles.js'));

let passed = 0;
let failed = 0;
function eq(got, want, what) {
  if (got === want) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`not ok - ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

// 을/를, 이/가, 은/는, 과/와 by 받침
for (const [w, f, want] of [
  ['이름', '을', '이름을'], ['사례', '을', '사례를'], ['사례', '를', '사례를'], ['이름', '를', '이름을'],
  ['성별', '이', '성별이'], ['나이', '이', '나이가'], ['날짜', '은', '날짜는'], ['출신지', '은', '출신지는'],
  ['국적', '과', '국적과'], ['가족', '와', '가족과'], ['언어', '과', '언어와'],
  // 으로/로: 로 after a vowel and after ㄹ
  ['서울', '으로', '서울로'], ['집', '으로', '집으로'], ['연길', '으로', '연길로'], ['학교', '으로', '학교로'], ['부산', '로', '부산으로'],
  // numbers as read: 일 이 삼 ... 영
  ['1', '을', '1을'], ['2', '을', '2를'], ['3', '을', '3을'], ['4', '을', '4를'], ['5', '을', '5를'], ['6', '을', '6을'],
  ['7', '을', '7을'], ['8', '을', '8을'], ['9', '을', '9를'], ['10', '을', '10을'],
  ['1', '으로', '1로'], ['2', '으로', '2로'], ['3', '으로', '3으로'], ['7', '으로', '7로'], ['8', '으로', '8로'], ['6', '으로', '6으로'],
  ['K-2026-0001', '을', 'K-2026-0001을'], ['K-2026-0002', '을', 'K-2026-0002를'],
  // Latin: L, M, N end in a consonant (엘, 엠, 엔)
  ['kith.jsonl', '으로', 'kith.jsonl로'], ['export.csv', '으로', 'export.csv로'], ['data.json', '을', 'data.json을'],
  // a trailing aside is passed over: the particle fits the word before it
  ['이름 (본인이 밝힌 대로)', '을', '이름 (본인이 밝힌 대로)을'], ['보고·통계 활용 동의 (익명)', '을', '보고·통계 활용 동의 (익명)를'],
  ['"사례"', '을', '"사례"를'],
]) eq(withParticle(w, f), want, `${w} + ${f}`);
eq(particle('이름', '야'), '아', '아/야');
eq(particle('이름', 'xyz'), 'xyz', 'an unknown particle is kept');
eq(finalSound('').batchim, false, 'an empty word has no final consonant');
eq(finalSound('물').rieul, true, '물 ends in ㄹ');

// the locales
const ko = JSON.parse(readFileSync(join(root, 'web/locales/ko.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(root, 'web/locales/en.json'), 'utf8'));
const onlyOne = Object.keys(ko).filter((k) => !(k in en)).concat(Object.keys(en).filter((k) => !(k in ko)));
eq(onlyOne.join(' '), '', 'ko and en hold the same keys');
const hedged = Object.entries(ko).filter(([, v]) => /\(를\)|\(을\)|\(으\)|\(이\)|\(가\)|\(은\)|\(는\)|\(와\)|\(과\)/.test(v)).map(([k]) => k);
eq(hedged.join(' '), '', 'no "을(를)"-style hedged particle in Korean: {x:을} chooses it');
const latin = Object.entries(ko).filter(([k, v]) => !/^lang\./.test(k)
  && (v.replace(/\{[^}]*\}/g, '').replace(/JSON Lines|kith[a-z ./-]*|--[a-z-]+|[A-Z]{2,}[A-Za-z0-9]*|Argon2id|Excel|WebP|FILE|JSON Lines|\.[a-z]{2,5}\b|organization,list|Pang Mi-son/g, '').match(/[A-Za-z]{3,}/g) || []).length).map(([k]) => k);
eq(latin.join(' '), '', 'no English words in Korean strings (commands, file formats, a CSV header and a romanized example aside)');
// the glossary: the seeker and the sought are never the same words
const glossary = readFileSync(join(root, 'web/locales/glossary.md'), 'utf8');
eq(/요청인/.test(glossary) && /찾는 가족/.test(glossary), true, 'the glossary names the seeker (요청인) and the sought (찾는 가족)');
const soughtAsPerson = Object.entries(ko).filter(([k, v]) => /sought|candidates|confirm/.test(k) && /찾는 사람/.test(v)).map(([k]) => k);
eq(soughtAsPerson.join(' '), '', 'the sought is never "찾는 사람"');
const schemaSrc = readFileSync(join(root, 'src/record/record.c'), 'utf8');
eq((schemaSrc.match(/"찾는 사람"/g) || []).length, 0, 'the schema does not call anyone "찾는 사람" (seeker: 요청인, sought: 찾는 가족)');
// plurals: a count of one has its own string where English needs it
for (const k of ['cases.found']) eq(`${k}.one` in en && `${k}.one` in ko, true, `${k} has a singular`);

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
