#!/usr/bin/env python3
"""Where the encoded table's estimate departs from the true table's (issue 16).

Reads one population kept by `KITH_BENCH_KEEP=DIR bench/pprl.sh` (DIR/sK: records.csv,
truth.csv, ORG.ids, rows.csv, ORG.kpe) and the candidate pairs of `bench_pprl --pairs`,
and prints, against the truth (a benchmark: the linkage never sees it):
  - the match model's calibration: the posteriors' sum beside the true matches, by band
    of posterior, for pairs of two lists;
  - the true pairs of two lists: linked, missed but a candidate, missed below the floor;
  - tables and estimates: the true table; the true persons cut by the decided persons
    (missed links only); the decided table (missed and false links); each with the true
    table's BIC model and with its own.
Usage: bench/pprl_est.py KITH BENCH_PPRL DIR/sK
       bench/pprl_est.py --bound KITH BENCH_PPRL DIR/sK
--bound prints only the bound: the estimate of a linkage perfect on every pair its blocking
compares (the true pairs among the candidate pairs merged, transitively; nothing else), for the
encoded linkage's candidates (`bench_pprl --pairs`) and for plaintext `kith link`'s compared pairs
(DIR/sK/plain_pairs.csv, `kith link --pairs`), over the true table's BIC estimate: what no linkage
on these blocked pairs can do better than, whatever its model. One line:
  bound N_true B_enc B_enc/true B_plain B_plain/true splits_enc splits_plain records tm_enc tm_plain
(splits: true persons' records left in more than one part; B_* with its own BIC model; tm_*: the
bound's table fitted with the model BIC selects on the true table, over N_true).
"""
import collections
import csv
import glob
import json
import os
import subprocess
import sys


def estimate(kith, table_csv, model=None):
    out = subprocess.run([kith, "estimate", "--json", "--all", "--no-lcm", "--boot", "0", table_csv],
                         capture_output=True, text=True, check=True).stdout
    j = json.loads(out)
    sel = j["selected"]["bic"]
    if model is None:
        return sel["n_hat"], sel["model"]
    for x in j["models"]:
        if x["name"] == model and x["method"] == "hierarchical":
            return x["n_hat"], model
    return float("nan"), model


def write_table(path, orgs, persons):
    c = collections.Counter()
    for lists in persons.values():
        c[tuple(1 if o in lists else 0 for o in orgs)] += 1
    with open(path, "w") as f:
        f.write(",".join(orgs) + ",count\n")
        for pat, n in sorted(c.items()):
            f.write(",".join(map(str, pat)) + ",%d\n" % n)
    return c


class Parts:
    """Union-find over record ids."""

    def __init__(self):
        self.up = {}

    def find(self, a):
        self.up.setdefault(a, a)
        while self.up[a] != a:
            self.up[a] = self.up[self.up[a]]
            a = self.up[a]
        return a

    def join(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.up[a] = b


def bound_table(d, orgs, src, truth, pairs, name):
    """The table of a linkage that merges exactly the true pairs among `pairs` (id, id)."""
    uf = Parts()
    for a, b in pairs:
        if truth[a] == truth[b]:
            uf.join(a, b)
    persons = collections.defaultdict(set)
    parts = collections.defaultdict(set)
    for r, s in src.items():
        c = uf.find(r)
        persons[c].add(s)
        parts[truth[r]].add(c)
    write_table(os.path.join(d, "bound_%s.csv" % name), orgs, persons)
    return os.path.join(d, "bound_%s.csv" % name), sum(len(x) - 1 for x in parts.values())


def load(d):
    """The records' lists, their persons, the lists' names and each list row's record id."""
    src = {}
    with open(os.path.join(d, "records.csv")) as f:
        for r in csv.DictReader(f):
            src[r["id"]] = r["source"]
    truth = {}
    with open(os.path.join(d, "truth.csv")) as f:
        for r in csv.DictReader(f):
            truth[r["record"]] = r["person"]
    orgs = sorted(set(src.values()))
    rid = {}
    for o in orgs:
        with open(os.path.join(d, o + ".ids")) as f:
            for r in csv.DictReader(f):
                rid[(o, int(r["row"]))] = r["id"]
    return src, truth, orgs, rid


def bound(kith, bench, d):
    src, truth, orgs, rid = load(d)
    kpes = [os.path.join(d, o + ".kpe") for o in orgs]
    dump = subprocess.run([bench, "--pairs"] + kpes, capture_output=True, text=True, check=True).stdout
    enc = [(rid[(p["list_a"], int(p["row_a"]))], rid[(p["list_b"], int(p["row_b"]))])
           for p in csv.DictReader(x for x in dump.splitlines() if not x.startswith("#"))]
    with open(os.path.join(d, "plain_pairs.csv")) as f:
        plain = [(p["id1"], p["id2"]) for p in csv.DictReader(f)]
    true_p = collections.defaultdict(set)
    for r, s in src.items():
        true_p[truth[r]].add(s)
    write_table(os.path.join(d, "bound_true.csv"), orgs, true_p)
    nt, mt = estimate(kith, os.path.join(d, "bound_true.csv"))
    te, se = bound_table(d, orgs, src, truth, enc, "enc")
    tp, sp = bound_table(d, orgs, src, truth, plain, "plain")
    ne, _ = estimate(kith, te)
    np_, _ = estimate(kith, tp)
    ne_tm, _ = estimate(kith, te, mt)
    np_tm, _ = estimate(kith, tp, mt)
    print("bound %.0f %.0f %.4f %.0f %.4f %d %d %d %.4f %.4f" % (nt, ne, ne / nt, np_, np_ / nt, se, sp, len(src),
                                                            ne_tm / nt, np_tm / nt))


def main():
    if sys.argv[1] == "--bound":
        return bound(*sys.argv[2:5])
    kith, bench, d = sys.argv[1:4]
    src, truth, orgs, rid = load(d)
    dec = {}
    with open(os.path.join(d, "rows.csv")) as f:
        for r in csv.DictReader(f):
            dec[rid[(r["list"], int(r["row"]))]] = r["person"]
    kpes = [os.path.join(d, o + ".kpe") for o in orgs]
    dump = subprocess.run([bench, "--pairs"] + kpes, capture_output=True, text=True, check=True).stdout
    lines = [x for x in dump.splitlines() if not x.startswith("#")]
    pairs = list(csv.DictReader(lines))
    # calibration of the posteriors, pairs of two lists
    bins = collections.defaultdict(lambda: [0, 0.0, 0])
    visible = set()
    for p in pairs:
        a, b = rid[(p["list_a"], int(p["row_a"]))], rid[(p["list_b"], int(p["row_b"]))]
        if src[a] == src[b]:
            continue
        post = float(p["post"])
        t = truth[a] == truth[b]
        if t:
            visible.add((min(a, b), max(a, b)))
        k = min(int(post * 10), 9)
        bins[k][0] += 1
        bins[k][1] += post
        bins[k][2] += t
    print("calibration (pairs of two lists): posterior band, pairs, sum of posteriors, true matches")
    tp = tt = 0
    for k in sorted(bins):
        n, s, t = bins[k]
        tp += s
        tt += t
        print("  %.1f-%.1f %6d %9.1f %6d" % (k / 10, (k + 1) / 10, n, s, t))
    print("  all       %9.1f %6d  (expected / true %.3f)" % (tp, tt, tp / max(tt, 1)))
    # true pairs of two lists
    by_person = collections.defaultdict(list)
    for r, p in truth.items():
        by_person[p].append(r)
    linked = miss_vis = miss_inv = 0
    per_lp = collections.defaultdict(lambda: [0, 0, 0])
    for recs in by_person.values():
        for i in range(len(recs)):
            for j in range(i + 1, len(recs)):
                a, b = recs[i], recs[j]
                if src[a] == src[b]:
                    continue
                lp = tuple(sorted((src[a], src[b])))
                if dec[a] == dec[b]:
                    linked += 1
                    per_lp[lp][0] += 1
                elif (min(a, b), max(a, b)) in visible:
                    miss_vis += 1
                    per_lp[lp][1] += 1
                else:
                    miss_inv += 1
                    per_lp[lp][2] += 1
    tot = linked + miss_vis + miss_inv
    print("true pairs of two lists %d: linked %d (%.3f), missed among candidates %d (%.3f), "
          "missed below the floor %d (%.3f)" % (tot, linked, linked / tot, miss_vis, miss_vis / tot,
                                                miss_inv, miss_inv / tot))
    for lp, (l, v, i) in sorted(per_lp.items()):
        print("  %s x %s: linked %d, missed candidates %d, below floor %d (missed rate %.3f)" %
              (lp[0], lp[1], l, v, i, (v + i) / max(l + v + i, 1)))
    # false links: decided persons holding records of two true persons
    fl = 0
    dpers = collections.defaultdict(set)
    for r, c in dec.items():
        dpers[c].add(truth[r])
    for ps in dpers.values():
        fl += len(ps) - 1
    print("decided persons %d; true persons seen %d; false joins (extra true persons in a decided one) %d"
          % (len(dpers), len(by_person), fl))
    # tables
    true_p = collections.defaultdict(set)
    cut_p = collections.defaultdict(set)
    dec_p = collections.defaultdict(set)
    for r, s in src.items():
        true_p[truth[r]].add(s)
        cut_p[(truth[r], dec[r])].add(s)
        dec_p[dec[r]].add(s)
    ct = write_table(os.path.join(d, "diag_true.csv"), orgs, true_p)
    cc = write_table(os.path.join(d, "diag_cut.csv"), orgs, cut_p)
    cd = write_table(os.path.join(d, "diag_dec.csv"), orgs, dec_p)
    print("pattern            true    cut(missed only)  decided")
    for pat in sorted(set(ct) | set(cc) | set(cd), key=lambda x: (-sum(x), x)):
        print("  %-16s %6d %8d %8d" % ("".join(map(str, pat)), ct[pat], cc[pat], cd[pat]))
    nt, mt = estimate(kith, os.path.join(d, "diag_true.csv"))
    print("N true (BIC %s) %.0f" % (mt, nt))
    for name in ("cut", "dec"):
        f = os.path.join(d, "diag_%s.csv" % name)
        n1, _ = estimate(kith, f, mt)
        n2, m2 = estimate(kith, f)
        print("N %s: true model %.0f (%.3f), own BIC %s %.0f (%.3f)" % (name, n1, n1 / nt, m2, n2, n2 / nt))
    for extra in sorted(glob.glob(os.path.join(d, "corr*_table.csv"))):
        n1, _ = estimate(kith, extra, mt)
        n2, m2 = estimate(kith, extra)
        print("N %s: true model %.0f (%.3f), own BIC %s %.0f (%.3f)" % (os.path.basename(extra), n1, n1 / nt,
                                                                    m2, n2, n2 / nt))


if __name__ == "__main__":
    main()
