#!/usr/bin/env python3
"""Extracts public_names.csv (the published spellings the fresh held-out sets
of issue 13 are drawn from) from two JSON files of the public repository
m3nfis/java-korean-romanizer (MIT licence), commit c3ec31f (2025-07-22):

  test_strings/korean_names_comprehensive.json, whose parts
    korean_surnames     the English Wikipedia "List of Korean surnames": each
                        surname's RR, MR and other published romanizations
                        (Kahng, Rhee, Paik ...) and its 2015 population
    korean_given_names  the English Wikipedia "List of Korean given names":
                        a given name and its usual spelling (Ga-young)
  original_test_strings/korean_names_1000.json
                        918 full names with the conventional spelling a
                        person would use (Lim Yeon Woo, Pyun Eun Chae)

Only (Hangul, spelling) facts are kept; nothing of the repository's code.
Run once:  python3 data/names/public_extract.py COMPREHENSIVE.json NAMES1000.json
"""
import csv
import json
import sys


def hangul(s):
    return bool(s) and all("\uac00" <= c <= "\ud7a3" for c in s)


def main():
    comp = json.load(open(sys.argv[1], encoding="utf-8"))
    n1000 = json.load(open(sys.argv[2], encoding="utf-8"))
    rows = []
    for x in comp:
        if x["source"] == "korean_surnames" and hangul(x["hangul"]):
            rows.append(("wp-surnames", x["hangul"], x["rr"], "rr", x.get("population") or 0))
            rows.append(("wp-surnames", x["hangul"], x["mr"], "mr", x.get("population") or 0))
            for o in x["other_romanizations"].split(","):
                if o.strip():
                    rows.append(("wp-surnames", x["hangul"], o.strip(), "other", x.get("population") or 0))
        elif x["source"] == "korean_given_names" and hangul(x["hangul"]):
            rows.append(("wp-given", x["hangul"], x["romanized"], "usual", 0))
    for x in n1000:
        rows.append(("m3-names", x["fullNameHangul"], x["fullNameRomanized"],
                     "conventional:" + x["lastNameHangul"] + ":" + x["lastNameRomanized"], 0))
    w = csv.writer(open("data/names/public_names.csv", "w", newline="", encoding="utf-8"), lineterminator="\n")
    w.writerow(["list", "hangul", "spelling", "field", "population"])
    seen = set()
    for r in rows:
        if r[:3] not in seen:
            seen.add(r[:3])
            w.writerow(r)


main()
