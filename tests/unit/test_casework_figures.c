/* Unit tests of src/casework/figures and src/casework/together: the report
 * and estimate of a vault's persons (consent enforced; the same figures as
 * the report engine on the same persons), and this organization's encoding
 * and a joint linkage (every name here is invented). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "base/status.h"
#include "casework/figures.h"
#include "casework/report.h"
#include "casework/together.h"
#include "stats/estimate.h"
#include "stats/report.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	if (kith_process_init())
		return -1;
	struct fixture_vault *f = fixture_vault_new("figures");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

/* One case: name, sex, birth year, organization, reporting consent (-1: unstated). */
static void put(struct kith_vault *v, const char *name, const char *sex, const char *birth, const char *org,
		int consent)
{
	json_t *b = json_pack("{s:{s:s, s:s, s:s}, s:{s:s}}", "person", "name", name, "sex", sex, "birth",
			      birth, "source", "organization", org);
	if (consent >= 0)
		json_object_set_new(b, "consent", json_pack("{s:b}", "reporting", consent));
	fixture_vault_put(v, "case", b);
	json_decref(b);
}

static void seed(struct kith_vault *v)
{
	static const char *const names[] = {"Anna Berg",   "Eva Falk",	  "Ivar Jung", "Gustav Holm",
					    "Olga Nyberg", "Petra Quist", "Rut Sand",  "Tove Ulv",
					    "Vera Wik",	   "Ylva Zorn",	  "Maja Lind", "Nils Ek",
					    "Sara Ahl",	   "Karl Berg",	  "Lena Dahl"};
	static const char *const orgs[] = {"shelter", "police", "church"};
	char year[8];
	for (int i = 0; i < 15; i++) {
		snprintf(year, sizeof year, "%d", 1960 + 2 * i);
		/* each person on one to three lists; the last two without consent */
		for (int o = 0; o <= i % 3; o++)
			put(v, names[i], i % 4 == 1 ? "male" : "female", year, orgs[(i + o) % 3],
			    i >= 13 ? 0 : 1);
	}
}

static void test_report(void **state)
{
	struct fixture_vault *f = *state;
	seed(f->v);
	struct kith_err err;
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_figures_report_info info;
	struct kith_figures_report_opts o = {.by = {"sex"}, .n_by = 1, .format = "json", .threshold = 1};
	assert_int_equal(kith_figures_report(f->v, &o, &sb, &info, &err), KITH_OK);
	/* 15 persons, 2 without consent: 13 counted; their cases are the consent count */
	assert_int_equal(info.persons, 13);
	assert_int_equal(info.left_out, 2);
	assert_true(info.no_consent >= 2);
	json_t *j = json_loadb(sb.buf, sb.len, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 13);
	json_decref(j);

	/* the same figures as the engine on the casework's persons */
	struct kith_report_table t;
	struct kith_casework_report_info ci;
	const char *by[] = {"sex"};
	assert_int_equal(kith_casework_report_persons(f->v, by, 1, "en", &t, &ci, &err), KITH_OK);
	struct kith_report_opts ro = {.by = {"sex"}, .n_by = 1, .threshold = 1, .lang = "en"};
	struct kith_report *r = NULL;
	struct kith_sbuf eb = KITH_SBUF_INIT;
	assert_int_equal(kith_report_build(&t.d, &ro, &r, &err), KITH_OK);
	assert_int_equal(kith_report_render(r, KITH_REPORT_JSON, &eb, &err), KITH_OK);
	assert_int_equal(eb.len, sb.len);
	assert_memory_equal(eb.buf, sb.buf, sb.len);
	kith_report_free(r);
	kith_report_table_free(&t);
	kith_sbuf_release(&eb);

	/* a failure leaves the buffer as it was */
	size_t before = sb.len;
	o.by[0] = "person.name";
	assert_int_equal(kith_figures_report(f->v, &o, &sb, &info, &err), KITH_E_INVALID);
	assert_int_equal(sb.len, before);
	o.by[0] = "sex";
	o.format = "xlsx";
	assert_int_equal(kith_figures_report(f->v, &o, &sb, &info, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "format");
	o.format = "ctdc";
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_figures_report(f->v, &o, &sb, &info, &err), KITH_OK);
	assert_int_equal(info.k, 11);
	assert_non_null(strstr(sb.buf, "yearOfRegistration"));
	assert_null(strstr(sb.buf, "Berg"));
	kith_sbuf_release(&sb);
	assert_string_equal(kith_figures_report_ext("hxl"), "csv");
	assert_null(kith_figures_report_mime("exe"));
}

static void test_estimate(void **state)
{
	struct fixture_vault *f = *state;
	seed(f->v);
	struct kith_err err;
	struct kith_figures_estimate *e = NULL;
	/* the wiring is tested here, not the estimator (tests/unit/test_stats_*):
	 * short chains and few replicates, so that valgrind runs it in seconds */
	struct kith_estimate_opts est = {
	    .seed = 1234, .boot = 20, .lcm = {.burnin = 100, .iter = 400, .chains = 2}};
	struct kith_figures_estimate_opts o = {.stratify = "person.sex", .est = &est};
	assert_int_equal(kith_figures_estimate_run(f->v, &o, &e, &err), KITH_OK);
	assert_int_equal(kith_figures_estimate_count(e), 3); /* total, female, male */
	assert_string_equal(kith_figures_estimate_name(e, 0), "total");
	json_t *j = kith_figures_estimate_json(e);
	assert_non_null(j);
	json_t *c = json_object_get(j, "counted");
	assert_int_equal(json_integer_value(json_object_get(c, "persons")), 13);
	assert_int_equal(json_array_size(json_object_get(c, "lists")), 3);
	assert_non_null(json_object_get(j, "strata"));
	json_decref(j);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_figures_estimate_counted_text(e, "ko", &sb, &err), KITH_OK);
	assert_non_null(strstr(sb.buf, "빠진 것"));
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_figures_estimate_summary(e, 0, "en", &sb, &err), KITH_OK);
	assert_non_null(strstr(sb.buf, "people"));
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_figures_estimate_svg(e, &sb, &err), KITH_OK);
	assert_non_null(strstr(sb.buf, "<svg"));
	kith_sbuf_release(&sb);
	kith_figures_estimate_free(e);

	/* a bad mapping: the estimate does not run, the error names the mapping */
	const char bad[] = "org,list\nshelter,S\n";
	struct kith_figures_estimate_opts ob = {
	    .lists = bad, .lists_len = strlen(bad), .lists_name = "m.csv"};
	assert_int_equal(kith_figures_estimate_run(f->v, &ob, &e, &err), KITH_E_INVALID);
	assert_null(e);
	assert_non_null(strstr(err.where, "m.csv"));
}

static void test_together(void **state)
{
	struct fixture_vault *f = *state;
	seed(f->v);
	struct kith_err err;
	char secret[65], sign[32 + 2 * crypto_sign_SECRETKEYBYTES + 2];
	unsigned char s[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	randombytes_buf(s, sizeof s);
	sodium_bin2hex(secret, sizeof secret, s, sizeof s);
	crypto_sign_keypair(pk, sk);
	strcpy(sign, "kith-pprl-sign-v1 ");
	sodium_bin2hex(sign + strlen(sign), 2 * crypto_sign_SECRETKEYBYTES + 1, sk, sizeof sk);
	struct kith_sbuf a = KITH_SBUF_INIT, b = KITH_SBUF_INIT;
	struct kith_together_counts c;
	assert_int_equal(kith_together_encode(f->v, secret, strlen(secret), "s", sign, strlen(sign), "k",
					      "shelter", NULL, &a, NULL, &c, &err),
			 KITH_OK);
	assert_int_equal(c.no_consent, c.cases - c.taken - c.unusable);
	assert_true(c.no_consent >= 2);
	assert_int_equal(kith_together_encode(f->v, secret, strlen(secret), "s", sign, strlen(sign), "k",
					      "police", NULL, &b, NULL, &c, &err),
			 KITH_OK);
	size_t taken = c.taken;
	/* a bad key or name: refused by its name, nothing written */
	size_t before = a.len;
	assert_int_equal(kith_together_encode(f->v, secret, strlen(secret), "s", secret, strlen(secret),
					      "key.txt", "x", NULL, &a, NULL, &c, &err),
			 KITH_E_INVALID);
	assert_string_equal(err.where, "key.txt");
	assert_int_equal(kith_together_encode(f->v, "short", 5, "sec.txt", sign, strlen(sign), "k", "x", NULL,
					      &a, NULL, &c, &err),
			 KITH_E_INVALID);
	assert_string_equal(err.where, "sec.txt");
	assert_int_equal(a.len, before);

	json_t *info = NULL;
	assert_int_equal(kith_together_inspect((const uint8_t *)a.buf, a.len, "a.kpe", &info, &err), KITH_OK);
	assert_string_equal(json_string_value(json_object_get(info, "organization")), "shelter");
	json_decref(info);

	/* the same records under two names: every record meets its twin */
	struct kith_together_file files[2] = {{"a.kpe", (const uint8_t *)a.buf, a.len},
					      {"b.kpe", (const uint8_t *)b.buf, b.len}};
	struct kith_together_opts o = {.estimate = 1, .draws = 3, .want_table_csv = 1};
	json_t *out = NULL;
	assert_int_equal(kith_together_link(files, 2, &o, &out, &err), KITH_OK);
	json_t *l = json_object_get(out, "linkage");
	assert_int_equal(json_integer_value(json_object_get(l, "records")), 2 * (json_int_t)taken);
	assert_non_null(json_object_get(out, "estimate"));
	assert_non_null(strstr(json_string_value(json_object_get(out, "table_csv")), "shelter,police,count"));
	json_decref(out);

	/* one file twice, one file alone, a changed byte */
	files[1] = files[0];
	files[1].name = "copy.kpe";
	assert_int_equal(kith_together_link(files, 2, &o, &out, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "copy.kpe");
	assert_int_equal(kith_together_link(files, 1, &o, &out, &err), KITH_E_INVALID);
	a.buf[a.len / 2] ^= 1;
	files[0] = (struct kith_together_file){"bad.kpe", (const uint8_t *)a.buf, a.len};
	files[1] = (struct kith_together_file){"b.kpe", (const uint8_t *)b.buf, b.len};
	assert_int_not_equal(kith_together_link(files, 2, &o, &out, &err), KITH_OK);
	assert_non_null(strstr(err.where[0] ? err.where : err.msg, "bad.kpe"));
	assert_null(out);
	kith_sbuf_release(&a);
	kith_sbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_estimate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_together, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
