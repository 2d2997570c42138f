#!/usr/bin/env python3
"""A second held-out part of the labelled set (issue 13), written after the
spelling model was built and measured once: it has never been used to tune
the engine. Same format and sources as people.py (public figures' names as
published: the English Wikipedia article's title or lead, the RR / MR lines of
its infobox, the press); none of these people is in people.py. It adds the
personal spellings people actually use ("Lyuh Woon-hyung", "Park Jie-won",
"Seo Taiji", "Pak Kyongni", "Choi Kyu-hah"), compound surnames (Namgung,
Jegal, Dokgo, Hwangbo, Seonu, Eulji) and North Korean officials.

Run from the repository root:  python3 data/names/people2.py
"""
import csv

W, I, P, K, B = "wikipedia", "infobox", "press", "kcna", "book"

PEOPLE = [
    ("koobm", "구본무", [("Koo Bon-moo", "common", W), ("Gu Bon-mu", "rr", I), ("Ku Pon-mu", "mr", I)]),
    ("leesd", "이세돌", [("Lee Sedol", "common", W), ("Lee Se-dol", "common", P), ("I Se-dol", "rr", I), ("Yi Se-tol", "mr", I)]),
    ("kimyh", "김영하", [("Kim Young-ha", "common", W), ("Gim Yeong-ha", "rr", I), ("Kim Yŏng-ha", "mr", I)]),
    ("parkws", "박완서", [("Park Wan-suh", "common", W), ("Bak Wan-seo", "rr", I), ("Pak Wan-sŏ", "mr", I)]),
    ("kimky", "김기영", [("Kim Ki-young", "common", W), ("Gim Gi-yeong", "rr", I), ("Kim Ki-yŏng", "mr", I)]),
    ("imkt", "임권택", [("Im Kwon-taek", "common", W), ("Im Gwon-taek", "rr", I), ("Im Kwŏn-t'aek", "mr", I)]),
    ("hongss", "홍상수", [("Hong Sang-soo", "common", W), ("Hong Sang-su", "rr", I)]),
    ("parkjw", "박지원", [("Park Jie-won", "common", W), ("Bak Ji-won", "rr", I), ("Pak Chi-wŏn", "mr", I)]),
    ("yeouh", "여운형", [("Lyuh Woon-hyung", "common", W), ("Yeo Un-hyeong", "rr", I), ("Yŏ Un-hyŏng", "mr", I)]),
    ("changm", "장면", [("Chang Myon", "mr-plain", W), ("Jang Myeon", "rr", I), ("Chang Myŏn", "mr", I)]),
    ("hwangws", "황우석", [("Hwang Woo-suk", "common", W), ("Hwang U-seok", "rr", I), ("Hwang U-sŏk", "mr", I)]),
    ("seotj", "서태지", [("Seo Taiji", "common", W), ("Seo Tae-ji", "rr", I), ("Sŏ T'ae-ji", "mr", I)]),
    ("kangsy", "강수연", [("Kang Soo-yeon", "common", W), ("Gang Su-yeon", "rr", I), ("Kang Su-yŏn", "mr", I)]),
    ("jeondy", "전도연", [("Jeon Do-yeon", "rr", W), ("Chŏn To-yŏn", "mr", I)]),
    ("choims", "최민식", [("Choi Min-sik", "common", W), ("Choe Min-sik", "rr", I), ("Ch'oe Min-sik", "mr", I)]),
    ("hansk", "한석규", [("Han Suk-kyu", "common", W), ("Han Seok-gyu", "rr", I), ("Han Sŏk-kyu", "mr", I)]),
    ("ahnsk", "안성기", [("Ahn Sung-ki", "common", W), ("An Seong-gi", "rr", I), ("An Sŏng-gi", "mr", I)]),
    ("hajw", "하정우", [("Ha Jung-woo", "common", W), ("Ha Jeong-u", "rr", I), ("Ha Chŏng-u", "mr", I)]),
    ("gongyoo", "공유", [("Gong Yoo", "common", W), ("Gong Yu", "rr", I), ("Kong Yu", "mr", I)]),
    ("hyunbin", "현빈", [("Hyun Bin", "common", W), ("Hyeon Bin", "rr", I), ("Hyŏn Pin", "mr", I)]),
    ("jangdg", "장동건", [("Jang Dong-gun", "common", W), ("Jang Dong-geon", "rr", I), ("Chang Tong-gŏn", "mr", I)]),
    ("wonbin", "원빈", [("Won Bin", "common", W), ("Wŏn Pin", "mr", I)]),
    ("parkbg", "박보검", [("Park Bo-gum", "common", W), ("Bak Bo-geom", "rr", I), ("Pak Po-gŏm", "mr", I)]),
    ("kimsh", "김수현", [("Kim Soo-hyun", "common", W), ("Gim Su-hyeon", "rr", I), ("Kim Su-hyŏn", "mr", I)]),
    ("songjk", "송중기", [("Song Joong-ki", "common", W), ("Song Jung-gi", "rr", I), ("Song Chung-gi", "mr", I)]),
    ("kimhs2", "김혜수", [("Kim Hye-soo", "common", W), ("Gim Hye-su", "rr", I)]),
    ("leeya", "이영애", [("Lee Young-ae", "common", W), ("I Yeong-ae", "rr", I), ("Yi Yŏng-ae", "mr", I)]),
    ("nahj", "나홍진", [("Na Hong-jin", "common", W), ("Na Hong-chin", "mr", I)]),
    ("kimjw", "김지운", [("Kim Jee-woon", "common", W), ("Gim Ji-un", "rr", I), ("Kim Chi-un", "mr", I)]),
    ("leeji", "이준익", [("Lee Joon-ik", "common", W), ("I Jun-ik", "rr", I), ("Yi Chun-ik", "mr", I)]),
    ("jeongjy", "정지용", [("Jeong Ji-yong", "rr", W), ("Chŏng Chi-yong", "mr", I)]),
    ("kimsw", "김소월", [("Kim Sowol", "common", W), ("Gim So-wol", "rr", I), ("Kim So-wŏl", "mr", I)]),
    ("leeks", "이광수", [("Yi Kwang-su", "mr-plain", W), ("I Gwang-su", "rr", I), ("Lee Kwang-soo", "common", P)]),
    ("choiih", "최인훈", [("Choi In-hun", "common", W), ("Choe In-hun", "rr", I), ("Ch'oe In-hun", "mr", I)]),
    ("gongjy", "공지영", [("Gong Ji-young", "common", W), ("Gong Ji-yeong", "rr", I), ("Kong Chi-yŏng", "mr", I)]),
    ("kimhoon", "김훈", [("Kim Hoon", "common", W), ("Gim Hun", "rr", I), ("Kim Hun", "mr", I)]),
    ("leemy", "이문열", [("Yi Mun-yol", "mr-plain", W), ("I Mun-yeol", "rr", I), ("Yi Mun-yŏl", "mr", I)]),
    ("parkkr", "박경리", [("Pak Kyongni", "mr-plain", W), ("Bak Gyeong-ri", "rr", I), ("Park Kyung-ni", "common", P)]),
    ("eunhk", "은희경", [("Eun Hee-kyung", "common", W), ("Eun Hui-gyeong", "rr", I), ("Ŭn Hŭi-gyŏng", "mr", I)]),
    ("kimar", "김애란", [("Kim Ae-ran", "common", W), ("Gim Ae-ran", "rr", I)]),
    ("pyunhy", "편혜영", [("Pyun Hye-young", "common", W), ("Pyeon Hye-yeong", "rr", I), ("P'yŏn Hye-yŏng", "mr", I)]),
    ("euljimd", "을지문덕", [("Eulji Mundeok", "rr", W), ("Ŭlchi Mundŏk", "mr", I)]),
    ("namgunge", "남궁억", [("Namgung Eok", "rr", W), ("Namgung Ŏk", "mr", I)]),
    ("jegalsy", "제갈성렬", [("Jegal Sung-yeol", "common", W), ("Jegal Seong-yeol", "rr", I)]),
    ("dokgoyj", "독고영재", [("Dokgo Young-jae", "common", W), ("Dokgo Yeong-jae", "rr", I)]),
    ("hwangbok", "황보관", [("Hwangbo Kwan", "common", W), ("Hwangbo Gwan", "rr", I)]),
    ("sunwooes", "선우은숙", [("Sunwoo Eun-sook", "common", W), ("Seonu Eun-suk", "rr", I)]),
    ("pakuc", "박의춘", [("Pak Ui-chun", "nk", W), ("Pak Ui Chun", "nk", K), ("Bak Ui-chun", "rr", I)]),
    ("choetb", "최태복", [("Choe Thae-bok", "nk", K), ("Choe Tae-bok", "nk", W), ("Ch'oe T'ae-bok", "mr", I)]),
    ("yanghs", "양형섭", [("Yang Hyong-sop", "nk", W), ("Yang Hyong Sop", "nk", K), ("Yang Hyeong-seop", "rr", I)]),
    ("hyonyc", "현영철", [("Hyon Yong-chol", "nk", W), ("Hyon Yong Chol", "nk", K), ("Hyeon Yeong-cheol", "rr", I)]),
]

FIELDS = ["id", "group", "hangul", "spelling", "kind", "source"]


def main():
    rows = []
    for i, (group, hangul, spellings) in enumerate(PEOPLE, 1):
        pid = "Q%03d" % i
        rows.append([pid, group, hangul, hangul, "hangul", "wikipedia"])
        for sp, kind, src in spellings:
            rows.append([pid, group, hangul, sp, kind, src])
    with open("data/names/heldout2.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS)
        w.writerows(rows)
    print("heldout2.csv", len(rows), "spellings,", len(PEOPLE), "people")


main()
