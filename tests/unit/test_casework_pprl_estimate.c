/* Unit test of src/casework/pprl_estimate: the joint estimate of a linkage of
 * three lists' encodings, with the linkage's uncertainty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "casework/pprl_estimate.h"
#include "names/names.h"
#include "pprl/encode.h"

static const uint8_t SEED[32] = {5};

static void test_joint(void **state)
{
	(void)state;
	static const char *const sur[] = {"김", "이", "박", "최", "정", "강"};
	static const char *const giv[] = {"영희", "미선", "순옥", "정숙", "은혜", "미경", "춘화", "명숙"};
	struct kith_pprl_key *k = NULL;
	assert_int_equal(kith_pprl_key_new(&k, (const uint8_t *)"a secret of sixteen+ bytes", 26, NULL),
			 KITH_OK);
	struct kith_pprl_params p = {.seed = SEED};
	size_t cap = 900, n = 0;
	uint64_t *f = aligned_alloc(64, cap * 128);
	uint32_t *src = malloc(cap * sizeof *src);
	assert_non_null(f);
	assert_non_null(src);
	uint64_t s = 3;
	for (int per = 0; per < 300; per++) {
		for (unsigned l = 0; l < 3; l++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((s >> 33) % 100 >= 45) /* each list records 45% of the people */
				continue;
			char name[32];
			snprintf(name, sizeof name, "%s%s", sur[per % 6], giv[(per / 6) % 8]);
			struct kith_name nm;
			assert_int_equal(kith_names_encode(&nm, name, strlen(name), NULL), KITH_OK);
			struct kith_pprl_input in = {.name = &nm,
						     .sex = 1,
						     .birth_year = 1950 + per / 48 * 7 + per % 7,
						     .origin = per % 2 ? "kp-hb" : "kp-yg",
						     .origin_len = 5};
			assert_int_equal(kith_pprl_encode(k, &p, &in, n, f + n * KITH_PPRL_WORDS), KITH_OK);
			src[n++] = l;
		}
	}
	struct kith_pprl_result r;
	struct kith_pprl_opts o = {.threads = 2, .seed = 1};
	assert_int_equal(kith_pprl_link(f, src, n, 3, &o, &r, NULL), KITH_OK);
	double counts[8];
	kith_pprl_patterns(r.clusters.cluster, r.clusters.n_clusters, src, n, 3, counts);
	const char *names[] = {"a", "b", "c"};
	struct kith_estimate_result *point = NULL;
	struct kith_pprl_joint j;
	assert_int_equal(
	    kith_pprl_joint_estimate(&r, f, src, names, 3, counts, 4, 1, &point, &j, NULL, NULL, NULL),
	    KITH_OK);
	print_message("records %zu persons %zu: %s %.1f [%.1f, %.1f]; draws %zu: %.1f [%.1f, %.1f]\n", n,
		      r.clusters.n_clusters, j.model, j.n_hat, j.lo, j.hi, j.draws, j.n_hat_draws, j.lo_link,
		      j.hi_link);
	assert_non_null(point);
	assert_true(isfinite(j.n_hat) && j.n_hat >= (double)r.clusters.n_clusters);
	assert_true(j.draws >= 1);
	assert_true(j.lo_link <= j.n_hat_draws && j.n_hat_draws <= j.hi_link);
	kith_estimate_free(point);
	kith_pprl_result_release(&r);
	kith_pprl_key_free(k);
	free(f);
	free(src);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_joint)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
