#!/usr/bin/env python3
"""Fresh held-out sets for issue 13 (helper namesq, 2026-12-07), written and
frozen before the engine was run on them. Two parts each, F1 and F2: F1 was
measured first and its misses studied; F2 was measured only after the fixes.

  fresh_compare.csv  (Hangul, spelling) pairs published by others, from
                     public_names.csv (see public_extract.py): surnames with
                     their RR, MR and other spellings (Wikipedia's list),
                     given names with their usual spelling (Wikipedia's
                     list), 918 full names in the spelling a person would use
                     (m3nfis/java-korean-romanizer, MIT). Filter, decided
                     before any measurement: a full name must be Hangul with
                     a given name of one or two syllables, and its surname's
                     spelling must be one that Wikipedia's surname list gives
                     for that surname (drops "Tea" for 차, "Zhou" for 주,
                     "Pyon" for 변, "Hung" for 홍: 32 rows).
  fresh_search.csv   a vault and the queries a caseworker would type: every
                     person is a case; its queries are its name in RR, MR
                     (with and without breves), the North Korean style, a
                     personal spelling (surnames as published in Wikipedia's
                     list, the habits Moo/Chew/Dhang/Jeoung/Myoung), Western
                     order, one typo (letter added, dropped, swapped, l for
                     i, a stray space), the given name alone, the surname and
                     the first given syllable, Hanja (Unihan's kHangul),
                     Cyrillic (Kontsevich and the usual Russian surnames),
                     full-width letters, the case number, South Hangul for a
                     name kept in North Hangul, and one token (or two) of a
                     non-Korean name. The romanizers here are written
                     independently of src/names (tables of the systems), so
                     the engine is not measured against its own output.

A partial query (given name alone, surname and part of the given name, a
token) is kept only when no other case of the vault has the same part (by
the Hangul, North/South folded), since it then names one person; a full
name is unique in the vault.

Split: zlib.crc32 of the Hangul (compare) or of the case number (search),
even F1, odd F2. Random draws from random.Random(13).
Run from the repository root:  python3 data/names/fresh.py

Part F3 (helper names13, 2026-12-07), made after F1 and F2 had both been
looked at:  python3 data/names/fresh.py --f3  writes fresh_search_f3.csv, a
new vault and its queries made by the same code from random.Random(3013)
(every query is part F3; the compare set is not made again). It was
committed before the engine was run on it.

Part F4 (the lead, 2026-12-07, eighth session), made after F3 had been looked
at:  python3 data/names/fresh.py --f4  writes fresh_search_f4.csv the same way
from random.Random(4014). Committed before the engine was run on it.

Part F5 (the lead, 2026-12-07, eighth session), made after F4 had been run:
python3 data/names/fresh.py --f5  writes fresh_search_f5.csv the same way from
random.Random(5015), with one rule more: a partial query is kept only when
its Hangul (North/South folded) is also no other case's whole name (in either
order), given name, or surname with the first syllable of the given name, so
that it names one person whatever way it is read. Committed before the engine
was run on it.

Part F6 (the lead, 2026-12-07, eighth session), made after F5 had been run on
the session's merged main, with F5's rule: python3 data/names/fresh.py --f6
writes fresh_search_f6.csv from random.Random(6016); a second sample of the
same code, run once on that main, which was not changed after F5 was made.

Parts F7 and F8 (the lead, 2026-12-07, ninth session), made before any work
of that session, with F5's rule: python3 data/names/fresh.py --f7 (--f8)
writes fresh_search_f7.csv (f8) from random.Random(7017) (8018). Committed
before the engine was run on them; the lead runs them on the merged main.

Parts F9 and F10 (the lead, 2026-12-07, tenth session), the same way:
python3 data/names/fresh.py --f9 (--f10) writes fresh_search_f9.csv (f10)
from random.Random(9019) (10020), made and committed before any work of that
session; only the lead runs them.

Parts F11 and F12 (the lead, 2026-12-07, eleventh session), the same way:
python3 data/names/fresh.py --f11 (--f12) writes fresh_search_f11.csv (f12)
from random.Random(11021) (12022), made and committed before any work of that
session; only the lead runs them.

Parts F13 and F14 (the lead, 2026-12-08, twelfth session), the same way:
python3 data/names/fresh.py --f13 (--f14) writes fresh_search_f13.csv (f14)
from random.Random(13023) (14024), made and committed before any work of that
session; only the lead runs them.
"""
import sys
import bz2
import csv
import random
import unicodedata
import zlib

R = random.Random(13)
INI = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
VOW = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
       "eu", "ui", "i"]
FIN = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng",
       "t", "t", "k", "t", "p", "t"]
MRV = ["a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ",
       "ŭi", "i"]
# MR initials: (word-initial or after a voiceless final, voiced position)
MRI = [("k", "g"), ("kk", "kk"), ("n", "n"), ("t", "d"), ("tt", "tt"), ("r", "r"), ("m", "m"), ("p", "b"),
       ("pp", "pp"), ("s", "s"), ("ss", "ss"), ("", ""), ("ch", "j"), ("tch", "tch"), ("ch'", "ch'"), ("k'", "k'"),
       ("t'", "t'"), ("p'", "p'"), ("h", "h")]
# Cyrillic (Kontsevich), initial unvoiced / voiced
CYI = [("к", "г"), ("кк", "кк"), ("н", "н"), ("т", "д"), ("тт", "тт"), ("р", "р"), ("м", "м"), ("п", "б"),
       ("пп", "пп"), ("с", "с"), ("сс", "сс"), ("", ""), ("ч", "чж"), ("чч", "чч"), ("чх", "чх"), ("кх", "кх"),
       ("тх", "тх"), ("пх", "пх"), ("х", "х")]
CYV = ["а", "э", "я", "йя", "о", "е", "ё", "е", "о", "ва", "вэ", "ве", "ё", "у", "во", "ве", "ви", "ю", "ы", "ый",
       "и"]
CYF = ["", "к", "к", "к", "н", "н", "н", "т", "ль", "к", "м", "ль", "ль", "ль", "п", "ль", "м", "п", "п", "т", "т",
       "н", "т", "т", "к", "т", "п", "т"]
CY_SUR = {"김": "Ким", "이": "Ли", "박": "Пак", "최": "Цой", "정": "Чон", "강": "Кан", "조": "Чо", "윤": "Юн",
          "장": "Чан", "임": "Лим", "한": "Хан", "오": "О", "서": "Со", "신": "Син", "권": "Квон", "황": "Хван",
          "안": "Ан", "송": "Сон", "전": "Чон", "홍": "Хон", "유": "Ю", "고": "Ко", "문": "Мун", "양": "Ян",
          "손": "Сон", "배": "Пэ", "백": "Пэк", "허": "Хо", "남": "Нам", "노": "Но", "하": "Ха", "리": "Ли",
          "림": "Лим", "류": "Рю", "로": "Ро"}
# Common (personal) spellings of a vowel and of an initial, with weights
P_VOW = {4: [("eo", 3), ("u", 3), ("o", 2), ("uh", 1)], 6: [("yeo", 3), ("yu", 2), ("yo", 2), ("you", 1)],
         13: [("u", 2), ("oo", 3)], 18: [("eu", 3), ("u", 1)], 1: [("ae", 4), ("ai", 1)],
         17: [("yu", 2), ("yoo", 2), ("you", 1)], 19: [("ui", 2), ("ee", 1), ("eui", 1)], 20: [("i", 4), ("ee", 1)],
         11: [("oe", 2), ("oi", 1)], 14: [("wo", 3), ("weo", 1)]}
P_INI = {0: [("g", 2), ("k", 3)], 3: [("d", 3), ("t", 1)], 7: [("b", 3), ("p", 1)], 12: [("j", 4), ("ch", 1)]}
SPECIAL = {"무": "Moo", "추": "Chew", "당": "Dhang", "정": "Jeoung", "명": "Myoung"}
COMPOUND = {"남궁": ["Namgung", "Namkoong"], "황보": ["Hwangbo"], "제갈": ["Jegal", "Chegal"], "선우": ["Sunwoo", "Seonu"],
            "독고": ["Dokgo", "Tokko"]}
NORTH = {"이": "리", "임": "림", "유": "류", "노": "로", "양": "량"}
# non-Korean names met in the field (invented combinations of common names)
NONKO = {
    "thai": (["Somchai", "Somsak", "Malee", "Siriporn", "Kanya", "Niran", "Porntip", "Arunee", "Wichai", "Suda",
              "Apinya", "Boonsong", "Chanida", "Duangjai", "Kittisak", "Nattaya", "Pranee", "Sombat", "Thongchai"],
             ["Wongsakul", "Srisuk", "Chaiyaporn", "Boonmee", "Rattanakorn", "Phromma", "Saetang", "Kaewkla",
              "Sukprasert", "Thongdee", "Jaidee", "Intharasombat", "Kongsawat", "Pattanapong"]),
    "viet": (["Lan", "Hoa", "Minh", "Tuan", "Huong", "Thuy", "Dung", "Hanh"],
             ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"]),
    "chinese": (["Jianguo", "Xiulan", "Guiying", "Haiyan", "Zhiqiang", "Lihua", "Yufeng", "Chunmei"],
                ["Wang", "Zhang", "Liu", "Chen", "Zhao", "Sun", "Zhou", "Xu"]),
    "spanish": (["Maria", "Jose", "Lucia", "Carmen", "Rosa", "Miguel"],
                ["Lopez", "Garcia", "Santos", "Reyes", "Cruz", "Mendoza"]),
}


def jamo(s):
    c = ord(s) - 0xAC00
    return c // 588, (c % 588) // 28, c % 28


def syl(i, v, f=0):
    return chr(0xAC00 + i * 588 + v * 28 + f)


def split_name(h):
    if len(h) >= 3 and h[:2] in COMPOUND:
        return h[:2], h[2:]
    return h[:1], h[1:]


def rr_syl(s):
    i, v, f = jamo(s)
    return INI[i] + VOW[v] + FIN[f]


def rr_name(h, hyphen=True):
    sur, giv = split_name(h)
    g = [rr_syl(c) for c in giv]
    gs = ("-" if hyphen else "").join(g)
    return "".join(rr_syl(c) for c in sur).capitalize() + " " + gs.capitalize()


def mr_word(chars, breves=True, first_unvoiced=True, sep="-"):
    out = []
    prev_f = None
    for k, c in enumerate(chars):
        i, v, f = jamo(c)
        voiced = k > 0 and (prev_f == 0 or FIN[prev_f] in ("n", "l", "m", "ng"))
        ini = MRI[i][1 if voiced else 0]
        if c == "시":
            ini = "s"
        vv = MRV[v]
        if not breves:
            vv = vv.replace("ŏ", "o").replace("ŭ", "u")
            ini = ini.replace("'", "")
        out.append(ini + vv + FIN[f])
        prev_f = f
    return sep.join(out).capitalize() if sep != " " else " ".join(x.capitalize() for x in out)


def mr_name(h, breves=True):
    sur, giv = split_name(h)
    s = {"이": "Yi", "리": "Ri", "류": "Ryu", "림": "Rim"}.get(sur) or mr_word(sur, breves)
    return s + " " + mr_word(giv, breves)


def nk_name(h):
    sur, giv = split_name(h)
    sur = {"이": "리", "임": "림", "노": "로"}.get(sur, sur)
    s = {"리": "Ri", "류": "Ryu", "림": "Rim", "로": "Ro"}.get(sur) or mr_word(sur, False)
    w = mr_word(giv, True, sep=" ")
    w = (w.replace("ŏ", "o").replace("ŭ", "u").replace("K'", "Kh").replace("T'", "Th").replace("P'", "Ph")
         .replace("k'", "kh").replace("t'", "th").replace("p'", "ph").replace("Ch'", "Ch").replace("ch'", "ch"))
    return s + " " + w


def pick(opts):
    tot = sum(w for _, w in opts)
    x = R.uniform(0, tot)
    for o, w in opts:
        x -= w
        if x <= 0:
            return o
    return opts[-1][0]


def personal_syl(c):
    if c in SPECIAL and R.random() < 0.5:
        return SPECIAL[c].lower()
    i, v, f = jamo(c)
    ini = pick(P_INI[i]) if i in P_INI else INI[i]
    if i == 9 and v in (20, 2, 6, 12, 17):
        ini = pick([("s", 1), ("sh", 2)])
    vv = pick(P_VOW[v]) if v in P_VOW else VOW[v]
    return ini + vv + FIN[f]


def personal_name(h, sur_spell):
    sur, giv = split_name(h)
    g = [personal_syl(c) for c in giv]
    sep = pick([("-", 3), ("", 2), (" ", 2)])
    gs = sep.join(g)
    gs = " ".join(w.capitalize() for w in gs.split(" ")) if sep == " " else gs.capitalize()
    s = R.choice(sur_spell.get(sur) or ["".join(rr_syl(c) for c in sur).capitalize()])
    return s, gs


def typo(name):
    words = name.split(" ")
    k = R.randrange(len(words))
    w = words[k]
    op = R.choice(["insert", "drop", "swap", "l-for-i", "space"])
    if len(w) < 3:
        op = "insert"
    if op == "insert":
        p = R.randrange(1, len(w) + 1)
        w = w[:p] + w[p - 1] + w[p:]  # a letter typed twice
    elif op == "drop":
        p = R.randrange(1, len(w))
        w = w[:p] + w[p + 1:]
    elif op == "swap":
        p = R.randrange(1, len(w) - 1)
        w = w[:p] + w[p + 1] + w[p] + w[p + 2:]
    elif op == "l-for-i":
        if "i" in w:
            p = w.index("i")
            w = w[:p] + "l" + w[p + 1:]
        else:
            w = w + w[-1]
    else:
        p = R.randrange(1, len(w) - 1)
        w = w[:p] + " " + w[p:]
    words[k] = w
    return " ".join(words), op


def cyr_name(h):
    sur, giv = split_name(h)
    s = CY_SUR.get(sur)
    if not s:
        return None
    parts = []
    for k, c in enumerate(giv):
        i, v, f = jamo(c)
        ini = CYI[i][0]
        vv = CYV[v]
        if i == 11 and v in (2, 6, 12, 17, 3, 7):
            pass
        parts.append(ini + vv + CYF[f])
    if R.random() < 0.7:
        g = " ".join(p.capitalize() for p in parts)
    else:
        g = "".join(parts).capitalize()
    return s + " " + g


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in s)


def load_hanja():
    """For each Hangul syllable, the most frequent character read so (Unihan's
    kFrequency, then kGradeLevel, then the lowest code point)."""
    freq = {}
    with bz2.open("/usr/share/unicode/Unihan_DictionaryLikeData.txt.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("U+") and ("\tkFrequency\t" in line or "\tkGradeLevel\t" in line):
                cp, key, val = line.rstrip("\n").split("\t", 2)
                rank = int(val) if key == "kFrequency" else 10 + int(val)
                code = int(cp[2:], 16)
                freq[code] = min(freq.get(code, 99), rank)
    best = {}
    with bz2.open("/usr/share/unicode/Unihan_Readings.txt.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("U+") and "\tkHangul\t" in line:
                cp, _, val = line.rstrip("\n").split("\t", 2)
                code = int(cp[2:], 16)
                if not 0x4E00 <= code <= 0x9FFF:
                    continue
                for r in val.split():
                    h = r.split(":")[0]
                    key = (freq.get(code, 99), code)
                    if h not in best or key < best[h]:
                        best[h] = key
    return {h: k[1] for h, k in best.items()}


SUR_HANJA = {"김": "金", "이": "李", "박": "朴", "최": "崔", "정": "鄭", "강": "姜", "조": "趙", "윤": "尹", "장": "張",
             "임": "林", "한": "韓", "오": "吳", "서": "徐", "신": "申", "권": "權", "황": "黃", "안": "安", "송": "宋",
             "전": "全", "홍": "洪", "유": "柳", "고": "高", "문": "文", "양": "梁", "손": "孫", "배": "裵", "백": "白",
             "허": "許", "남": "南", "노": "盧", "하": "河", "리": "李", "림": "林", "류": "柳"}


def fold(h):
    sur, giv = split_name(h)
    sur = {v: k for k, v in NORTH.items()}.get(sur, sur)
    return sur + giv


def main(f3=False, tag="F3", strict=False):
    rows = list(csv.DictReader(open("data/names/public_names.csv", encoding="utf-8")))
    sur_spell, sur_pop = {}, {}
    for r in rows:
        if r["list"] == "wp-surnames":
            sur_spell.setdefault(r["hangul"], []).append(r["spelling"])
            sur_pop[r["hangul"]] = int(r["population"] or 0)
    # ---- compare set ----
    out = []
    for r in rows:
        h, sp = r["hangul"], r["spelling"]
        if r["list"] == "m3-names":
            _, sh, ss = r["field"].split(":")
            if not (1 <= len(h) - len(sh) <= 2) or ss not in sur_spell.get(sh, []):
                continue
            kind = "conventional"
        elif r["list"] == "wp-surnames":
            kind = r["field"]
        else:
            kind = "usual"
        part = "F1" if zlib.crc32(h.encode()) % 2 == 0 else "F2"
        out.append((part, r["list"], h, sp, kind))
    if not f3:
        with open("data/names/fresh_compare.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["part", "list", "hangul", "spelling", "kind"])
            w.writerows(out)
    # ---- search set ----
    given = sorted({r["hangul"] for r in rows if r["list"] == "wp-given"} |
                   {r["hangul"][len(r["field"].split(":")[1]):] for r in rows if r["list"] == "m3-names"
                    if 1 <= len(r["hangul"]) - len(r["field"].split(":")[1]) <= 2})
    given = [g for g in given if all("\uac00" <= c <= "\ud7a3" for c in g)]
    surs = [s for s in sur_pop if sur_pop[s] > 0 and (len(s) == 1 or s in COMPOUND)]
    spell = {**sur_spell, **COMPOUND}
    weights = [sur_pop[s] for s in surs]
    hanja = load_hanja()
    people, seen = [], set()
    while len(people) < 4000:
        s = R.choices(surs, weights)[0]
        if len(people) % 40 == 0:
            s = R.choice(list(COMPOUND))
        g = R.choice(given)
        if len(people) < 800 and len(g) == 2 and R.random() < 0.6:
            g = g[0] + R.choice([x for x in given if len(x) == 2])[1]  # syllables of two listed names
        if R.random() < 0.08:
            g = g[:1]
        h = s + g
        if fold(h) in seen or len(h) < 2:
            continue
        seen.add(fold(h))
        people.append(h)
    # the first 800 are the persons queried (F1/F2 by their case number), the rest fill the vault
    cases = []
    for k, h in enumerate(people):
        ref = "R%07d" % (k + 1)
        stored = h
        sur, giv = split_name(h)
        if k < 800 and sur in NORTH and R.random() < 0.4:
            stored = NORTH[sur] + giv
        elif k >= 800 and R.random() < 0.3:
            stored = R.choice([rr_name(h), mr_name(h, False), nk_name(h)])
        cases.append([ref, stored, h])
    nonko = []
    for k in range(60):
        kind = R.choice(list(NONKO))
        first, last = NONKO[kind]
        if kind == "viet":
            name = "%s %s %s" % (R.choice(last), R.choice(["Thi", "Van", "Minh"]), R.choice(first))
        elif kind == "chinese":
            name = "%s %s" % (R.choice(last), R.choice(first))
        else:
            name = "%s %s" % (R.choice(first), R.choice(last))
        if name in nonko:
            continue
        nonko.append(name)
    for k, n in enumerate(nonko):
        cases.append(["R%07d" % (len(people) + k + 1), n, ""])
    # uniqueness of parts
    from collections import Counter
    giv_count = Counter(split_name(fold(h))[1] for h in people)
    pre_count = Counter(fold(h)[:len(split_name(h)[0]) + 1] for h in people)
    tok_count = Counter(t for n in nonko for t in set(n.split()))
    # strict (part F5): the Hangul of a partial query must be no other case's whole name (in
    # either order), given name, or surname with the first syllable of the given name
    owners = {}
    for j, h in enumerate(people):
        f = fold(h)
        fs, fg = split_name(f)
        for x in (f, fg, f[:len(fs) + 1], fg + fs if len(f) == 2 else None):
            if x:
                owners.setdefault(x, set()).add(j)

    def alone(x, j):
        return not strict or owners.get(x, set()) <= {j}
    q = []
    for k, (ref, stored, h) in enumerate(cases):
        part = tag if f3 else "F1" if zlib.crc32(ref.encode()) % 2 == 0 else "F2"
        if not h:  # a non-Korean name: one token, or two in order
            if k >= len(people):
                toks = stored.split()
                uniq = [t for t in toks if tok_count[t] == 1]
                if uniq:
                    q.append((part, ref, stored, R.choice(uniq), "token"))
                if len(toks) == 3 and sum(1 for n in nonko if n.split()[0] == toks[0] and n.split()[2] == toks[2]) == 1:
                    q.append((part, ref, stored, toks[0] + " " + toks[2], "tokens"))
                q.append((part, ref, stored, stored.lower(), "nonkorean"))
            continue
        if k >= 800:
            continue
        sur, giv = split_name(h)
        kinds = ["rr", "mr", "mr-plain", "nk", "personal", "personal", "western", "typo", "typo", "cyrillic",
                 "hanja", "fullwidth", "case", "given", "partial", "partial-latin"]
        if stored != h:
            kinds.append("hangul-south")
        for kind in R.sample(kinds, 6) + (["hangul-south"] if stored != h else []):
            if kind == "rr":
                s = rr_name(h, R.random() < 0.7)
            elif kind == "mr":
                s = mr_name(h)
            elif kind == "mr-plain":
                s = mr_name(h, False)
            elif kind == "nk":
                s = nk_name(h)
            elif kind == "personal":
                a, b = personal_name(h, spell)
                s = a + " " + b
            elif kind == "western":
                a, b = personal_name(h, spell)
                s = b + " " + a
            elif kind == "typo":
                a, b = personal_name(h, spell)
                s, op = typo(a + " " + b)
                kind = "typo-" + op
            elif kind == "cyrillic":
                s = cyr_name(h)
            elif kind == "hanja":
                hs = SUR_HANJA.get(sur)
                gs = [hanja.get(c) for c in giv]
                s = hs + "".join(chr(x) for x in gs) if hs and all(gs) else None
            elif kind == "fullwidth":
                s = fullwidth(R.choice([rr_name(h), nk_name(h)]))
            elif kind == "case":
                s = ref
            elif kind == "given":
                if giv_count[split_name(fold(h))[1]] != 1 or len(giv) < 2 or not alone(split_name(fold(h))[1], k):
                    s = None
                else:
                    s = R.choice([giv, personal_name(h, spell)[1], nk_name(h).split(" ", 1)[1]])
            elif kind == "partial":
                s = sur + giv[0] if pre_count[fold(h)[:len(sur) + 1]] == 1 and len(giv) >= 2 and alone(fold(h)[:len(sur) + 1], k) else None
            elif kind == "partial-latin":
                s = None
                if pre_count[fold(h)[:len(sur) + 1]] == 1 and len(giv) >= 2 and alone(fold(h)[:len(sur) + 1], k):
                    a, _ = personal_name(h, spell)
                    s = a + " " + personal_syl(giv[0]).capitalize()
            elif kind == "hangul-south":
                s = h
            if s and not any(x[1] == ref and x[3] == s for x in q[-8:]):
                q.append((part, ref, stored, s, kind))
    name = "data/names/fresh_search_%s.csv" % tag.lower() if f3 else "data/names/fresh_search.csv"
    with open(name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["part", "ref", "stored", "query", "kind"])
        for ref, stored, h in cases:
            w.writerow(["vault", ref, stored, "", ""])
        w.writerows(q)


if len(sys.argv) > 1 and sys.argv[1] == "--f3":
    R.seed(3013)
    main(f3=True)
elif len(sys.argv) > 1 and sys.argv[1] == "--f4":
    R.seed(4014)
    main(f3=True, tag="F4")
elif len(sys.argv) > 1 and sys.argv[1] == "--f5":
    R.seed(5015)
    main(f3=True, tag="F5", strict=True)
elif len(sys.argv) > 1 and sys.argv[1] == "--f6":
    R.seed(6016)
    main(f3=True, tag="F6", strict=True)
elif len(sys.argv) > 1 and sys.argv[1] in ("--f7", "--f8", "--f9", "--f10", "--f11", "--f12",
                                                   "--f13", "--f14"):
    n = int(sys.argv[1][3:])
    R.seed(n * 1000 + 10 + n)
    main(f3=True, tag="F%d" % n, strict=True)
else:
    main()
