#!/usr/bin/env python3
"""
link_bound.py - how well could any linkage do on kith synth data?

An oracle F1 (docs/linkage.md, "What the data allows"). It re-draws a population with the
generative model of src/synth/synth.c (same tables, shares and probabilities; its own random
stream, so the people differ from kith synth's for a seed but are drawn the same way) and gives an
oracle far more than the records carry:

  - every record's true name reading (typos, North forms, romanizations read without error);
    a given name alone is read as that given name; a renamed woman's record as the other name
    (and her old name when the record carries it among the other names);
  - the true attributes of every person (name, sex, birth date, province) and which lists caught
    whom;

but not which record is whom. For each record it computes the exact posterior over the persons
that list caught, from the generative model's own error rates (sex flips, missing fields, a
birth year off by one, ages, a slipped day, a random province, a given name alone, another
name), then the match probability of every pair (sum over persons of the product of the two
posteriors), and reports the best pairwise F1 over all thresholds (chosen with the truth).
No method that sees only the records can know the people's true attributes or who was caught;
so this F1 is a generous ceiling for kith link, not a target it can be expected to reach.

Also printed: the share of true pairs (a, b) for which another person caught by b's list has
the same name reading and is at least as likely to be a's person as b's person is ("a namesake
that no field tells apart").

Usage: bench/link_bound.py PEOPLE [SEED ...] [--patterns] [--caught] [--share=K] [--group=G]   (pure Python)
--patterns runs the pattern oracle instead of the people oracle.
--share=K keeps the records of one name group in K, group G (default 0) by a hash of the true
name (850,000 people with --share=20: the people oracle 4 CPU-minutes, 1.4 GB).
--caught also runs the oracle that knows who each list caught (looser still).
"""
import math
import random
import sys
from collections import defaultdict

SURNAMES = [("김", 21.5), ("이", 14.7), ("박", 8.4), ("최", 4.7), ("정", 4.3), ("강", 2.4), ("조", 2.1),
            ("윤", 2.0), ("장", 2.0), ("임", 1.7), ("한", 1.5), ("오", 1.5), ("서", 1.5), ("신", 1.5),
            ("권", 1.4), ("황", 1.4), ("안", 1.4), ("송", 1.3), ("전", 1.1), ("홍", 1.1), ("유", 1.1),
            ("고", 0.9), ("문", 0.9), ("양", 0.9), ("손", 0.9), ("배", 0.8), ("백", 0.7), ("허", 0.6),
            ("남", 0.5), ("심", 0.5), ("노", 0.4), ("하", 0.4), ("곽", 0.4), ("성", 0.4), ("차", 0.4),
            ("주", 0.4), ("우", 0.4), ("구", 0.4), ("민", 0.3), ("진", 0.3), ("나", 0.3), ("지", 0.3),
            ("엄", 0.3), ("채", 0.3), ("원", 0.3), ("천", 0.2), ("방", 0.2), ("공", 0.2), ("현", 0.2),
            ("함", 0.2), ("변", 0.2), ("염", 0.2), ("여", 0.1), ("추", 0.1), ("도", 0.1), ("석", 0.1),
            ("마", 0.1), ("길", 0.1), ("연", 0.1), ("위", 0.1), ("표", 0.1), ("명", 0.1), ("기", 0.1),
            ("반", 0.1), ("왕", 0.1), ("금", 0.1), ("옥", 0.1), ("육", 0.1), ("인", 0.1), ("탁", 0.1),
            ("남궁", 0.04), ("황보", 0.02), ("제갈", 0.01), ("선우", 0.01)]
F1 = "미 영 순 정 은 혜 경 금 옥 춘 명 선 향 설 연 복 성 진 수 지 현 화 란 예 초 단 봉 송 매 숙 해 효 희 윤 소 유 아 나 보 채 하 서 민 주 인 애 월 덕 분 말 귀 태 신 청 은 향".split()
F2 = "선 순 희 옥 숙 화 향 실 금 영 미 경 정 자 애 련 란 주 진 심 녀 월 님 아 림 빈 연 은 혜 인 윤 서 하 나 리 랑 초 단 비 래 현 분 덕 매 임 희".split()
M1 = "영 철 성 광 명 정 동 국 경 상 진 용 학 문 남 기 창 인 혁 대 충 세 원 만 태 준 현 재 석 호 승 주 일 종 강 춘 봉 덕 수 길 효 명 진 혜 금 복".split()
M2 = "철 호 남 일 수 진 혁 국 민 석 학 성 준 룡 길 범 훈 식 만 복 선 광 웅 건 태 우 현 규 재 경 영 춘 덕 봉 삼 근 환 무 명 혁 산 표".split()
PROV = [50, 25, 8, 3, 3, 3, 2, 2, 2, 2]
# shelter, police, church, resettlement: b_date, b_year, b_age, off_by_one, origin_missing, typo,
# sex_missing, base, other_name, given_only, renamed (synth.c, profiles[] and add_record)
PROF = [
    dict(d=.30, y=.55, a=0.0, off=.08, om=.15, typo=.04, sm=.02, base=.30, oth=.15, go=.01, ren=.01),
    dict(d=0.0, y=.45, a=.35, off=.15, om=.40, typo=.12, sm=.05, base=.18, oth=.10, go=.04, ren=.04),
    dict(d=0.0, y=.60, a=.20, off=.12, om=.20, typo=.08, sm=.03, base=.22, oth=.20, go=.05, ren=.06),
    dict(d=.85, y=.10, a=0.0, off=.03, om=.05, typo=.02, sm=.01, base=.35, oth=.25, go=.01, ren=.02),
]
ORDER = [0, 2, 1, 3]
# posteriors below this are dropped (a pair's probability is then low by at most 2 x PRUNE)
PRUNE = 0.02
# --share=K: keep one name group in K (large populations, to save time)
SHARE = int(next((a.split('=')[1] for a in sys.argv if a.startswith('--share=')), '1'))
# --group=G: which name group (0 to K - 1) --share keeps (default 0)
GROUP = int(next((a.split('=')[1] for a in sys.argv if a.startswith('--group=')), '0'))
SINKHORN = int(next((a.split('=')[1] for a in sys.argv if a.startswith('--sinkhorn=')), '5'))


def pick(r, w, tot):
    x = r.random() * tot
    for i, v in enumerate(w):
        if x < v:
            return i
        x -= v
    return len(w) - 1


def draw(n, seed):
    r = random.Random(seed)
    sw = [s for _, s in SURNAMES]
    stot, ptot = sum(sw), sum(PROV)
    people = []
    for _ in range(n):
        s = pick(r, sw, stot)
        fem = r.random() < 0.8
        g1 = r.randrange(len(F1) if fem else len(M1))
        g2 = r.randrange(len(F2) if fem else len(M2))
        given = (F1[g1], F2[g2]) if fem else (M1[g1], M2[g2])
        y = min(2006, max(1940, round(1981 + 10 * r.gauss(0, 1))))
        people.append(dict(name=(SURNAMES[s][0],) + given, given=given, fem=fem, prov=pick(r, PROV, ptot),
                           year=y, month=r.randint(1, 12), day=r.randint(1, 28), z=r.gauss(0, 1)))
    recs = []
    for pi, p in enumerate(people):
        on = [False] * 4
        for l in ORDER:
            pf = PROF[l]
            x = math.log(pf["base"] / (1 - pf["base"])) + p["z"]
            if l == 3 and on[0]:
                x += 1.0
            if l == 1 and on[2]:
                x -= 0.7
            if r.random() >= 1 / (1 + math.exp(-x)):
                continue
            on[l] = True
            recs.append(record(r, p, pi, l))
            if r.random() < 0.03:
                recs.append(record(r, p, pi, l))
    return people, recs


def other_name_draw(r):
    return (SURNAMES[r.randrange(12)][0], F1[r.randrange(len(F1))], F2[r.randrange(len(F2))])


def record(r, p, pi, l):
    pf = PROF[l]
    ry = r.randint(min(2024, max(p["year"] + 14, 2005)), 2024)
    hu = r.random()
    given_only = hu < pf["go"]
    renamed = not given_only and p["fem"] and hu < pf["go"] + pf["ren"]
    keep_old = renamed and r.random() < 0.6
    other = r.random() < pf["oth"]
    rec = dict(person=pi, list=l, names=[], given=None)
    if given_only:
        rec["given"] = p["given"]
    elif renamed:
        rec["names"].append(other_name_draw(r))
    else:
        rec["names"].append(p["name"])
    if other or keep_old:
        rec["names"].append(p["name"])
    rec["sex"] = None if r.random() < pf["sm"] else (p["fem"] != (r.random() < 0.005))
    u = r.random()
    year = p["year"]
    if r.random() < pf["off"]:
        year += 1 if r.random() < 0.5 else -1
    rec["kind"] = None
    if u < pf["d"]:
        day = p["day"]
        if r.random() < pf["typo"] / 2:
            d = day + (1 if r.random() < 0.5 else -1)
            day = 2 if d < 1 else 27 if d > 28 else d
        rec.update(kind="date", year=year, month=p["month"], day=day)
    elif u < pf["d"] + pf["y"]:
        rec.update(kind="year", year=year)
    elif u < pf["d"] + pf["y"] + pf["a"]:
        age = ry - p["year"] - (1 if r.random() < 0.5 else 0)
        if r.random() < pf["off"]:
            age += 1 if r.random() < 0.5 else -1
        rec.update(kind="age", age=min(120, max(0, age)), ry=ry)
    rec["prov"] = None
    if r.random() >= pf["om"]:
        rec["prov"] = r.randrange(10) if r.random() < 0.03 else p["prov"]
    return rec


def candidates(rec, name, by_name, by_year):
    """The persons of that name whose birth year the record's birth allows (all without one):
    attr_lik is 0 for the others, so this only saves time."""
    k = rec["kind"]
    if k in ("date", "year"):
        years = range(rec["year"] - 1, rec["year"] + 2)
    elif k == "age":
        years = range(rec["ry"] - rec["age"] - 2, rec["ry"] - rec["age"] + 2)
    else:
        return by_name.get(name, ())
    out = []
    for y in years:
        out.extend(by_year.get((name, y), ()))
    return out


def hash_name(name):
    h = 2166136261
    for ch in "".join(name):
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h


def p_delta(d, off):
    return 1 - off if d == 0 else off / 2 if abs(d) == 1 else 0.0


def attr_lik(rec, p):
    """P(the record's sex, birth and origin | person p), synth's error model."""
    pf = PROF[rec["list"]]
    L = 1.0
    if rec["sex"] is not None:
        L *= 0.995 if rec["sex"] == p["fem"] else 0.005
    k = rec["kind"]
    if k == "date" or k == "year":
        L *= p_delta(rec["year"] - p["year"], pf["off"])
        if k == "date":
            if rec["month"] != p["month"]:
                return 0.0
            dd = rec["day"] - p["day"]
            L *= 1 - pf["typo"] / 2 if dd == 0 else pf["typo"] / 4 if abs(dd) <= 2 else 0.0
    elif k == "age":
        base = rec["ry"] - p["year"]
        s = 0.0
        for b in (0, 1):
            s += 0.5 * p_delta(rec["age"] - (base - b), pf["off"])
        L *= s
    if L == 0.0:
        return 0.0
    if rec["prov"] is not None:
        L *= 0.97 * (rec["prov"] == p["prov"]) + 0.003
    return L


def bound(n, seed, knows_capture):
    people, recs = draw(n, seed)
    if SHARE > 1:
        # only the records of people whose true name falls in one name group of SHARE (by a hash of
        # the name): people of different names never compete, so F1 over those groups estimates
        # F1 over all (a renamed woman or a given name alone may meet a name outside: left out)
        keep = lambda p: hash_name(p["name"]) % SHARE == GROUP
        recs = [r for r in recs if keep(people[r["person"]])]
    on_list = [defaultdict(list) for _ in range(4)]  # name -> persons caught by the list
    on_year = [defaultdict(list) for _ in range(4)]  # (name, birth year) -> the same
    by_given = [defaultdict(list) for _ in range(4)]
    by_md = [defaultdict(list) for _ in range(4)]  # (month, day) -> women caught
    caught = [set() for _ in range(4)]
    for rec in recs:
        caught[rec["list"]].add(rec["person"])
    everyone = set(range(len(people)))
    for l in range(4):
        for pi in (caught[l] if knows_capture else everyone):
            p = people[pi]
            on_list[l][p["name"]].append(pi)
            on_year[l][(p["name"], p["year"])].append(pi)
            by_given[l][p["given"]].append(pi)
            if p["fem"]:
                by_md[l][(p["month"], p["day"])].append(pi)
    p_f1 = defaultdict(int)
    for a in F1:
        p_f1[a] += 1
    p_f2 = defaultdict(int)
    for a in F2:
        p_f2[a] += 1
    post = []
    for rec in recs:
        l = rec["list"]
        pf = PROF[l]
        w_norm = 1 - pf["go"] - pf["ren"] * 0.8
        cand = defaultdict(float)
        if rec["given"] is not None:
            full = rec["names"][0] if rec["names"] else None
            for pi in by_given[l][rec["given"]]:
                if full is None or people[pi]["name"] == full:
                    cand[pi] += pf["go"] * attr_lik(rec, people[pi])
        else:
            main = rec["names"][0]
            pdraw = (1 / 12) * (p_f1[main[1]] / len(F1)) * (p_f2[main[2]] / len(F2)) \
                if main[0] in [s for s, _ in SURNAMES[:12]] else 0.0
            if len(rec["names"]) > 1 and rec["names"][1] != main:
                for pi in on_list[l][rec["names"][1]]:  # renamed, the old name kept
                    if people[pi]["fem"]:
                        cand[pi] += pf["ren"] * pdraw * attr_lik(rec, people[pi])
            else:
                for pi in candidates(rec, main, on_list[l], on_year[l]):
                    cand[pi] += w_norm * attr_lik(rec, people[pi])
                # renamed without the old name: only a full date can find her
                ren_w = pf["ren"] * 0.4 * (1 - pf["oth"]) * pdraw
                if rec["kind"] == "date" and ren_w > 0:
                    for dd in (-2, -1, 0, 1, 2):
                        for pi in by_md[l].get((rec["month"], rec["day"] + dd), ()):
                            if people[pi]["name"] != main:
                                cand[pi] += ren_w * attr_lik(rec, people[pi])
                # the rest of the renamed women: mass on nobody in particular
                nullm = ren_w * (len(caught[l]) if knows_capture else len(people)) * 0.8 * marginal(rec)
                cand[-1] += nullm
        tot = sum(cand.values())
        post.append({pi: v / tot for pi, v in cand.items() if pi >= 0 and v / tot > PRUNE} if tot > 0 else {})
    # a list seldom records one person twice: scale down, list by list, the mass that a person
    # receives from more than one record of a list, then normalize each record again (Sinkhorn
    # steps; the mass a record put on nobody stays). This makes the oracle stronger still.
    for _ in range(SINKHORN):
        col = defaultdict(float)
        for i, ps in enumerate(post):
            l = recs[i]["list"]
            for pi, v in ps.items():
                col[(l, pi)] += v
        for i, ps in enumerate(post):
            if not ps:
                continue
            l = recs[i]["list"]
            before = sum(ps.values())
            for pi in ps:
                c = col[(l, pi)]
                if c > 1.0:
                    ps[pi] /= c
            after = sum(ps.values())
            if after > 0:
                for pi in ps:
                    ps[pi] *= before / after
    # pair probabilities: records that put mass on one person
    by_person = defaultdict(list)
    for i, ps in enumerate(post):
        for pi, v in ps.items():
            by_person[pi].append((i, v))
    pairs = defaultdict(float)
    for pi, lst in by_person.items():
        for x in range(len(lst)):
            i, vi = lst[x]
            for y in range(x + 1, len(lst)):
                j, vj = lst[y]
                k = (i, j) if i < j else (j, i)
                pairs[k] += vi * vj
    count = defaultdict(int)
    for rec in recs:
        count[rec["person"]] += 1
    true_pairs = sum(c * (c - 1) // 2 for c in count.values())
    scored = sorted(((v, recs[i]["person"] == recs[j]["person"]) for (i, j), v in pairs.items()), reverse=True)
    best = (0, 0, 0, 0)
    tp = links = 0
    for v, ok in scored:
        links += 1
        tp += ok
        pr, rc = tp / links, tp / true_pairs
        f = 2 * pr * rc / (pr + rc) if tp else 0
        if f > best[0]:
            best = (f, pr, rc, v)
    # a namesake no field tells apart: for a true pair (a, b) another person caught by b's list
    # whom a's posterior rates at least as high as b's person
    amb = 0
    for pi, lst in by_person.items():
        pass
    byp = defaultdict(list)
    for i, rec in enumerate(recs):
        byp[rec["person"]].append(i)
    for pi, idx in byp.items():
        for x in idx:
            for y in idx:
                if x == y:
                    continue
                pa = post[x]
                own = pa.get(pi, 0.0)
                lb = recs[y]["list"]
                if any(q != pi and v >= own and (q in caught[lb] or not knows_capture) for q, v in pa.items()):
                    amb += 1
    n_true_ordered = sum(c * (c - 1) for c in count.values())
    return dict(people=n, records=len(recs), true_pairs=true_pairs, f1=best[0], p=best[1], r=best[2],
                t=best[3], amb=amb / n_true_ordered if n_true_ordered else 0)


def marginal(rec):
    """P(the record's sex, birth, origin) for a random woman: the scale of the null mass."""
    L = 1.0
    if rec["sex"] is not None:
        L *= 0.995 if rec["sex"] else 0.005
    k = rec["kind"]
    if k in ("date", "year", "age"):
        y = rec["year"] if k != "age" else rec["ry"] - rec["age"]
        L *= math.exp(-0.5 * ((y - 1981) / 10) ** 2) / (10 * math.sqrt(2 * math.pi))
        if k == "date":
            L /= 12 * 28
    if rec["prov"] is not None:
        L *= 0.97 * PROV[rec["prov"]] / 100 + 0.003
    return L


if __name__ == "__main__" and "--patterns" not in sys.argv:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0])
    for s in (args[1:] or ["1"]):
      for kc in ((1, 0) if "--caught" in sys.argv else (0,)):
        b = bound(n, int(s), kc)
        print("%s people %d seed %s: %d records, %d true pairs; oracle F1 %.4f (precision %.4f recall %.4f at "
              "p >= %.3f); true pairs with a namesake no field tells apart %.1f %%"
              % ("knows who was caught:" if kc else "knows the people only:", n, s, b["records"], b["true_pairs"], b["f1"], b["p"], b["r"], b["t"], 100 * b["amb"]))
        sys.stdout.flush()


def compatible(a, b):
    """No field of a contradicts b beyond synth's usual errors (sex, birth within its slack, origin)."""
    if a["sex"] is not None and b["sex"] is not None and a["sex"] != b["sex"]:
        return False
    if a["prov"] is not None and b["prov"] is not None and a["prov"] != b["prov"]:
        return False
    ya, yb = birth_mid(a), birth_mid(b)
    if ya is not None and yb is not None and abs(ya - yb) > 2:
        return False
    if a["kind"] == "date" and b["kind"] == "date" and a["month"] != b["month"]:
        return False
    return True


def birth_mid(r):
    if r["kind"] in ("date", "year"):
        return r["year"]
    if r["kind"] == "age":
        return r["ry"] - r["age"]
    return None


def pair_pattern(a, b, freq, rivals):
    lists = (min(a["list"], b["list"]), max(a["list"], b["list"]))
    sex = "m" if a["sex"] is None or b["sex"] is None else "s" if a["sex"] == b["sex"] else "d"
    org = "m" if a["prov"] is None or b["prov"] is None else "s" if a["prov"] == b["prov"] else "d"
    ya, yb = birth_mid(a), birth_mid(b)
    if ya is None or yb is None:
        birth = ("m", a["kind"] is None, b["kind"] is None)
    else:
        d = min(abs(ya - yb), 4)
        md = a["kind"] == "date" and b["kind"] == "date" and (a["month"], a["day"]) == (b["month"], b["day"])
        birth = (d, md, a["kind"] == "date" and b["kind"] == "date", a["kind"] == "age" or b["kind"] == "age")
    return (lists, sex, org, birth, freq, rivals)


def pattern_oracle(n, seed):
    """The best pairwise F1 of decisions taken per comparison pattern with the truth, on the true
    name readings: every pair of records sharing a reading; the pattern holds the two lists, sex,
    origin, the birth (years apart, same day and month), how many people carry the name (log2
    bucket) and how many other records of each one's list with that reading fit the other record
    (rivals, up to 3)."""
    people, recs = draw(n, seed)
    if SHARE > 1:  # one name group in SHARE, as bound() does
        recs = [r for r in recs if hash_name(people[r["person"]]["name"]) % SHARE == GROUP]
    sh = {s: v / 100 for s, v in SURNAMES}
    tot_sh = sum(sh.values())
    fem_n = defaultdict(int)
    for p in people:
        fem_n[p["name"]] += 1
    by_read = defaultdict(list)
    for i, r in enumerate(recs):
        keys = set(r["names"])
        if r["given"] is not None:
            keys.add(("*",) + r["given"])
        for k in keys:
            by_read[k].append(i)
    # given name alone meets every full name with that given name
    by_given = defaultdict(list)
    for k, idx in by_read.items():
        if k[0] != "*":
            by_given[k[1:]].append(k)
    seen = set()
    cells = defaultdict(lambda: [0, 0])
    for k, idx in by_read.items():
        groups = [idx]
        if k[0] == "*":
            groups = [idx + by_read[fk] for fk in by_given[k[1:]]] or [idx]
        for g in groups:
            g = sorted(set(g))
            nk = max(1, len(g))
            f = int(math.log2(nk))
            for x in range(len(g)):
                a = recs[g[x]]
                for y in range(x + 1, len(g)):
                    pair = (g[x], g[y])
                    if pair in seen:
                        continue
                    seen.add(pair)
                    b = recs[g[y]]
                    ra = min(3, sum(1 for z in g if z != g[y] and z != g[x] and recs[z]["list"] == b["list"]
                                    and compatible(a, recs[z])))
                    rb = min(3, sum(1 for z in g if z != g[x] and z != g[y] and recs[z]["list"] == a["list"]
                                    and compatible(b, recs[z])))
                    c = cells[pair_pattern(a, b, f, (min(ra, rb), max(ra, rb)))]
                    c[0] += 1
                    c[1] += a["person"] == b["person"]
    count = defaultdict(int)
    for r in recs:
        count[r["person"]] += 1
    true_pairs = sum(c * (c - 1) // 2 for c in count.values())
    best, tp, links = (0, 0, 0), 0, 0
    for tot, good in sorted(cells.values(), key=lambda c: -c[1] / c[0]):
        tp += good
        links += tot
        pr, rc = tp / links, tp / true_pairs
        f = 2 * pr * rc / (pr + rc) if tp else 0
        if f > best[0]:
            best = (f, pr, rc)
    return best, len(cells), true_pairs, len(recs)


if __name__ == "__main__" and "--patterns" in sys.argv:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    for s in args[1:]:
        (f, p, r), nc, tpairs, nrec = pattern_oracle(int(args[0]), int(s))
        print("pattern oracle, people %s seed %s: %d records, %d true pairs, %d patterns: F1 %.4f (precision %.4f "
              "recall %.4f)" % (args[0], s, nrec, tpairs, nc, f, p, r))
