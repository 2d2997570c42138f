#!/usr/bin/env python3
"""The labelled set of the names engine: public figures' names as published.

Run from the repository root to regenerate tuning.csv and heldout.csv:
    python3 data/names/people.py
Each person: Hangul (South form), then (spelling, kind, source) triples.
Kinds: hangul, hangul-north, rr, mr, mr-plain, nk, common, western.
Sources (where the spelling is published): wikipedia (the English article's
title or lead), infobox (the RR / MR lines of the article's infobox), press
(newspapers and agencies), kcna (North Korean state media), book (an author's
own spelling on a book), passport (the name as on a passport or an official
roster). A group joins near-miss people (different people, similar names) so
that the split keeps them together.
"""
import csv
import zlib

W, I, P, K, B = "wikipedia", "infobox", "press", "kcna", "book"

PEOPLE = [
    # group, hangul, spellings
    ("kimjong", "김일성", [("Kim Il-sung", "common", W), ("Kim Il Sung", "nk", K), ("Kim Il-sŏng", "mr", I), ("Gim Il-seong", "rr", I)]),
    ("kimjong", "김정일", [("Kim Jong-il", "common", W), ("Kim Jong Il", "nk", K), ("Kim Chŏng-il", "mr", I), ("Gim Jeong-il", "rr", I)]),
    ("kimjong", "김정은", [("Kim Jong-un", "common", W), ("Kim Jong Un", "nk", K), ("Kim Chŏng-ŭn", "mr", I), ("Gim Jeong-eun", "rr", I), ("Kim Jong-eun", "common", P)]),
    ("kimjong", "김정남", [("Kim Jong-nam", "common", W), ("Kim Jong Nam", "nk", K), ("Kim Chŏng-nam", "mr", I), ("Gim Jeong-nam", "rr", I)]),
    ("kimjong", "김정철", [("Kim Jong-chol", "common", W), ("Kim Jong Chol", "nk", P), ("Gim Jeong-cheol", "rr", I), ("Kim Jong-chul", "common", P)]),
    ("kimjong", "김정숙", [("Kim Jong-suk", "common", W), ("Kim Jong Suk", "nk", K), ("Kim Chŏng-suk", "mr", I), ("Gim Jeong-suk", "rr", I)]),
    ("kimyo", "김여정", [("Kim Yo-jong", "common", W), ("Kim Yo Jong", "nk", K), ("Kim Yeo-jeong", "rr", I), ("Kim Yŏ-jŏng", "mr", I)]),
    ("kimyo", "김여진", [("Kim Yeo-jin", "rr", W), ("Kim Yŏ-jin", "mr", I), ("Gim Yeo-jin", "rr", I)]),
    ("risolju", "이설주", [("리설주", "hangul-north", K), ("Ri Sol-ju", "nk", W), ("Ri Sol Ju", "nk", K), ("Lee Seol-ju", "common", P), ("Yi Sŏl-chu", "mr", I)]),
    ("kimkh", "김경희", [("Kim Kyong-hui", "nk", W), ("Kim Kyong Hui", "nk", K), ("Kim Kyung-hee", "common", P), ("Kim Kyŏng-hŭi", "mr", I)]),
    ("jangst", "장성택", [("Jang Song-thaek", "nk", W), ("Jang Song Thaek", "nk", K), ("Chang Song-taek", "common", P), ("Jang Seong-taek", "rr", I), ("Chang Sŏng-t'aek", "mr", I)]),
    ("choerh", "최룡해", [("최용해", "hangul", P), ("Choe Ryong-hae", "nk", W), ("Choe Ryong Hae", "nk", K), ("Choi Ryong-hae", "common", P), ("Ch'oe Ryong-hae", "mr", I)]),
    ("kimyn", "김영남", [("Kim Yong-nam", "nk", W), ("Kim Yong Nam", "nk", K), ("Kim Yeong-nam", "rr", I), ("Kim Yŏng-nam", "mr", I)]),
    ("kimyn", "김영삼", [("Kim Young-sam", "common", W), ("Kim Yŏng-sam", "mr", I), ("Gim Yeong-sam", "rr", I), ("Kim Yong-sam", "mr-plain", P)]),
    ("kimyn", "김영철", [("Kim Yong-chol", "nk", W), ("Kim Yong Chol", "nk", K), ("Kim Young-chul", "common", P), ("Kim Yeong-cheol", "rr", I)]),
    ("pakbj", "박봉주", [("Pak Pong-ju", "nk", W), ("Pak Pong Ju", "nk", K), ("Park Bong-ju", "common", P), ("Bak Bong-ju", "rr", I)]),
    ("riyh", "이용호", [("리용호", "hangul-north", K), ("Ri Yong-ho", "nk", W), ("Ri Yong Ho", "nk", K), ("Lee Yong-ho", "common", P)]),
    ("choesh", "최선희", [("Choe Son-hui", "nk", W), ("Choe Son Hui", "nk", K), ("Choi Sun-hee", "common", P), ("Choe Seon-hui", "rr", I)]),
    ("hyonsw", "현송월", [("Hyon Song-wol", "nk", W), ("Hyon Song Wol", "nk", K), ("Hyun Song-wol", "common", P), ("Hyeon Song-wol", "rr", I)]),
    ("risy", "이수용", [("리수용", "hangul-north", K), ("Ri Su-yong", "nk", W), ("Ri Su Yong", "nk", K), ("Lee Su-yong", "common", P)]),
    ("kangsj", "강석주", [("Kang Sok-ju", "nk", W), ("Kang Sok Ju", "nk", K), ("Kang Seok-ju", "rr", I)]),
    ("kimkg", "김계관", [("Kim Kye-gwan", "nk", W), ("Kim Kye Gwan", "nk", K), ("Kim Gye-gwan", "rr", I), ("Kim Kye-kwan", "common", P)]),
    ("risg", "이선권", [("리선권", "hangul-north", K), ("Ri Son-gwon", "nk", W), ("Ri Son Gwon", "nk", K), ("Lee Seon-kwon", "common", P), ("Ri Sŏn-gwŏn", "mr", I)]),
    ("kimkn", "김기남", [("Kim Ki-nam", "nk", W), ("Kim Ki Nam", "nk", K), ("Kim Gi-nam", "rr", I)]),
    ("kimkn", "김기덕", [("Kim Ki-duk", "common", W), ("Kim Ki-dŏk", "mr", I), ("Gim Gi-deok", "rr", I)]),
    ("hwangps", "황병서", [("Hwang Pyong-so", "nk", W), ("Hwang Pyong So", "nk", K), ("Hwang Byung-seo", "common", P), ("Hwang Byeong-seo", "rr", I)]),
    ("jomr", "조명록", [("Jo Myong-rok", "nk", W), ("Jo Myong Rok", "nk", K), ("Cho Myung-rok", "common", P), ("Cho Myŏng-rok", "mr", I)]),
    ("kimhs", "김한솔", [("Kim Han-sol", "common", W), ("Kim Han Sol", "nk", P), ("Gim Han-sol", "rr", I)]),
    ("koyh", "고용희", [("Ko Yong-hui", "nk", W), ("Go Yong-hui", "rr", I), ("Ko Yong-hŭi", "mr", I)]),
    ("songhr", "성혜림", [("Song Hye-rim", "nk", W), ("Sung Hae-rim", "common", P), ("Seong Hye-rim", "rr", I), ("Sŏng Hye-rim", "mr", I)]),
    ("choehyon", "최현", [("Choe Hyon", "nk", W), ("Ch'oe Hyŏn", "mr", I), ("Choi Hyun", "common", P)]),
    ("pakjc", "박정천", [("Pak Jong-chon", "nk", W), ("Pak Jong Chon", "nk", K), ("Park Jung-chun", "common", P), ("Bak Jeong-cheon", "rr", I)]),
    ("pakjc", "박정희", [("Park Chung-hee", "common", W), ("Pak Chŏng-hŭi", "mr", I), ("Bak Jeong-hui", "rr", I), ("Park Jung-hee", "common", P)]),
    ("kimdh", "김덕훈", [("Kim Tok-hun", "nk", W), ("Kim Tok Hun", "nk", K), ("Kim Deok-hun", "rr", I), ("Kim Duk-hoon", "common", P)]),
    ("joyw", "조용원", [("Jo Yong-won", "nk", W), ("Jo Yong Won", "nk", K), ("Cho Yong-won", "common", P)]),
    ("kimja", "김주애", [("Kim Ju-ae", "common", W), ("Kim Ju Ae", "nk", P), ("Gim Ju-ae", "rr", I)]),
    ("ojw", "오진우", [("O Jin-u", "nk", W), ("O Jin U", "nk", K), ("Oh Jin-woo", "common", P), ("O Chin-u", "mr", I)]),
    ("kimchaek", "김책", [("Kim Chaek", "common", W), ("Kim Ch'aek", "mr", I), ("Gim Chaek", "rr", I)]),
    ("hodam", "허담", [("Ho Dam", "nk", W), ("Hŏ Tam", "mr", I), ("Heo Dam", "rr", I), ("Huh Dam", "common", P)]),
    ("yonhm", "연형묵", [("Yon Hyong-muk", "nk", W), ("Yŏn Hyŏng-muk", "mr", I), ("Yeon Hyung-muk", "common", P), ("Yeon Hyeong-muk", "rr", I)]),
    ("kimyg", "김양건", [("Kim Yang-gon", "nk", W), ("Kim Yang Gon", "nk", K), ("Kim Yang-geon", "rr", I), ("Kim Yang-kun", "common", P)]),
    ("thaeyh", "태영호", [("Thae Yong-ho", "nk", W), ("Thae Yong Ho", "nk", K), ("Tae Young-ho", "common", P), ("Tae Yong-ho", "common", P), ("Tae Yeong-ho", "rr", I)]),
    ("parkym", "박연미", [("Park Yeon-mi", "rr", W), ("Yeonmi Park", "western", B), ("Pak Yon-mi", "mr-plain", P), ("Park Yeonmi", "rr", P)]),
    ("leehs", "이현서", [("Lee Hyeon-seo", "rr", W), ("Hyeonseo Lee", "western", B), ("Yi Hyŏn-sŏ", "mr", I), ("Lee Hyun-seo", "common", P)]),
    ("jish", "지성호", [("Ji Seong-ho", "rr", W), ("Ji Sung-ho", "common", P), ("Chi Sŏng-ho", "mr", I)]),
    ("hwangjy", "황장엽", [("Hwang Jang-yop", "nk", W), ("Hwang Jang-yeop", "rr", I), ("Hwang Chang-yŏp", "mr", I), ("Hwang Jang Yop", "nk", P)]),
    ("shindh", "신동혁", [("Shin Dong-hyuk", "common", W), ("Sin Dong-hyeok", "rr", I), ("Shin Dong Hyuk", "common", P), ("Sin Tong-hyŏk", "mr", I)]),
    ("shindh", "신동엽", [("Shin Dong-yup", "common", W), ("Sin Dong-yeop", "rr", I), ("Sin Tong-yŏp", "mr", I)]),
    ("kangch", "강철환", [("Kang Chol-hwan", "nk", W), ("Kang Cheol-hwan", "rr", I), ("Kang Chul-hwan", "common", P)]),
    ("jiha", "지현아", [("Ji Hyun-a", "common", P), ("Ji Hyeon-a", "rr", I), ("Chi Hyŏn-a", "mr", I)]),
    ("kimhh", "김현희", [("Kim Hyon-hui", "nk", W), ("Kim Hyun-hee", "common", P), ("Kim Hyeon-hui", "rr", I), ("Kim Hyŏn-hŭi", "mr", I)]),
    ("ahnmc", "안명철", [("Ahn Myong-chol", "nk", W), ("An Myeong-cheol", "rr", I), ("Ahn Myung-chul", "common", P)]),
    ("joosh", "주성하", [("Joo Sung-ha", "common", P), ("Ju Seong-ha", "rr", I), ("Chu Sŏng-ha", "mr", I)]),
    ("leear", "이애란", [("Lee Ae-ran", "common", P), ("Yi Ae-ran", "mr", I), ("I Ae-ran", "rr", I)]),
    ("jangjs", "장진성", [("Jang Jin-sung", "common", B), ("Jang Jin-seong", "rr", I), ("Chang Chin-sŏng", "mr", I)]),
    ("josg", "조성길", [("Jo Song-gil", "nk", W), ("Jo Song Gil", "nk", P), ("Cho Seong-gil", "rr", I)]),
    ("ryuhw", "류현우", [("유현우", "hangul", P), ("Ryu Hyun-woo", "common", P), ("Ryu Hyon-u", "nk", P), ("Yu Hyeon-u", "rr", I)]),
    ("leess", "이순신", [("Yi Sun-sin", "mr", W), ("Yi Sun-shin", "common", P), ("I Sun-sin", "rr", I), ("Lee Soon-shin", "common", P)]),
    ("leess", "이순실", [("Lee Soon-sil", "common", P), ("Yi Sun-sil", "mr", I), ("I Sun-sil", "rr", I)]),
    ("leesm", "이승만", [("Syngman Rhee", "western", W), ("Rhee Syng-man", "common", P), ("Yi Sŭng-man", "mr", I), ("I Seung-man", "rr", I), ("Lee Seung-man", "common", P)]),
    ("yunbs", "윤보선", [("Yun Po-sun", "common", W), ("Yun Bo-seon", "rr", I), ("Yun Po-sŏn", "mr", I), ("Yoon Bo-sun", "common", P)]),
    ("choikh", "최규하", [("Choi Kyu-hah", "common", W), ("Ch'oe Kyu-ha", "mr", I), ("Choe Gyu-ha", "rr", I), ("Choi Kyu-ha", "common", P)]),
    ("chundh", "전두환", [("Chun Doo-hwan", "common", W), ("Chŏn Tu-hwan", "mr", I), ("Jeon Du-hwan", "rr", I), ("Chun Du-hwan", "common", P)]),
    ("rohtw", "노태우", [("Roh Tae-woo", "common", W), ("No T'ae-u", "mr", I), ("No Tae-u", "rr", I), ("Noh Tae-woo", "common", P)]),
    ("kimdj", "김대중", [("Kim Dae-jung", "common", W), ("Kim Tae-jung", "mr", I), ("Gim Dae-jung", "rr", I), ("Kim Dae Jung", "common", P)]),
    ("rohmh", "노무현", [("Roh Moo-hyun", "common", W), ("No Mu-hyŏn", "mr", I), ("No Mu-hyeon", "rr", I), ("Noh Moo-hyun", "common", P)]),
    ("leemb", "이명박", [("Lee Myung-bak", "common", W), ("Yi Myŏng-bak", "mr", I), ("I Myeong-bak", "rr", I), ("Lee Myeong-bak", "rr", P), ("Ri Myong Bak", "nk", K)]),
    ("parkgh", "박근혜", [("Park Geun-hye", "common", W), ("Pak Kŭn-hye", "mr", I), ("Bak Geun-hye", "rr", I), ("Park Kun-hye", "common", P)]),
    ("moonji", "문재인", [("Moon Jae-in", "common", W), ("Mun Chae-in", "mr", I), ("Mun Jae-in", "rr", I), ("Moon Jae In", "common", P)]),
    ("yoonsy", "윤석열", [("Yoon Suk-yeol", "common", W), ("Yun Sŏk-yŏl", "mr", I), ("Yun Seok-yeol", "rr", I), ("Yoon Seok-youl", "common", P)]),
    ("leejm", "이재명", [("Lee Jae-myung", "common", W), ("Yi Chae-myŏng", "mr", I), ("I Jae-myeong", "rr", I), ("Lee Jae-myeong", "rr", P)]),
    ("leejm", "이재용", [("Lee Jae-yong", "common", W), ("Yi Chae-yong", "mr", I), ("I Jae-yong", "rr", I), ("Jay Y. Lee", "western", P)]),
    ("bankm", "반기문", [("Ban Ki-moon", "common", W), ("Pan Ki-mun", "mr", I), ("Ban Gi-mun", "rr", I)]),
    ("kimjp", "김종필", [("Kim Jong-pil", "common", W), ("Kim Chong-p'il", "mr", I), ("Gim Jong-pil", "rr", I)]),
    ("leehc", "이회창", [("Lee Hoi-chang", "common", W), ("Yi Hoe-ch'ang", "mr", I), ("I Hoe-chang", "rr", I)]),
    ("chungdy", "정동영", [("Chung Dong-young", "common", W), ("Chŏng Tong-yŏng", "mr", I), ("Jeong Dong-yeong", "rr", I)]),
    ("ahncs", "안철수", [("Ahn Cheol-soo", "common", W), ("An Ch'ŏl-su", "mr", I), ("An Cheol-su", "rr", I), ("Ahn Chul-soo", "common", P)]),
    ("handuck", "한덕수", [("Han Duck-soo", "common", W), ("Han Tŏk-su", "mr", I), ("Han Deok-su", "rr", I)]),
    ("leeny", "이낙연", [("Lee Nak-yon", "common", W), ("Yi Nak-yŏn", "mr", I), ("I Nak-yeon", "rr", I), ("Lee Nak-yeon", "rr", P)]),
    ("hwangka", "황교안", [("Hwang Kyo-ahn", "common", W), ("Hwang Kyo-an", "mr", I), ("Hwang Gyo-an", "rr", I)]),
    ("chungsk", "정세균", [("Chung Sye-kyun", "common", W), ("Chŏng Se-gyun", "mr", I), ("Jeong Se-gyun", "rr", I)]),
    ("chokuk", "조국", [("Cho Kuk", "common", W), ("Jo Guk", "rr", I), ("Cho Guk", "common", P)]),
    ("kangkw", "강경화", [("Kang Kyung-wha", "common", W), ("Kang Kyŏng-hwa", "mr", I), ("Gang Gyeong-hwa", "rr", I)]),
    ("choomi", "추미애", [("Choo Mi-ae", "common", W), ("Ch'u Mi-ae", "mr", I), ("Chu Mi-ae", "rr", I)]),
    ("handh", "한동훈", [("Han Dong-hoon", "common", W), ("Han Tong-hun", "mr", I), ("Han Dong-hun", "rr", I)]),
    ("kimkh2", "김건희", [("Kim Keon-hee", "common", W), ("Kim Kŏn-hŭi", "mr", I), ("Gim Geon-hui", "rr", I)]),
    ("chungmj", "정몽준", [("Chung Mong-joon", "common", W), ("Chŏng Mong-jun", "mr", I), ("Jeong Mong-jun", "rr", I)]),
    ("chungjy", "정주영", [("Chung Ju-yung", "common", W), ("Chŏng Chu-yŏng", "mr", I), ("Jeong Ju-yeong", "rr", I)]),
    ("leekh", "이건희", [("Lee Kun-hee", "common", W), ("Yi Kŏn-hŭi", "mr", I), ("I Geon-hui", "rr", I)]),
    ("leebc", "이병철", [("Lee Byung-chul", "common", W), ("Yi Pyŏng-ch'ŏl", "mr", I), ("I Byeong-cheol", "rr", I)]),
    ("leebc", "이병헌", [("Lee Byung-hun", "common", W), ("Yi Pyŏng-hŏn", "mr", I), ("I Byeong-heon", "rr", I)]),
    ("shinkh", "신격호", [("Shin Kyuk-ho", "common", W), ("Sin Kyŏk-ho", "mr", I), ("Sin Gyeok-ho", "rr", I)]),
    ("kookm", "구광모", [("Koo Kwang-mo", "common", W), ("Ku Kwang-mo", "mr", I), ("Gu Gwang-mo", "rr", I)]),
    ("cheytw", "최태원", [("Chey Tae-won", "common", W), ("Ch'oe T'ae-wŏn", "mr", I), ("Choe Tae-won", "rr", I)]),
    ("chunges", "정의선", [("Chung Eui-sun", "common", W), ("Chŏng Ŭi-sŏn", "mr", I), ("Jeong Ui-seon", "rr", I)]),
    ("kimkoo", "김구", [("Kim Koo", "common", W), ("Kim Ku", "mr", I), ("Gim Gu", "rr", I)]),
    ("anjg", "안중근", [("An Jung-geun", "rr", W), ("An Chung-gŭn", "mr", I), ("Ahn Joong-keun", "common", P)]),
    ("yugs", "유관순", [("류관순", "hangul-north", K), ("Yu Gwan-sun", "rr", W), ("Yu Kwan-sun", "mr", I)]),
    ("yundj", "윤동주", [("Yun Dong-ju", "rr", W), ("Yun Tong-ju", "mr", I), ("Yoon Dong-joo", "common", P)]),
    ("jeongyy", "정약용", [("Jeong Yak-yong", "rr", W), ("Chŏng Yak-yong", "mr", I), ("Chong Yak-yong", "mr-plain", P)]),
    ("heojun", "허준", [("Heo Jun", "rr", W), ("Hŏ Chun", "mr", I), ("Huh Joon", "common", P)]),
    ("jangbg", "장보고", [("Jang Bogo", "rr", W), ("Chang Pogo", "mr", I), ("Jang Bo-go", "rr", P)]),
    ("yihwang", "이황", [("Yi Hwang", "mr", W), ("I Hwang", "rr", I), ("Lee Hwang", "common", P)]),
    ("parkjs", "박지성", [("Park Ji-sung", "common", W), ("Pak Chi-sŏng", "mr", I), ("Bak Ji-seong", "rr", I), ("Park Ji-Sung", "common", P)]),
    ("parkjs", "박지선", [("Park Ji-sun", "common", W), ("Pak Chi-sŏn", "mr", I), ("Bak Ji-seon", "rr", I)]),
    ("sonhm", "손흥민", [("Son Heung-min", "common", W), ("Son Hŭng-min", "mr", I), ("Son Heungmin", "common", P), ("Sohn Heung-min", "common", P)]),
    ("kimyuna", "김연아", [("Kim Yuna", "common", W), ("Kim Yu-na", "common", P), ("Gim Yeon-a", "rr", I), ("Kim Yŏn-a", "mr", I)]),
    ("kimyuna", "김연경", [("Kim Yeon-koung", "common", W), ("Kim Yŏn-gyŏng", "mr", I), ("Gim Yeon-gyeong", "rr", I)]),
    ("ryuhj", "류현진", [("유현진", "hangul", P), ("Ryu Hyun-jin", "common", W), ("Ryu Hyeon-jin", "rr", I), ("Ryu Hyŏn-jin", "mr", I)]),
    ("choosh", "추신수", [("Choo Shin-soo", "common", W), ("Ch'u Sin-su", "mr", I), ("Chu Sin-su", "rr", I)]),
    ("parkch", "박찬호", [("Park Chan-ho", "common", W), ("Pak Ch'an-ho", "mr", I), ("Bak Chan-ho", "rr", I)]),
    ("parkch", "박찬욱", [("Park Chan-wook", "common", W), ("Pak Ch'an-uk", "mr", I), ("Bak Chan-uk", "rr", I)]),
    ("chabk", "차범근", [("Cha Bum-kun", "common", W), ("Ch'a Pŏm-gŭn", "mr", I), ("Cha Beom-geun", "rr", I)]),
    ("parksr", "박세리", [("Pak Se-ri", "mr", W), ("Se Ri Pak", "western", P), ("Park Se-ri", "common", P), ("Bak Se-ri", "rr", I)]),
    ("choikj", "최경주", [("Choi Kyung-ju", "common", W), ("Ch'oe Kyŏng-ju", "mr", I), ("Choe Gyeong-ju", "rr", I)]),
    ("leebj", "이봉주", [("Lee Bong-ju", "common", W), ("Yi Pong-ju", "mr", I), ("I Bong-ju", "rr", I)]),
    ("hwangyj", "황영조", [("Hwang Young-cho", "common", W), ("Hwang Yŏng-jo", "mr", I), ("Hwang Yeong-jo", "rr", I)]),
    ("kimmj", "김민재", [("Kim Min-jae", "common", W), ("Gim Min-jae", "rr", I), ("Min-jae Kim", "western", P)]),
    ("leeki", "이강인", [("Lee Kang-in", "common", W), ("Yi Kang-in", "mr", I), ("I Gang-in", "rr", I), ("Kang-in Lee", "western", P)]),
    ("hwanghc", "황희찬", [("Hwang Hee-chan", "common", W), ("Hwang Hŭi-ch'an", "mr", I), ("Hwang Hui-chan", "rr", I)]),
    ("kisy", "기성용", [("Ki Sung-yueng", "common", W), ("Ki Sŏng-yong", "mr", I), ("Gi Seong-yong", "rr", I)]),
    ("leeyp", "이영표", [("Lee Young-pyo", "common", W), ("Yi Yŏng-p'yo", "mr", I), ("I Yeong-pyo", "rr", I)]),
    ("ahnjh", "안정환", [("Ahn Jung-hwan", "common", W), ("An Chŏng-hwan", "mr", I), ("An Jeong-hwan", "rr", I)]),
    ("hongmb", "홍명보", [("Hong Myung-bo", "common", W), ("Hong Myŏng-bo", "mr", I), ("Hong Myeong-bo", "rr", I)]),
    ("parkth", "박태환", [("Park Tae-hwan", "common", W), ("Pak T'ae-hwan", "mr", I), ("Bak Tae-hwan", "rr", I)]),
    ("jangmr", "장미란", [("Jang Mi-ran", "rr", W), ("Chang Mi-ran", "mr", I)]),
    ("jinjo", "진종오", [("Jin Jong-oh", "common", W), ("Chin Chong-o", "mr", I), ("Jin Jong-o", "rr", I)]),
    ("ansan", "안산", [("An San", "rr", W), ("Ahn San", "common", P)]),
    ("chunghy", "정현", [("Chung Hyeon", "common", W), ("Chŏng Hyŏn", "mr", I), ("Jeong Hyeon", "rr", I)]),
    ("kojy", "고진영", [("Ko Jin-young", "common", W), ("Ko Chin-yŏng", "mr", I), ("Go Jin-yeong", "rr", I)]),
    ("parkib", "박인비", [("Park In-bee", "common", W), ("Pak In-bi", "mr", I), ("Bak In-bi", "rr", I), ("Inbee Park", "western", P)]),
    ("jongts", "정대세", [("Jong Tae-se", "nk", W), ("Chong Tae-se", "mr-plain", P), ("Jeong Dae-se", "rr", I)]),
    ("hanks", "한광성", [("Han Kwang-song", "nk", W), ("Han Kwang Song", "nk", K), ("Han Gwang-seong", "rr", I)]),
    ("hongyj", "홍영조", [("Hong Yong-jo", "nk", W), ("Hong Yong Jo", "nk", K), ("Hong Yeong-jo", "rr", I)]),
    ("jongso", "정성옥", [("Jong Song-ok", "nk", W), ("Jong Song Ok", "nk", K), ("Jeong Seong-ok", "rr", I)]),
    ("kyesh", "계순희", [("Kye Sun-hui", "nk", W), ("Kye Sun Hui", "nk", K), ("Gye Sun-hui", "rr", I), ("Kye Soon-hee", "common", P)]),
    ("omyc", "엄윤철", [("Om Yun-chol", "nk", W), ("Om Yun Chol", "nk", K), ("Eom Yun-cheol", "rr", I), ("Um Yoon-chul", "common", P)]),
    ("risg2", "이세광", [("리세광", "hangul-north", K), ("Ri Se-gwang", "nk", W), ("Ri Se Gwang", "nk", K), ("Lee Se-kwang", "common", P)]),
    ("richh", "이춘희", [("리춘희", "hangul-north", K), ("Ri Chun-hui", "nk", W), ("Ri Chun Hui", "nk", K), ("Lee Chun-hee", "common", P)]),
    ("bongjh", "봉준호", [("Bong Joon-ho", "common", W), ("Pong Chun-ho", "mr", I), ("Bong Jun-ho", "rr", I)]),
    ("hankang", "한강", [("Han Kang", "common", W), ("Han Gang", "rr", I)]),
    ("younyj", "윤여정", [("Youn Yuh-jung", "common", W), ("Yun Yŏ-jŏng", "mr", I), ("Yun Yeo-jeong", "rr", I)]),
    ("songkh", "송강호", [("Song Kang-ho", "common", W), ("Song Gang-ho", "rr", I)]),
    ("songkh", "송강", [("Song Kang", "common", W), ("Song Gang", "rr", I)]),
    ("baeyj", "배용준", [("Bae Yong-joon", "common", W), ("Pae Yong-jun", "mr", I), ("Bae Yong-jun", "rr", I)]),
    ("junjh", "전지현", [("Jun Ji-hyun", "common", W), ("Chŏn Chi-hyŏn", "mr", I), ("Jeon Ji-hyeon", "rr", I)]),
    ("kimth", "김태희", [("Kim Tae-hee", "common", W), ("Kim T'ae-hŭi", "mr", I), ("Gim Tae-hui", "rr", I)]),
    ("kimth", "김태리", [("Kim Tae-ri", "common", W), ("Kim T'ae-ri", "mr", I), ("Gim Tae-ri", "rr", I)]),
    ("leemh", "이민호", [("Lee Min-ho", "common", W), ("Yi Min-ho", "mr", I), ("I Min-ho", "rr", I)]),
    ("leemh", "이민우", [("Lee Min-woo", "common", W), ("Yi Min-u", "mr", I), ("I Min-u", "rr", I)]),
    ("songhk", "송혜교", [("Song Hye-kyo", "common", W), ("Song Hye-gyo", "rr", I)]),
    ("choyp", "조용필", [("Cho Yong-pil", "common", W), ("Cho Yong-p'il", "mr", I), ("Jo Yong-pil", "rr", I)]),
    ("paiknj", "백남준", [("Nam June Paik", "western", W), ("Paik Nam-june", "common", P), ("Paek Nam-jun", "mr", I), ("Baek Nam-jun", "rr", I)]),
    ("chungmw", "정명훈", [("Chung Myung-whun", "common", W), ("Chŏng Myŏng-hun", "mr", I), ("Jeong Myeong-hun", "rr", I)]),
    ("josm", "조수미", [("Sumi Jo", "western", W), ("Jo Su-mi", "rr", I), ("Cho Su-mi", "mr", I)]),
    ("koun", "고은", [("Ko Un", "mr-plain", W), ("Go Eun", "rr", I), ("Ko Ŭn", "mr", I)]),
    ("hwangsy", "황석영", [("Hwang Sok-yong", "mr-plain", W), ("Hwang Sŏk-yŏng", "mr", I), ("Hwang Seok-yeong", "rr", I)]),
    ("shinks", "신경숙", [("Shin Kyung-sook", "common", W), ("Sin Kyŏng-suk", "mr", I), ("Sin Gyeong-suk", "rr", I)]),
    ("leecd", "이창동", [("Lee Chang-dong", "common", W), ("Yi Ch'ang-dong", "mr", I), ("I Chang-dong", "rr", I)]),
    ("yunis", "윤이상", [("Isang Yun", "western", W), ("Yun I-sang", "rr", I)]),
    ("chungkw", "정경화", [("Kyung-wha Chung", "western", W), ("Chung Kyung-wha", "common", P), ("Chŏng Kyŏng-hwa", "mr", I)]),
    ("leemj", "이미자", [("Lee Mi-ja", "common", W), ("Yi Mi-ja", "mr", I), ("I Mi-ja", "rr", I)]),
    ("parkjsang", "박재상", [("Park Jae-sang", "common", W), ("Pak Chae-sang", "mr", I), ("Bak Jae-sang", "rr", I)]),
    ("kimnj", "김남준", [("Kim Nam-joon", "common", P), ("Kim Nam-jun", "rr", W), ("Gim Nam-jun", "rr", I)]),
    ("jeonjk", "전정국", [("Jeon Jung-kook", "common", W), ("Jeon Jeong-guk", "rr", I), ("Chŏn Chŏng-guk", "mr", I)]),
    ("leeje", "이지은", [("Lee Ji-eun", "common", W), ("Yi Chi-ŭn", "mr", I), ("I Ji-eun", "rr", I)]),
]

FIELDS = ["id", "group", "hangul", "spelling", "kind", "source"]


def main():
    tuning, heldout = [], []
    for i, (group, hangul, spellings) in enumerate(PEOPLE, 1):
        pid = "P%03d" % i
        rows = [[pid, group, hangul, hangul, "hangul", "wikipedia"]]
        for sp, kind, src in spellings:
            rows.append([pid, group, hangul, sp, kind, src])
        # a third of the groups, chosen by a hash of the group name, are held out
        (heldout if zlib.crc32(group.encode()) % 3 == 0 else tuning).extend(rows)
    for name, rows in (("tuning.csv", tuning), ("heldout.csv", heldout)):
        with open("data/names/" + name, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(FIELDS)
            w.writerows(rows)
        print(name, len(rows), "spellings,", len({r[0] for r in rows}), "people")


main()
