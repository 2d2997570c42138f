/* Unit tests of src/stats/estimate: every Rcapture row of
 * reference_estimates.csv whose model kith implements, and the panel with its
 * JSON, text and SVG forms. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quick.h"

#include "base/csv.h"
#include "base/io.h"
#include "base/sbuf.h"
#include "stats/estimate.h"
#include "stats/interval.h"
#include "stats/loglin.h"
#include "stats/table.h"

#include "fixture_stats.h"

/* Maps an Rcapture method string to a kith model name; NULL when kith does
 * not implement it (Mb, Mbh). */
static const char *model_of(const char *method, char *buf, size_t sz, unsigned k)
{
	const char *p = strstr(method, "closedp.t:");
	if (!p)
		p = strstr(method, "closedpCI.t:");
	if (p) {
		p = strchr(p, ':') + 1;
		static const char *const names[] = {
		    "Mth Gamma3.5", "Mth Poisson2", "Mth Darroch", "Mth Chao", "Mh Gamma3.5",
		    "Mh Poisson2",  "Mh Darroch",   "Mh Chao",	   "Mt",       "M0"};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strncmp(p, names[i], strlen(names[i])) == 0 &&
			    (p[strlen(names[i])] == '\0' || p[strlen(names[i])] == ' ')) {
				snprintf(buf, sz, "%s", names[i]);
				return buf;
			}
		return NULL; /* Mb, Mbh */
	}
	if (strstr(method, "Rcapture loglin all-2way")) {
		size_t l = 0;
		l += (size_t)snprintf(buf + l, sz - l, "[");
		for (unsigned i = 0; i < k; i++)
			for (unsigned j = i + 1; j < k; j++)
				l += (size_t)snprintf(buf + l, sz - l, "%s%u%u", l > 1 ? "," : "", i + 1,
						      j + 1);
		snprintf(buf + l, sz - l, "]");
		return buf;
	}
	if (strstr(method, "Rcapture loglin") && (p = strchr(method, '['))) {
		const char *e = strchr(p, ']');
		if (!e || (size_t)(e - p + 2) > sz)
			return NULL;
		memcpy(buf, p, (size_t)(e - p + 1));
		buf[e - p + 1] = '\0';
		return buf;
	}
	return NULL;
}

/* A generator of the model with an observable marginal cell of count 0: the
 * fitted margin must then be 0, so the MLE cannot exist. */
static int zero_margin(const struct kith_stats_table *t, const struct kith_loglin_spec *s)
{
	unsigned k = kith_stats_table_lists(t);
	const double *c = kith_stats_table_counts(t);
	for (size_t i = 0; i < s->n_terms; i++) {
		uint32_t g = s->terms[i];
		/* every marginal pattern q of g except 0 */
		for (uint32_t q = g; q; q = (q - 1) & g) {
			double m = 0;
			for (size_t x = 1; x < ((size_t)1 << k); x++)
				if (((uint32_t)x & g) == q)
					m += c[x];
			if (m == 0)
				return 1;
		}
	}
	return 0;
}

static double field_num(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* within 0.1%, or within half a unit of the printed digit (printed one decimal) */
static int close_enough(double ours, double ref)
{
	return fabs(ours - ref) <= fmax(0.001 * fabs(ref), 0.05 + 1e-9);
}

/*
 * Every row of reference_estimates.csv computed with Rcapture 1.4-4 whose
 * model kith implements: the Poisson estimate (and its se for closedp.t
 * rows) and the profile interval (closedpCI.t rows) within 0.1%. Where
 * kith's existence check says the MLE does not exist, the row counts as
 * explained only when the reference itself says so or a margin of the model
 * is zero; every other difference is a miss, and the test lists them all.
 */
static void test_rcapture_reference(void **state)
{
	(void)state;
	const char *shared = getenv("KITH_SHARED");
	if (!shared)
		skip();
	char path[1024];
	snprintf(path, sizeof path, "%s/data/mse/reference_estimates.csv", shared);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_err err;
	assert_int_equal(kith_io_read_file(path, 1 << 22, &sb, &err), KITH_OK);
	struct kith_csv_opts co = {.header = 1};
	struct kith_csv *c;
	assert_int_equal(kith_csv_open(&c, sb.buf, sb.len, "reference_estimates.csv", &co, &err), KITH_OK);
	int i_ds = kith_csv_column(c, "dataset"), i_m = kith_csv_column(c, "method"),
	    i_n = kith_csv_column(c, "N_hat"), i_lo = kith_csv_column(c, "lower95"),
	    i_hi = kith_csv_column(c, "upper95"), i_ci = kith_csv_column(c, "ci_type"),
	    i_notes = kith_csv_column(c, "notes");
	assert_true(i_ds >= 0 && i_m >= 0 && i_n >= 0 && i_lo >= 0 && i_hi >= 0 && i_ci >= 0 && i_notes >= 0);
	struct kith_csv_row row;
	int rows = 0, matched = 0, explained = 0, skipped = 0, misses = 0;
	int rc;
	while ((rc = kith_csv_next(c, &row, &err)) == 1) {
		const char *method = row.f[i_m];
		if (!strstr(method, "Rcapture closedp") && !strstr(method, "Rcapture loglin"))
			continue;
		struct kith_stats_table *t = fixture_stats_table(row.f[i_ds]);
		unsigned k = kith_stats_table_lists(t);
		char name[256];
		if (!model_of(method, name, sizeof name, k)) {
			skipped++;
			kith_stats_table_free(t);
			continue;
		}
		rows++;
		uint32_t terms[256];
		struct kith_loglin_spec spec;
		assert_int_equal(kith_loglin_parse_name(name, k, &spec, terms, 256, &err), KITH_OK);
		struct kith_loglin *L;
		assert_int_equal(kith_loglin_new(&L, t, &spec, &err), KITH_OK);
		int st = kith_loglin_check(L, &err);
		assert_true(st >= 0);
		char why[512] = "";
		if (st == KITH_LOGLIN_NO_MLE) {
			if (strstr(row.f[i_notes], "DOES NOT EXIST") || zero_margin(t, &spec)) {
				explained++;
				print_message(
				    "  no MLE (Rcapture prints %s): %s %s%s\n", row.f[i_n], row.f[i_ds], name,
				    strstr(row.f[i_notes], "DOES NOT EXIST") ? " (the reference says so)"
									     : " (a zero margin)");
			} else {
				snprintf(why, sizeof why, "no MLE by our check, no zero margin");
			}
		} else if (st != KITH_LOGLIN_OK) {
			snprintf(why, sizeof why, "state %d", st);
		} else {
			struct kith_loglin_result r;
			assert_int_equal(kith_loglin_fit(L, &r, &err), KITH_OK);
			double nref = strtod(row.f[i_n], NULL);
			double se = field_num(row.f[i_ci], "se=");
			int is_ci = strstr(method, "closedp.t:") == NULL;
			if (r.state != KITH_LOGLIN_OK) {
				snprintf(why, sizeof why, "fit state %d", r.state);
			} else if (!close_enough(r.n_hat, nref)) {
				snprintf(why, sizeof why, "N %.2f vs %.1f", r.n_hat, nref);
			} else if (!isnan(se) && !close_enough(r.se, se)) {
				snprintf(why, sizeof why, "se %.3f vs %.1f", r.se, se);
			} else if (is_ci) {
				struct kith_interval ci;
				if (kith_interval_profile(L, &r, 0.95, &ci, &err) != KITH_OK) {
					snprintf(why, sizeof why, "no interval: %s", err.msg);
				} else {
					double lo = strtod(row.f[i_lo], NULL);
					const char *hs = row.f[i_hi];
					if (!close_enough(ci.lo, lo))
						snprintf(why, sizeof why, "lower %.2f vs %.1f", ci.lo, lo);
					else if (hs[0] == '>' && !(ci.hi > strtod(hs + 1, NULL)))
						snprintf(why, sizeof why, "upper %.2f not above %s", ci.hi,
							 hs);
					else if (hs[0] != '>' && !close_enough(ci.hi, strtod(hs, NULL)))
						snprintf(why, sizeof why, "upper %.2f vs %s", ci.hi, hs);
				}
			}
			if (!why[0])
				matched++;
		}
		if (why[0]) {
			misses++;
			print_error("MISS %s %s: %s\n", row.f[i_ds], method, why);
		}
		kith_loglin_free(L);
		kith_stats_table_free(t);
	}
	assert_int_equal(rc, 0);
	kith_csv_free(c);
	kith_sbuf_release(&sb);
	print_message("Rcapture rows: %d compared, %d matched within 0.1%%, %d without an MLE (explained), "
		      "%d not implemented (Mb, Mbh), %d missed\n",
		      rows, matched, explained, skipped, misses);
	assert_int_equal(misses, 0);
	assert_true(matched >= 300);
}

static struct kith_estimate_result *run(const char *table, size_t boot, int lcm, struct kith_err *err)
{
	struct kith_stats_table *t = fixture_stats_table(table);
	struct kith_estimate_opts o = {
	    .boot = boot, .no_boot = boot == 0, .no_lcm = !lcm, .seed = 1234, .threads = 2};
	o.lcm.chains = 2;
	o.lcm.burnin = test_quick() ? 50 : 2000;
	o.lcm.iter = test_quick() ? 200 : 8000;
	struct kith_estimate_result *r = NULL;
	assert_int_equal(kith_estimate_run(t, &o, &r, err), KITH_OK);
	kith_stats_table_free(t);
	return r;
}

static void test_panel_kosovo(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	struct kith_err err;
	struct kith_estimate_result *r = run("Kosovo", test_quick() ? 20 : 200, 1, &err);
	assert_int_equal(r->k, 4);
	assert_true(r->observed == 4400);
	assert_true(r->sel_bic != KITH_ESTIMATE_NONE);
	assert_string_equal(r->rows[r->sel_bic].name, "[123,14,34]");
	assert_true(fabs(r->rows[r->sel_bic].n_hat - 10356.5) < 0.05);
	assert_string_equal(r->rows[r->sel_bic].ci_kind, "profile");
	assert_string_equal(r->rows[r->sel_aic].name, "[123,134]");
	assert_string_equal(r->rows[r->sel_stepwise].name, "[12,13,14,23,34]");
	assert_string_equal(r->rows[r->sel_stepwise].method, "stepwise");
	assert_string_equal(r->rows[r->sel_stepwise].ci_kind, "bca");
	assert_string_equal(r->rows[r->sel_lcm].method, "lcm");
	assert_true(r->lowest != KITH_ESTIMATE_NONE);
	assert_true(r->rows[r->lowest].n_hat <= r->rows[r->highest].n_hat);
	assert_true(r->rows[r->sel_bic].defensible && r->rows[r->sel_stepwise].defensible);
	/* M0 fits badly (AIC 1209 against 126): not defensible */
	assert_string_equal(r->rows[0].name, "M0");
	assert_false(r->rows[0].defensible);
	assert_int_equal(r->models_fitted, 113);

	json_t *j;
	assert_int_equal(kith_estimate_json(r, &j, &err), KITH_OK);
	assert_true(json_is_array(json_object_get(j, "lists")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "lists"), 0)), "EXH");
	assert_true(json_real_value(json_object_get(j, "observed")) == 4400);
	json_t *models = json_object_get(j, "models");
	assert_true(json_array_size(models) == r->n_rows);
	json_t *m0 = json_array_get(models, 0);
	const char *keys[] = {"name", "n_hat", "se", "ci95", "aic", "bic", "deviance", "df", "status"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_non_null(json_object_get(m0, keys[i]));
	assert_true(json_array_size(json_object_get(m0, "ci95")) == 2);
	json_t *sel = json_object_get(j, "selected");
	const char *picks[] = {"bic", "aic", "stepwise", "lcm"};
	for (size_t i = 0; i < 4; i++) {
		json_t *p = json_object_get(sel, picks[i]);
		assert_true(json_is_object(p));
		assert_true(json_is_string(json_object_get(p, "model")));
		assert_true(json_is_real(json_object_get(p, "n_hat")));
		assert_true(json_is_array(json_object_get(p, "ci95")));
	}
	assert_string_equal(json_string_value(json_object_get(json_object_get(sel, "bic"), "model")),
			    "[123,14,34]");
	json_t *sens = json_object_get(j, "sensitivity");
	assert_true(json_is_object(json_object_get(sens, "lowest")));
	assert_true(json_is_object(json_object_get(sens, "highest")));
	assert_true(json_real_value(json_object_get(sens, "ratio")) >= 1);
	json_decref(j);

	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_estimate_text(r, &sb, &err), KITH_OK);
	assert_non_null(strstr(sb.buf, "4400 people observed on 4 lists"));
	assert_non_null(strstr(sb.buf, "[123,14,34]"));
	assert_non_null(strstr(sb.buf, "10356.5"));
	assert_non_null(strstr(sb.buf, "(8994.3, 12110.4)"));
	assert_non_null(strstr(sb.buf, "sensitivity"));
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_estimate_svg(r, "Kosovo <test> & co", &sb, &err), KITH_OK);
	assert_true(strncmp(sb.buf, "<svg", 4) == 0);
	assert_non_null(strstr(sb.buf, "Kosovo &lt;test&gt; &amp; co"));
	assert_non_null(strstr(sb.buf, "</svg>"));
	kith_sbuf_release(&sb);
	kith_estimate_free(r);
}

/* Korea: the model of all pairs has no MLE: a status and no number */
static void test_panel_no_mle(void **state)
{
	(void)state;
	if (!getenv("KITH_SHARED"))
		skip();
	struct kith_err err;
	struct kith_estimate_result *r = run("Korea", 0, 0, &err);
	size_t i;
	for (i = 0; i < r->n_rows; i++)
		if (strcmp(r->rows[i].name, "[12,13,23]") == 0)
			break;
	assert_true(i < r->n_rows);
	assert_int_equal(r->rows[i].status, KITH_ESTIMATE_NO_MLE);
	assert_true(isnan(r->rows[i].n_hat));
	assert_false(r->rows[i].defensible);
	assert_string_equal(r->rows[r->sel_bic].name, "[12,23]");
	assert_true(r->sel_lcm == KITH_ESTIMATE_NONE);
	/* without the bootstrap the stepwise model has a profile interval */
	assert_string_equal(r->rows[r->sel_stepwise].ci_kind, "profile");
	json_t *j;
	assert_int_equal(kith_estimate_json(r, &j, &err), KITH_OK);
	json_t *m = json_array_get(json_object_get(j, "models"), i);
	assert_true(json_is_null(json_object_get(m, "n_hat")));
	assert_true(json_is_null(json_object_get(m, "ci95")));
	assert_string_equal(json_string_value(json_object_get(m, "status")), "no-mle");
	assert_true(json_is_null(json_object_get(json_object_get(j, "selected"), "lcm")));
	json_decref(j);
	kith_estimate_free(r);
	assert_string_equal(kith_estimate_status_name(KITH_ESTIMATE_NOT_IDENTIFIABLE), "not-identifiable");
	assert_string_equal(kith_estimate_status_name(KITH_ESTIMATE_WARNING), "warning");
}

/* two lists: M0 and Mt only, main effects, Lincoln-Petersen */
static void test_panel_two_lists(void **state)
{
	(void)state;
	double c[4] = {0, 60, 40, 20};
	struct kith_stats_table *t;
	struct kith_err err;
	assert_int_equal(kith_stats_table_new(&t, 2, NULL, c, &err), KITH_OK);
	struct kith_estimate_opts o = {.no_boot = 1, .no_lcm = 1, .threads = 1};
	struct kith_estimate_result *r;
	assert_int_equal(kith_estimate_run(t, &o, &r, &err), KITH_OK);
	assert_string_equal(r->rows[0].name, "M0");
	assert_string_equal(r->rows[1].name, "Mt");
	assert_true(fabs(r->rows[1].n_hat - 80.0 * 60.0 / 20.0) < 1e-6);
	assert_string_equal(r->rows[r->sel_bic].name, "[1,2]");
	kith_estimate_free(r);
	o.level = 3;
	assert_int_equal(kith_estimate_run(t, &o, &r, &err), KITH_E_INVALID);
	kith_stats_table_free(t);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rcapture_reference),
	    cmocka_unit_test(test_panel_kosovo),
	    cmocka_unit_test(test_panel_no_mle),
	    cmocka_unit_test(test_panel_two_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
