/* Unit tests of src/casework/together's joint estimate: the table corrected
 * for the linkage's missed links, on linkage results built by hand (no
 * encodings: the persons, candidate pairs and posteriors are set directly). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/status.h"
#include "casework/together.h"
#include "pprl/match.h"

/* A linkage of n records, each its own person, with the pairs given. */
struct fake {
	struct kith_pprl_result r;
	struct kith_pprl_pair pairs[8];
	uint8_t rival[8];
	float post[8];
	uint32_t cluster[16];
};

static void fake_init(struct fake *f, size_t n)
{
	memset(f, 0, sizeof *f);
	f->r.n = n;
	f->r.pairs = f->pairs;
	f->r.rival = f->rival;
	f->r.post = f->post;
	for (size_t i = 0; i < n; i++)
		f->cluster[i] = (uint32_t)i;
	f->r.clusters.cluster = f->cluster;
	f->r.clusters.n_clusters = n;
	f->r.clusters.n_records = n;
}

static void fake_pair(struct fake *f, uint32_t a, uint32_t b, float p, int rival)
{
	size_t i = f->r.n_pairs++;
	f->pairs[i] = (struct kith_pprl_pair){a, b, 0.8f};
	f->post[i] = p;
	f->rival[i] = (uint8_t)rival;
}

/* A missed link that is a rival pair (one of its records has a better
 * candidate in the other's list) still moves its posterior to the union:
 * the rival's posterior has its own share of matches. */
static void test_corrected_rival(void **state)
{
	(void)state;
	struct fake f;
	fake_init(&f, 4);
	const uint32_t source[4] = {0, 1, 0, 1};
	fake_pair(&f, 0, 1, 0.9f, 1);
	double counts[4];
	assert_int_equal(kith_together_corrected(&f.r, source, 2, counts), KITH_OK);
	assert_true(counts[3] == 1.0); /* 0.9 of a person on both lists */
	assert_true(counts[1] == 1.0 && counts[2] == 1.0);
}

/* Two persons whose lists overlap are never joined; a non-rival missed link is. */
static void test_corrected_disjoint(void **state)
{
	(void)state;
	struct fake f;
	fake_init(&f, 4);
	const uint32_t source[4] = {0, 1, 0, 1};
	f.cluster[1] = 0; /* records 0 and 1: one person on both lists */
	f.cluster[2] = 1;
	f.cluster[3] = 2;
	f.r.clusters.n_clusters = 3;
	fake_pair(&f, 1, 2, 0.95f, 0); /* person 0 (lists 0, 1) with person 1 (list 0): overlap */
	fake_pair(&f, 2, 3, 0.7f, 0);  /* persons 1 and 2: disjoint */
	double counts[4];
	assert_int_equal(kith_together_corrected(&f.r, source, 2, counts), KITH_OK);
	assert_true(counts[3] == 2.0);
	assert_true(counts[1] == 0.0 && counts[2] == 0.0);
}

/* Sixteen records of two lists (even records list 0, odd list 1): persons 0-5 on both lists
 * (records 0-11), persons 6-9 alone (records 12-15, two on each list). */
static void six_both_four_alone(struct fake *f, uint32_t source[16])
{
	fake_init(f, 16);
	for (uint32_t i = 0; i < 16; i++) {
		source[i] = i & 1u;
		f->cluster[i] = i < 12 ? i / 2 : i - 6;
	}
	f->r.clusters.n_clusters = 10;
}

/* --corrected-table: the missed links, then the unseen splits undone at the
 * rate given (0 the default, negative none); a rate above 0.25 refused; the
 * file's header names the rate. Six persons of both lists, two of each alone:
 * at 0.1, 6 / 0.81 = 7.4 persons of both and 2 - 7.4 x 0.19 = 0.6 of each
 * alone. */
static void test_corrected_unseen(void **state)
{
	(void)state;
	struct fake f;
	uint32_t source[16];
	six_both_four_alone(&f, source);
	double c[4], rate = -1;
	assert_int_equal(kith_together_corrected_unseen(&f.r, source, 2, -1, c, &rate), KITH_OK);
	assert_true(rate == 0 && c[3] == 6 && c[1] == 2 && c[2] == 2);
	assert_int_equal(kith_together_corrected_unseen(&f.r, source, 2, 0, c, &rate), KITH_OK);
	assert_true(rate == KITH_TOGETHER_UNSEEN_RATE && c[3] == 6 && c[1] == 2 && c[2] == 2);
	assert_int_equal(kith_together_corrected_unseen(&f.r, source, 2, 0.1, c, &rate), KITH_OK);
	assert_true(rate == 0.1 && c[3] == 7 && c[1] == 1 && c[2] == 1);
	assert_int_equal(kith_together_corrected_unseen(&f.r, source, 2, 0.3, c, NULL), KITH_E_INVALID);
	const char *nm[2] = {"a", "b"};
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_together_corrected_csv(nm, 2, (const double[]){0, 1, 1, 7}, 0.1, &sb), KITH_OK);
	assert_non_null(strstr(sb.buf, "at a rate of 0.1,"));
	assert_non_null(strstr(sb.buf, "\na,b,count\n1,1,7\n"));
	kith_sbuf_release(&sb);
}

/* --estimate: the point (n_hat, lo, hi) comes from the same table as the
 * draws and --corrected-table, the unseen splits undone at the rate: the
 * persons of test_corrected_unseen at 0.1 are the table 1, 1, 7 (Lincoln-
 * Petersen 8 x 8 / 7 = 9.1), not 2, 2, 6 (8 x 8 / 6 = 10.7, what n_hat was
 * until the twelfth session while the interval was after the splits). */
static void test_estimate_unseen(void **state)
{
	(void)state;
	struct fake f;
	uint32_t source[16];
	six_both_four_alone(&f, source);
	const char *nm[2] = {"a", "b"};
	const double counts[4] = {0, 2, 2, 6};
	struct kith_together_opts o = {.estimate = 1, .draws = 4, .seed = 7, .unseen_rate = 0.1};
	json_t *root = json_object();
	struct kith_err err;
	kith_err_clear(&err);
	assert_int_equal(kith_together_estimate(&f.r, NULL, source, nm, 2, counts, &o, root, &err), KITH_OK);
	json_t *u = json_object_get(root, "estimate");
	double n0 = json_number_value(json_object_get(u, "n_hat"));
	double nf = json_number_value(json_object_get(u, "n_hat_corrected_model_draws"));
	double nd = json_number_value(json_object_get(u, "n_hat_decided"));
	assert_true(fabs(nd - 64.0 / 6.0) < 0.05);
	assert_true(fabs(n0 - 64.0 / 7.0) < 0.05);
	assert_true(fabs(n0 - nf) < 1e-6 * nf);
	json_decref(root);
	/* no rate: the point is the table of missed links alone */
	o.unseen_rate = -1;
	root = json_object();
	assert_int_equal(kith_together_estimate(&f.r, NULL, source, nm, 2, counts, &o, root, &err), KITH_OK);
	u = json_object_get(root, "estimate");
	assert_true(fabs(json_number_value(json_object_get(u, "n_hat")) - 64.0 / 6.0) < 0.05);
	json_decref(root);
}

int main(void)
{
	if (kith_process_init() != KITH_OK) /* GSL's abort handler off: the estimate's models */
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corrected_rival),
	    cmocka_unit_test(test_corrected_disjoint),
	    cmocka_unit_test(test_corrected_unseen),
	    cmocka_unit_test(test_estimate_unseen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
