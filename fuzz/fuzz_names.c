/*
 * fuzz_names — the names engine on any bytes: encode, keys, similarity and
 * query score against a fixed name, romanization in every system, reading.
 * Beyond "no crash": scores stay in [0, 1], similarity is symmetric, a name
 * is the same as itself, keys are at most KITH_NAMES_MAX_KEYS, a failure
 * leaves the output untouched, and an error message never holds the input.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "names/names.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kith_process_init();
}

static void check_score(double s)
{
	if (!(s >= 0.0 && s <= 1.0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_name n, fixed, hangul;
	memset(&n, 0xAB, sizeof n);
	struct kith_name before = n;
	if (kith_names_encode(&fixed, "Pang Mi-sŏn", strlen("Pang Mi-sŏn"), NULL) ||
	    kith_names_encode(&hangul, "방미선", strlen("방미선"), NULL))
		abort();
	int rc = kith_names_encode(&n, s, size, &err);
	if (rc) {
		if (memcmp(&n, &before, sizeof n) != 0)
			abort(); /* written only on success */
		if (rc != KITH_E_INVALID && rc != KITH_E_LIMIT)
			abort();
		/* the message never echoes the input (a long enough input to tell) */
		if (size >= 8 && memchr(s, 0, size) == NULL) {
			char probe[9];
			memcpy(probe, s, 8);
			probe[8] = '\0';
			if (strlen(probe) == 8 && strstr(err.msg, probe))
				abort();
		}
	} else {
		if (n.n_syl > KITH_NAMES_MAX_SYL || n.n_sur > n.n_syl)
			abort();
		double a = kith_names_similarity(&n, &fixed), b = kith_names_similarity(&fixed, &n);
		check_score(a);
		check_score(b);
		if (fabs(a - b) > 1e-9)
			abort();
		double self = kith_names_similarity(&n, &n);
		check_score(self);
		if ((n.n_syl > 0 || n.text[0]) && self < 0.999)
			abort();
		check_score(kith_names_query_score(&n, &fixed));
		check_score(kith_names_query_score(&fixed, &n));
		check_score(kith_names_query_score(&n, &hangul));
		check_score(kith_names_surname_share(&n));
		uint64_t keys[KITH_NAMES_MAX_KEYS];
		size_t k = kith_names_keys(&n, keys);
		if (k > KITH_NAMES_MAX_KEYS)
			abort();
		(void)kith_names_surname_key(&n);
	}
	for (int sys = KITH_NAMES_RR; sys <= KITH_NAMES_COMMON; sys++) {
		struct kith_sbuf o = KITH_SBUF_INIT;
		if (kith_sbuf_adds(&o, "x"))
			abort();
		int r = kith_names_romanize(s, size, (enum kith_names_system)sys, &o, NULL);
		if (r && (o.len != 1 || o.buf[0] != 'x'))
			abort(); /* on failure out is as it was */
		kith_sbuf_release(&o);
	}
	struct kith_names_reading rd[8];
	size_t nr = 0;
	if (kith_names_read(s, size, rd, 8, &nr, NULL) == KITH_OK) {
		if (nr > 8)
			abort();
		double sum = 0;
		for (size_t i = 0; i < nr; i++) {
			check_score(rd[i].score);
			sum += rd[i].score;
			if (strnlen(rd[i].hangul, sizeof rd[i].hangul) == sizeof rd[i].hangul)
				abort();
		}
		if (sum > 1.0 + 1e-9)
			abort();
	}
	return 0;
}
