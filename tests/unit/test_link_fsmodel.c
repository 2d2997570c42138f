/* Unit tests of src/link/fsmodel: u by sampling, m and the prior by EM on
 * data whose truth is known, weights and explanations. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sbuf.h"
#include "link/block.h"
#include "link/dataset.h"
#include "link/fsmodel.h"
#include "link/linkcfg.h"

#define PEOPLE 400

static uint64_t rs = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (unsigned)(rs % n);
}

static void word(char *out, size_t syl)
{
	static const char *const s[] = {"ka", "lo", "mi", "ne", "ru", "ta", "si", "po", "da",
					"ve", "xo", "ju", "be", "fa", "gu", "hi", "zo", "wa"};
	out[0] = '\0';
	for (size_t i = 0; i < syl; i++)
		strcat(out, s[rnd(18)]);
}

/* Typo: one letter replaced, with probability p. */
static void maybe_typo(char *w, unsigned pct)
{
	size_t n = strlen(w);
	if (n > 2 && rnd(100) < pct)
		w[1 + rnd((unsigned)n - 1)] = (char)('a' + rnd(26));
}

/* Two lists of PEOPLE people each; record i of list B is person i, with errors. */
static struct kith_dataset *make(void)
{
	struct kith_linkcfg c;
	struct kith_err err;
	kith_linkcfg_init(&c);
	const char *cfg = "id = rid\nfield.given = fuzzy\nfield.surname = fuzzy tf\nfield.zip = exact\n"
			  "field.dob = date\nmode = link\nblock = field:zip\nblock = field:surname\n"
			  "block = year:dob\n";
	assert_int_equal(kith_linkcfg_parse(&c, cfg, strlen(cfg), "t.cfg", &err), KITH_OK);
	struct kith_dataset *ds;
	assert_int_equal(kith_dataset_new(&ds, &c, &err), KITH_OK);
	struct kith_sbuf csv = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&csv, "rid,source,given,surname,zip,dob\n"), KITH_OK);
	static const char *const common[] = {"smith", "jones", "brown"};
	for (int list = 0; list < 2; list++) {
		rs = 88172645463325252ULL; /* the same people on both lists */
		for (int i = 0; i < PEOPLE; i++) {
			char g[32], s[32];
			word(g, 2 + rnd(2));
			if (rnd(100) < 30)
				strcpy(s, common[rnd(3)]);
			else
				word(s, 3);
			unsigned zip = 1000 + rnd(300), y = 1940 + rnd(60), m = 1 + rnd(12), d = 1 + rnd(28);
			uint64_t keep = rs;
			if (list == 1) { /* errors, drawn from another stream */
				rs ^= 0x5DEECE66DULL * (uint64_t)(i + 1);
				maybe_typo(g, 20);
				maybe_typo(s, 15);
				if (rnd(100) < 10)
					zip = 1000 + rnd(300);
				if (rnd(100) < 10)
					d = d == 28 ? 1 : d + 1;
			}
			assert_int_equal(kith_sbuf_addf(&csv, "%c%d,list%d,%s,%s,%u,%04u-%02u-%02u\n",
							list ? 'b' : 'a', i, list, g, s, zip, y, m, d),
					 KITH_OK);
			rs = keep;
		}
	}
	assert_int_equal(kith_dataset_add_csv(ds, csv.buf, csv.len, "t.csv", NULL, &err), KITH_OK);
	kith_sbuf_release(&csv);
	assert_int_equal(kith_dataset_finish(ds, &err), KITH_OK);
	return ds;
}

static void test_u_by_sampling(void **state)
{
	(void)state;
	struct kith_dataset *ds = make();
	struct kith_fsmodel a, b, ex;
	struct kith_err err;
	assert_int_equal(kith_fsmodel_estimate_u(&a, ds, 1, 20000, 7, 1, &err), KITH_OK);
	assert_int_equal(kith_fsmodel_estimate_u(&b, ds, 1, 20000, 7, 3, &err), KITH_OK);
	assert_memory_equal(a.u, b.u, sizeof a.u); /* threads do not change it */
	assert_int_equal(a.u_pairs, 20000);
	assert_false(a.u_exhaustive);
	/* every pair: PEOPLE^2 < the sample size */
	assert_int_equal(kith_fsmodel_estimate_u(&ex, ds, 1, 1000000, 7, 2, &err), KITH_OK);
	assert_true(ex.u_exhaustive);
	assert_int_equal(ex.u_pairs, PEOPLE * PEOPLE);
	for (size_t f = 0; f < ex.n_fields; f++) {
		double s = 0;
		for (int l = 0; l < ex.n_levels[f]; l++) {
			s += ex.u[f][l];
			assert_true(ex.u[f][l] > 0);
		}
		assert_float_equal(s, 1.0, 1e-9);
		/* the sample agrees with the exact value within sampling error */
		for (int l = 0; l < ex.n_levels[f]; l++)
			assert_true(fabs(a.u[f][l] - ex.u[f][l]) < 0.01 + 0.2 * ex.u[f][l]);
	}
	/* zip (field 2): 300 values, so about 1/300 of pairs agree */
	assert_true(ex.u[2][1] > 0.002 && ex.u[2][1] < 0.006);
	kith_dataset_free(ds);
}

static void test_em_recovers_matches(void **state)
{
	(void)state;
	struct kith_dataset *ds = make();
	struct kith_err err;
	const struct kith_linkcfg *cfg = kith_dataset_config(ds);
	struct kith_block_report rep[3];
	struct kith_block_opts bo = {
	    .rules = cfg->rules, .n_rules = cfg->n_rules, .link_only = 1, .threads = 2};
	struct kith_block_pair *p;
	size_t n;
	int brc = kith_block_pairs(ds, &bo, &p, &n, rep, &err);
	if (brc)
		print_error("%s: %s\n", err.where, err.msg);
	assert_int_equal(brc, KITH_OK);
	struct kith_fsmodel md;
	assert_int_equal(kith_fsmodel_estimate_u(&md, ds, 1, 0, 1, 2, &err), KITH_OK);
	uint32_t rule_fields[3] = {1u << 2, 1u << 1, 1u << 3};
	assert_int_equal(
	    kith_fsmodel_estimate_m(&md, ds, p, n, rule_fields, 3, kith_block_all_pairs(ds, 1), &err),
	    KITH_OK);
	assert_true(md.converged);
	/* every field had sessions with three free fields */
	for (size_t f = 0; f < md.n_fields; f++)
		assert_int_equal(md.m_source[f], KITH_FSMODEL_M_SESSIONS);
	/* given: exact for ~80% of true pairs; zip: same for ~90% */
	assert_true(md.m[0][3] > 0.65 && md.m[0][3] < 0.95);
	assert_true(md.m[2][1] > 0.8 && md.m[2][1] < 0.97);
	/* weights rise with agreement */
	for (size_t f = 0; f < md.n_fields; f++)
		assert_true(md.w[f][md.n_levels[f] - 1] > 0 && md.w[f][0] < 0);
	/* the prior: PEOPLE matches among PEOPLE^2 pairs, within a factor of two */
	double want = 1.0 / PEOPLE;
	assert_true(md.lambda > want / 2 && md.lambda < want * 2);
	assert_true(md.expected_matches > PEOPLE * 0.8 && md.expected_matches < PEOPLE * 1.2);
	/* classification: true pairs (aI, bI) above 0.5, almost all others below */
	size_t tp = 0, fp = 0;
	for (size_t i = 0; i < n; i++) {
		double w = kith_fsmodel_weight(&md, ds, p[i].a, p[i].b, p[i].g & KITH_BLOCK_GAMMA_MASK);
		int truth = strcmp(kith_dataset_id(ds, p[i].a) + 1, kith_dataset_id(ds, p[i].b) + 1) == 0;
		if (kith_fsmodel_prob(w) >= 0.5) {
			tp += (size_t)truth;
			fp += (size_t)!truth;
		}
	}
	assert_true(tp * 10 > (size_t)PEOPLE * 9);
	assert_true(fp < PEOPLE / 50);
	/* explanation: the terms add up to the weight */
	struct kith_fsmodel_term t[KITH_LINKCFG_MAX_FIELDS];
	size_t nt;
	long a0 = kith_dataset_find(ds, "a0"), b0 = kith_dataset_find(ds, "b0");
	double total = kith_fsmodel_explain(&md, ds, (size_t)a0, (size_t)b0, 0, t, &nt);
	assert_int_equal(nt, 4);
	double sum = md.prior_bits;
	for (size_t i = 0; i < nt; i++)
		sum += t[i].bits + t[i].tf_bits;
	assert_float_equal(total, sum, 1e-9);
	assert_float_equal(total,
			   kith_fsmodel_weight(&md, ds, (size_t)a0, (size_t)b0,
					       kith_dataset_gamma(ds, (size_t)a0, (size_t)b0)),
			   1e-9);
	assert_string_equal(t[0].field, "given");
	assert_float_equal(kith_fsmodel_prob(0), 0.5, 1e-12);
	assert_float_equal(kith_fsmodel_prob(1000), 1.0, 1e-12);
	free(p);
	kith_dataset_free(ds);
}

/* The pairs of ds that the rule "name" compares (free *p). */
static void block_by_name(const struct kith_dataset *ds, struct kith_block_pair **p, size_t *n)
{
	struct kith_err err;
	struct kith_linkcfg_rule r[1];
	assert_int_equal(kith_linkcfg_rule_parse(&r[0], "name", &err), KITH_OK);
	struct kith_block_report rep[1];
	struct kith_block_opts bo = {.rules = r, .n_rules = 1, .threads = 1};
	assert_int_equal(kith_block_pairs(ds, &bo, p, n, rep, &err), KITH_OK);
}

/* Gendered given names: two different people with one name are nearly always
 * of one sex, so sex agreement must not count as evidence between namesakes
 * (a plain model then takes namesakes for matches and the prior runs away). */
static void test_sex_given_the_name(void **state)
{
	(void)state;
	static const char *const fem[] = {"Anna", "Berit", "Cecilia", "Dagny",
					  "Ebba", "Frida", "Greta",   "Hilda"};
	static const char *const mal[] = {"Olof", "Per", "Rune", "Sven", "Tore", "Ulf", "Viktor", "Yngve"};
	static const char *const sur[] = {"Lind", "Berg", "Holm", "Dahl", "Falk"};
	struct kith_linkcfg c;
	struct kith_err err;
	kith_linkcfg_init(&c);
	struct kith_dataset *ds;
	assert_int_equal(kith_dataset_new(&ds, &c, &err), KITH_OK);
	struct kith_sbuf csv = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&csv, "id,source,name,sex,birth_year,origin\n"), KITH_OK);
	rs = 12345;
	const int people = 1200;
	for (int i = 0; i < people; i++) {
		int female = rnd(10) < 8;
		const char *g = female ? fem[rnd(8)] : mal[rnd(8)];
		const char *s = sur[rnd(5)];
		unsigned y = 1950 + rnd(50);
		const char *prov[] = {"ryanggang", "north_hamgyong", "chagang"};
		const char *o = prov[rnd(3)];
		for (int list = 0; list < 2; list++) {
			unsigned yy = y + (rnd(10) == 0 ? 1 : 0);
			assert_int_equal(kith_sbuf_addf(&csv, "%c%d,list%d,%s %s,%s,%u,%s\n",
							list ? 'b' : 'a', i, list, g, s,
							female ? "female" : "male", yy, o),
					 KITH_OK);
		}
	}
	assert_int_equal(kith_dataset_add_csv(ds, csv.buf, csv.len, "g.csv", NULL, &err), KITH_OK);
	kith_sbuf_release(&csv);
	assert_int_equal(kith_dataset_finish(ds, &err), KITH_OK);
	struct kith_block_pair *p;
	size_t n;
	block_by_name(ds, &p, &n);
	struct kith_fsmodel md;
	assert_int_equal(kith_fsmodel_estimate_u(&md, ds, 0, 0, 1, 1, &err), KITH_OK);
	assert_true(md.cond_field >= 0);
	uint32_t rf[1] = {1u << 0};
	assert_int_equal(kith_fsmodel_estimate_m(&md, ds, p, n, rf, 1, kith_block_all_pairs(ds, 0), &err),
			 KITH_OK);
	/* namesakes share sex: among similar names (level 5 of 7 since the level "slip"),
	 * agreement is near certain */
	print_message("u same given similar names %.4f\n", md.u_cond[5][1]);
	assert_true(md.u_cond[5][1] > 0.95);
	assert_true(md.w_cond[5][1] < 0.1);
	/* the prior: 1200 matches among 2400*2399/2 pairs, within a factor of three
	 * (a plain model, fooled by namesakes, is off by a factor of a hundred) */
	double want = (double)people / (2400.0 * 2399.0 / 2.0);
	print_message("lambda %.3g (truth %.3g)\n", md.lambda, want);
	assert_true(md.lambda > want / 3 && md.lambda < want * 3);
	free(p);
	kith_dataset_free(ds);
}

/* The birth given the list (with a training sample): list A gives every
 * record's full date, list B a birth year only, so two records of A born the same year have the level
 * "dates differ" and two of A and B "same year". Among non-matching pairs
 * across the lists "same year" is then about twice as common as among all
 * non-matching pairs; with one u for all pairs the birth of a pair across
 * lists weighed about a bit too much. */
static void test_birth_given_the_list(void **state)
{
	(void)state;
	static const char *const fem[] = {"Anna", "Berit", "Cecilia", "Dagny",
					  "Ebba", "Frida", "Greta",   "Hilda"};
	static const char *const sur[] = {"Lind", "Berg", "Holm", "Dahl", "Falk", "Ek", "Ros"};
	struct kith_linkcfg c;
	struct kith_err err;
	kith_linkcfg_init(&c);
	struct kith_dataset *ds;
	assert_int_equal(kith_dataset_new(&ds, &c, &err), KITH_OK);
	struct kith_sbuf csv = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&csv, "id,source,name,sex,birth_year,birth_date,origin\n"), KITH_OK);
	rs = 4242;
	const int people = 1000;
	int person_of[2 * 1000];
	int n_rec = 0;
	for (int i = 0; i < people; i++) {
		const char *g = fem[rnd(8)], *s = sur[rnd(7)];
		unsigned y = 1950 + rnd(50), mo = 1 + rnd(12), d = 1 + rnd(28);
		assert_int_equal(
		    kith_sbuf_addf(&csv, "a%d,A,%s %s,female,,%u-%02u-%02u,\n", i, g, s, y, mo, d), KITH_OK);
		person_of[n_rec++] = i;
		if (i % 2 == 0) {
			assert_int_equal(kith_sbuf_addf(&csv, "b%d,B,%s %s,female,%u,,\n", i, g, s, y),
					 KITH_OK);
			person_of[n_rec++] = i;
		}
	}
	assert_int_equal(kith_dataset_add_csv(ds, csv.buf, csv.len, "bl.csv", NULL, &err), KITH_OK);
	kith_sbuf_release(&csv);
	assert_int_equal(kith_dataset_finish(ds, &err), KITH_OK);
	size_t nf;
	const struct kith_dataset_field *fields = kith_dataset_fields(ds, &nf);
	int bf = -1, lf = -1, same_year = -1;
	for (size_t f = 0; f < nf; f++) {
		if (fields[f].kind == KITH_DS_BIRTH)
			bf = (int)f;
		if (fields[f].kind == KITH_DS_LIST)
			lf = (int)f;
	}
	assert_true(bf >= 0 && lf >= 0);
	for (int l = 0; l < fields[bf].n_levels; l++)
		if (!strcmp(fields[bf].level_names[l], "same year"))
			same_year = l;
	assert_true(same_year >= 0);
	/* the truth: u of "same year" among the non-matching pairs across the lists */
	double across = 0, across_same = 0;
	size_t a_true = SIZE_MAX, b_true = SIZE_MAX;
	for (int a = 0; a < n_rec; a++)
		for (int b = a + 1; b < n_rec; b++) {
			uint64_t g = kith_dataset_gamma(ds, (size_t)a, (size_t)b);
			unsigned ll = kith_dataset_level(g, (size_t)lf),
				 lb = kith_dataset_level(g, (size_t)bf);
			if (!strcmp(fields[lf].level_names[ll], "same") || lb == KITH_DATASET_MISSING)
				continue;
			if (person_of[a] == person_of[b]) {
				if (lb == (unsigned)same_year)
					a_true = (size_t)a, b_true = (size_t)b;
				continue;
			}
			across++;
			across_same += lb == (unsigned)same_year;
		}
	double want = across_same / across;
	assert_true(a_true != SIZE_MAX);
	struct kith_block_pair *p;
	size_t n;
	block_by_name(ds, &p, &n);
	/* with a training sample (here: every record) */
	struct kith_fsmodel md;
	assert_int_equal(kith_fsmodel_estimate_u(&md, ds, 0, 0, 1, 1, &err), KITH_OK);
	md.train_records = (size_t)n_rec;
	uint32_t rf[1] = {1u << 0};
	assert_int_equal(kith_fsmodel_estimate_m(&md, ds, p, n, rf, 1, kith_block_all_pairs(ds, 0), &err),
			 KITH_OK);
	assert_int_equal(md.birth_field, bf);
	struct kith_fsmodel_term t[KITH_LINKCFG_MAX_FIELDS];
	size_t nt;
	double w = kith_fsmodel_explain(&md, ds, a_true, b_true, 0, t, &nt);
	assert_true(fabs(w - kith_fsmodel_weight(&md, ds, a_true, b_true,
						 kith_dataset_gamma(ds, a_true, b_true))) < 1e-9);
	print_message("u of same year across the lists: model %.4f, truth %.4f (all pairs %.4f)\n", t[bf].u,
		      want, md.u[bf][same_year]);
	assert_int_equal(t[bf].level, (unsigned)same_year);
	assert_true(fabs(log2(t[bf].u / want)) < 0.25);
	assert_true(fabs(t[bf].bits - log2(t[bf].m / t[bf].u)) < 1e-9);
	/* without a training sample: one u for the birth; and a compared pair at the name's lowest
	 * level takes u among the compared non-matches, the explanation adding up to the scored weight */
	assert_int_equal(kith_fsmodel_estimate_u(&md, ds, 0, 0, 1, 1, &err), KITH_OK);
	assert_int_equal(kith_fsmodel_estimate_m(&md, ds, p, n, rf, 1, kith_block_all_pairs(ds, 0), &err),
			 KITH_OK);
	assert_true(md.birth_field < 0);
	size_t low = SIZE_MAX;
	for (size_t i = 0; i < n && low == SIZE_MAX; i++)
		if (kith_dataset_level(p[i].g, 0) == 0)
			low = i;
	assert_true(low != SIZE_MAX);
	print_message("the name's lowest level, compared: %+.2f bits\n", md.low_compared_bits[0]);
	assert_true(md.low_compared_bits[0] > 1);
	uint64_t gl = p[low].g & KITH_BLOCK_GAMMA_MASK;
	double wc = kith_fsmodel_explain(&md, ds, p[low].a, p[low].b, 1, t, &nt);
	assert_true(fabs(wc - kith_fsmodel_weight_compared(&md, ds, p[low].a, p[low].b, gl)) < 1e-9);
	assert_true(
	    fabs(wc - md.low_compared_bits[0] - kith_fsmodel_weight(&md, ds, p[low].a, p[low].b, gl)) < 1e-9);
	free(p);
	kith_dataset_free(ds);
}

static void test_errors(void **state)
{
	(void)state;
	struct kith_dataset *ds = make();
	struct kith_fsmodel md;
	struct kith_err err;
	assert_int_equal(kith_fsmodel_estimate_u(&md, ds, 1, 5000, 1, 1, &err), KITH_OK);
	uint32_t rf[1] = {0};
	assert_int_equal(kith_fsmodel_estimate_m(&md, ds, NULL, 0, rf, 1, 100, &err), KITH_E_INVALID);
	kith_dataset_free(ds);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_u_by_sampling),
	    cmocka_unit_test(test_em_recovers_matches),
	    cmocka_unit_test(test_sex_given_the_name),
	    cmocka_unit_test(test_birth_given_the_list),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
