/* Unit tests of src/link/cluster: persons from links, and the guard against chaining. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "link/cluster.h"

static struct kith_cluster_result run(size_t n, const uint32_t *src, const struct kith_cluster_edge *e,
				      size_t ne, enum kith_cluster_guard g)
{
	struct kith_cluster_result r;
	struct kith_err err;
	struct kith_cluster_opts o = {.guard = g};
	assert_int_equal(kith_cluster_run(n, src, e, ne, &o, &r, &err), KITH_OK);
	return r;
}

/* A1 (list A) ~ B1 (list B) ~ A2 (list A), but A1 and A2 do not match: a chain
 * through another list must not make one person of two records of list A. */
static void test_chain_through_another_list_is_cut(void **state)
{
	(void)state;
	const uint32_t src[3] = {0, 1, 0}; /* A1, B1, A2 */
	const struct kith_cluster_edge e[2] = {{0, 1, 0.99}, {1, 2, 0.95}};
	struct kith_cluster_result r = run(3, src, e, 2, KITH_CLUSTER_LISTS);
	assert_int_equal(r.n_clusters, 2);
	assert_int_equal(r.cluster[0], r.cluster[1]); /* the stronger link wins */
	assert_true(r.cluster[2] != r.cluster[0]);
	assert_int_equal(r.refused, 1);
	assert_int_equal(r.merges, 1);
	assert_float_equal(r.prob[0], 0.99, 1e-12);
	assert_float_equal(r.prob[2], -1, 1e-12); /* alone */
	kith_cluster_result_release(&r);
	/* plain connected components would chain them */
	r = run(3, src, e, 2, KITH_CLUSTER_NONE);
	assert_int_equal(r.n_clusters, 1);
	assert_int_equal(r.largest, 3);
	kith_cluster_result_release(&r);
}

static void test_same_list_duplicates_that_match_are_kept(void **state)
{
	(void)state;
	const uint32_t src[3] = {0, 1, 0};
	const struct kith_cluster_edge e[3] = {{0, 1, 0.99}, {1, 2, 0.95}, {0, 2, 0.91}};
	struct kith_cluster_result r = run(3, src, e, 3, KITH_CLUSTER_LISTS);
	assert_int_equal(r.n_clusters, 1);
	assert_int_equal(r.refused, 0);
	kith_cluster_result_release(&r);
}

static void test_records_of_different_lists_join_transitively(void **state)
{
	(void)state;
	/* A ~ B ~ C ~ D, all on different lists: one person under the lists guard,
	 * but not under the strict guard, where every two must match directly */
	const uint32_t src[4] = {0, 1, 2, 3};
	const struct kith_cluster_edge e[3] = {{0, 1, 0.99}, {1, 2, 0.98}, {2, 3, 0.97}};
	struct kith_cluster_result r = run(4, src, e, 3, KITH_CLUSTER_LISTS);
	assert_int_equal(r.n_clusters, 1);
	kith_cluster_result_release(&r);
	r = run(4, src, e, 3, KITH_CLUSTER_STRICT);
	assert_int_equal(r.n_clusters, 2); /* {A,B} and {C,D}: B~C is refused since A and C do not match */
	assert_int_equal(r.cluster[0], r.cluster[1]);
	assert_int_equal(r.cluster[2], r.cluster[3]);
	assert_int_equal(r.refused, 1);
	kith_cluster_result_release(&r);
}

static void test_weakest_link_is_cut_whatever_the_order(void **state)
{
	(void)state;
	/* the same links given in another order give the same persons */
	const uint32_t src[5] = {0, 1, 0, 1, 2};
	const struct kith_cluster_edge e1[4] = {{0, 1, 0.97}, {1, 2, 0.93}, {2, 3, 0.99}, {3, 4, 0.96}};
	const struct kith_cluster_edge e2[4] = {{3, 4, 0.96}, {2, 3, 0.99}, {1, 2, 0.93}, {0, 1, 0.97}};
	struct kith_cluster_result a = run(5, src, e1, 4, KITH_CLUSTER_LISTS);
	struct kith_cluster_result b = run(5, src, e2, 4, KITH_CLUSTER_LISTS);
	assert_memory_equal(a.cluster, b.cluster, 5 * sizeof a.cluster[0]);
	/* {0,1} and {2,3,4}: the 0.93 link between them is the one refused */
	assert_int_equal(a.n_clusters, 2);
	assert_int_equal(a.cluster[0], 0);
	assert_int_equal(a.cluster[1], 0);
	assert_int_equal(a.cluster[2], 1);
	assert_int_equal(a.cluster[4], 1);
	kith_cluster_result_release(&a);
	kith_cluster_result_release(&b);
}

/* The guard asks the scorer about pairs without a link: blocking may never
 * have compared two records of one list that are in fact alike. */
static double scorer(uint32_t a, uint32_t b, void *arg)
{
	const double *p = arg;
	return (a == 0 && b == 2) || (a == 2 && b == 0) ? *p : 0.0;
}

static void test_guard_scores_pairs_without_a_link(void **state)
{
	(void)state;
	const uint32_t src[3] = {0, 1, 0};
	const struct kith_cluster_edge e[2] = {{0, 1, 0.99}, {1, 2, 0.95}};
	double p = 0.7;
	struct kith_cluster_opts o = {.guard = KITH_CLUSTER_LISTS, .prob = scorer, .arg = &p};
	struct kith_cluster_result r;
	struct kith_err err;
	assert_int_equal(kith_cluster_run(3, src, e, 2, &o, &r, &err), KITH_OK);
	assert_int_equal(r.n_clusters, 1); /* A1 and A2 score 0.7 >= 0.5 */
	assert_int_equal(r.scored, 1);
	kith_cluster_result_release(&r);
	p = 0.3;
	assert_int_equal(kith_cluster_run(3, src, e, 2, &o, &r, &err), KITH_OK);
	assert_int_equal(r.n_clusters, 2); /* 0.3: more likely two people */
	kith_cluster_result_release(&r);
	o.guard_prob = 0.8;
	p = 0.7;
	assert_int_equal(kith_cluster_run(3, src, e, 2, &o, &r, &err), KITH_OK);
	assert_int_equal(r.n_clusters, 2); /* a stricter guard */
	kith_cluster_result_release(&r);
	/* a stricter guard than a link's own probability refuses it as well */
	const struct kith_cluster_edge e3[3] = {{0, 1, 0.99}, {1, 2, 0.95}, {0, 2, 0.9}};
	o.guard_prob = 0.95;
	assert_int_equal(kith_cluster_run(3, src, e3, 3, &o, &r, &err), KITH_OK);
	assert_int_equal(r.n_clusters, 2);
	kith_cluster_result_release(&r);
}

static void test_bad_links_and_empty(void **state)
{
	(void)state;
	const uint32_t src[2] = {0, 0};
	struct kith_cluster_result r;
	struct kith_err err;
	const struct kith_cluster_edge self[1] = {{1, 1, 0.99}};
	assert_int_equal(kith_cluster_run(2, src, self, 1, NULL, &r, &err), KITH_E_INVALID);
	const struct kith_cluster_edge out[1] = {{0, 5, 0.99}};
	assert_int_equal(kith_cluster_run(2, src, out, 1, NULL, &r, &err), KITH_E_INVALID);
	r = run(2, src, NULL, 0, KITH_CLUSTER_LISTS);
	assert_int_equal(r.n_clusters, 2);
	assert_int_equal(r.cluster[1], 1);
	kith_cluster_result_release(&r);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_through_another_list_is_cut),
	    cmocka_unit_test(test_same_list_duplicates_that_match_are_kept),
	    cmocka_unit_test(test_records_of_different_lists_join_transitively),
	    cmocka_unit_test(test_weakest_link_is_cut_whatever_the_order),
	    cmocka_unit_test(test_guard_scores_pairs_without_a_link),
	    cmocka_unit_test(test_bad_links_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
