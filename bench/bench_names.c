/*
 * bench_names — throughput of the names engine, each figure beside a peer
 * measured in the same run on the same strings:
 *
 *   encode    names/s of kith_names_encode (Hangul, romanized, and a mix),
 *             beside utf8proc's NFC alone (utf8proc_map with COMPOSE, which
 *             allocates its result) of the same strings: what normalizing
 *             alone costs (the encoder skips utf8proc for ASCII and Hangul);
 *   compare   comparisons/s of kith_names_similarity on pre-encoded names
 *             (one core), beside strcmp of the same pairs of UTF-8 strings;
 *   keys      names/s of kith_names_keys, beside the same loop over memcpy
 *             of the encoding.
 *
 * The names are fictional, drawn from invented syllable tables. Targets
 * (issue 3): >= 2,000,000 comparisons/s/core and >= 1,000,000 encodes/s.
 * Not a test: it prints the figures, it never fails on them. --quick runs a
 * tenth as long.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "base/sbuf.h"
#include "names/names.h"

#define N_NAMES 20000

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID,
		      &t); /* CPU time of this thread: per-core rates on a shared machine */
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rs = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs % n);
}

static const char *const surnames[] = {"김", "김", "김", "김",	 "이", "이", "이", "박", "박",
				       "최", "정", "강", "조",	 "윤", "장", "임", "한", "오",
				       "서", "신", "권", "황",	 "안", "송", "전", "홍", "리",
				       "량", "로", "류", "남궁", "방", "문", "배", "백"};
static const char *const given[] = {
    "미", "선", "순", "영", "정", "수", "지", "현", "성", "은", "진", "준", "희", "경", "혜", "연", "재",
    "상", "숙", "호", "자", "주", "동", "석", "철", "우", "윤", "원", "하", "용", "종", "명", "인", "태",
    "기", "승", "훈", "룡", "옥", "화", "란", "춘", "금", "향", "일", "남", "혁", "광", "범", "근"};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

struct names {
	char *s[N_NAMES];
	size_t len[N_NAMES];
};

static void make(struct names *out, int latin)
{
	for (size_t i = 0; i < N_NAMES; i++) {
		char han[64];
		snprintf(han, sizeof han, "%s%s%s", surnames[rnd(N_OF(surnames))], given[rnd(N_OF(given))],
			 given[rnd(N_OF(given))]);
		if (!latin) {
			out->s[i] = strdup(han);
		} else {
			struct kith_sbuf o = KITH_SBUF_INIT;
			if (kith_names_romanize(han, strlen(han), (enum kith_names_system)rnd(5), &o, NULL)) {
				fprintf(stderr, "bench: romanize failed\n");
				exit(1);
			}
			out->s[i] = strdup(o.buf);
			kith_sbuf_release(&o);
		}
		if (!out->s[i])
			exit(1);
		out->len[i] = strlen(out->s[i]);
	}
}

static void release(struct names *n)
{
	for (size_t i = 0; i < N_NAMES; i++)
		free(n->s[i]);
}

static volatile uint64_t sink;

/* Names per second of encode and of NFC over `nm` for about `secs` each. */
static double bench_encode(const char *label, struct names *nm, double secs)
{
	struct kith_name e;
	size_t done = 0;
	double t0 = now(), t = t0;
	while (t - t0 < secs) {
		for (size_t i = 0; i < N_NAMES; i++) {
			if (kith_names_encode(&e, nm->s[i], nm->len[i], NULL)) {
				fprintf(stderr, "bench: encode failed\n");
				exit(1);
			}
			sink += e.n_syl;
		}
		done += N_NAMES;
		t = now();
	}
	double enc = (double)done / (t - t0);
	done = 0;
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		for (size_t i = 0; i < N_NAMES; i++) {
			utf8proc_uint8_t *o = NULL;
			utf8proc_ssize_t r =
			    utf8proc_map((const utf8proc_uint8_t *)nm->s[i], (utf8proc_ssize_t)nm->len[i], &o,
					 (utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
			sink += (uint64_t)r;
			free(o); /* utf8proc_map's result is ours to free */
		}
		done += N_NAMES;
		t = now();
	}
	double nfc = (double)done / (t - t0);
	printf("encode %-9s %10.0f names/s   utf8proc NFC alone %10.0f names/s   ratio %.2f\n", label, enc,
	       nfc, enc / nfc);
	return enc;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 0.05 : 0.5;
	if (kith_process_init())
		return 1;
	struct names han, lat, mix;
	make(&han, 0);
	make(&lat, 1);
	for (size_t i = 0; i < N_NAMES; i++) {
		struct names *from = i % 2 ? &lat : &han;
		mix.s[i] = strdup(from->s[i]);
		mix.len[i] = from->len[i];
	}
	printf("bench_names: %d fictional names per set, one core\n", N_NAMES);
	double eh = bench_encode("hangul", &han, secs);
	double el = bench_encode("romanized", &lat, secs);
	double em = bench_encode("mixed", &mix, secs);

	/* compare: pre-encoded, pairs (i, j) walking the set */
	static struct kith_name e[N_NAMES];
	for (size_t i = 0; i < N_NAMES; i++)
		if (kith_names_encode(&e[i], mix.s[i], mix.len[i], NULL))
			return 1;
	size_t done = 0, same = 0;
	double t0 = now(), t = t0;
	while (t - t0 < secs) {
		for (size_t k = 0; k < 100000; k++) {
			size_t i = rnd(N_NAMES), j = rnd(N_NAMES);
			same += kith_names_similarity(&e[i], &e[j]) >= 0.8;
		}
		done += 100000;
		t = now();
	}
	double cmp = (double)done / (t - t0);
	size_t done2 = 0;
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		for (size_t k = 0; k < 100000; k++) {
			size_t i = rnd(N_NAMES), j = rnd(N_NAMES);
			same += strcmp(mix.s[i], mix.s[j]) == 0;
		}
		done2 += 100000;
		t = now();
	}
	double sc = (double)done2 / (t - t0);
	printf("compare           %10.0f pairs/s   strcmp of the same pairs %10.0f pairs/s   ratio %.2f\n",
	       cmp, sc, cmp / sc);

	/* keys */
	uint64_t keys[KITH_NAMES_MAX_KEYS];
	done = 0;
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		for (size_t i = 0; i < N_NAMES; i++)
			sink += kith_names_keys(&e[i], keys);
		done += N_NAMES;
		t = now();
	}
	double kr = (double)done / (t - t0);
	struct kith_name copy;
	done2 = 0;
	t0 = now();
	t = t0;
	while (t - t0 < secs) {
		for (size_t i = 0; i < N_NAMES; i++) {
			memcpy(&copy, &e[i], sizeof copy);
			__asm__ volatile("" : : "r"(&copy) : "memory");
			sink += copy.n_syl;
		}
		done2 += N_NAMES;
		t = now();
	}
	double mc = (double)done2 / (t - t0);
	printf("keys              %10.0f names/s   memcpy of the encoding %10.0f names/s   ratio %.3f\n", kr,
	       mc, kr / mc);
	printf("targets: >= 2000000 comparisons/s/core: %s; >= 1000000 encodes/s: hangul %s, romanized %s, "
	       "mixed %s\n",
	       cmp >= 2e6 ? "met" : "NOT met", eh >= 1e6 ? "met" : "NOT met", el >= 1e6 ? "met" : "NOT met",
	       em >= 1e6 ? "met" : "NOT met");
	printf("(rates are per CPU-second of this thread: per core, whatever else the machine runs)\n");
	printf("(%zu of the random pairs were taken as the same name)\n", same);
	release(&han);
	release(&lat);
	release(&mix);
	return 0;
}
