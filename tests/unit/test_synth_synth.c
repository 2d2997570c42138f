/* Unit tests of src/link/synth: determinism, the shape of the population,
 * outputs that the rest of kith reads (CSV for linkage, valid case and trace
 * records), and the truth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "record/record.h"
#include "link/dataset.h"
#include "names/names.h"
#include "synth/synth.h"

struct out {
	char *buf[5];
	size_t len[5];
	FILE *f[5];
};

static int gen(const struct kith_synth_opts *o, struct out *x, struct kith_synth_summary *s)
{
	memset(x, 0, sizeof *x);
	for (int i = 0; i < 5; i++) {
		x->f[i] = open_memstream(&x->buf[i], &x->len[i]);
		assert_non_null(x->f[i]);
	}
	struct kith_err err;
	int rc = kith_synth_write(o, x->f[0], x->f[1], x->f[2], x->f[3], x->f[4], s, &err);
	for (int i = 0; i < 5; i++)
		fclose(x->f[i]);
	return rc;
}

static void out_free(struct out *x)
{
	for (int i = 0; i < 5; i++)
		free(x->buf[i]);
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_deterministic(void **state)
{
	(void)state;
	struct kith_synth_opts o = {.people = 800, .seed = 5, .families = 1};
	struct out a, b, c;
	struct kith_synth_summary sa, sb, sc;
	assert_int_equal(gen(&o, &a, &sa), KITH_OK);
	assert_int_equal(gen(&o, &b, &sb), KITH_OK);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(a.len[i], b.len[i]);
		assert_memory_equal(a.buf[i], b.buf[i], a.len[i]);
	}
	o.seed = 6;
	assert_int_equal(gen(&o, &c, &sc), KITH_OK);
	assert_true(a.len[0] != c.len[0] || memcmp(a.buf[0], c.buf[0], a.len[0]) != 0);
	out_free(&a);
	out_free(&b);
	out_free(&c);
}

static int cmp_person(const void *a, const void *b)
{
	return strncmp(*(char *const *)a, *(char *const *)b, 8);
}

static void test_population_and_truth(void **state)
{
	(void)state;
	struct kith_synth_opts o = {.people = 3000, .seed = 11, .lists = 4};
	struct out x;
	struct kith_synth_summary s;
	assert_int_equal(gen(&o, &x, &s), KITH_OK);
	assert_int_equal(s.people, 3000);
	assert_int_equal(s.lists, 4);
	assert_true(s.recorded > 1000 && s.recorded < 3000); /* some people are on no list */
	assert_int_equal(lines(x.buf[0]), s.records + 1);
	assert_int_equal(lines(x.buf[1]), s.records + 1);
	uint64_t per = 0;
	for (unsigned l = 0; l < 4; l++) {
		assert_true(s.per_list[l] > 0);
		per += s.per_list[l];
	}
	assert_int_equal(per, s.records);
	assert_int_equal(
	    strncmp(x.buf[0], "id,source,name,other_names,sex,birth_year,birth_date,origin,age,age_in_year\n",
		    76),
	    0);
	/* mostly women, mostly North Hamgyong */
	size_t female = 0, male = 0;
	for (const char *p = x.buf[0]; (p = strstr(p, ",female,")); p++)
		female++;
	for (const char *p = x.buf[0]; (p = strstr(p, ",male,")); p++)
		male++;
	assert_true(female > 3 * male);
	/* the records load as linkage input without any configuration */
	struct kith_linkcfg c;
	kith_linkcfg_init(&c);
	struct kith_dataset *ds;
	struct kith_err err;
	assert_int_equal(kith_dataset_new(&ds, &c, &err), KITH_OK);
	int rc = kith_dataset_add_csv(ds, x.buf[0], x.len[0], "records.csv", NULL, &err);
	if (rc)
		print_error("%s: %s\n", err.where, err.msg);
	assert_int_equal(rc, KITH_OK);
	assert_int_equal(kith_dataset_finish(ds, &err), KITH_OK);
	assert_int_equal(kith_dataset_count(ds), s.records);
	assert_int_equal(kith_dataset_n_sources(ds), 4);
	size_t nf;
	kith_dataset_fields(ds, &nf);
	assert_int_equal(nf, 5); /* name, sex, birth, origin, list (dedupe over four lists) */
	kith_dataset_free(ds);
	/* the truth: pairs of one person as counted */
	char *t = x.buf[1];
	size_t n = 0;
	char **person = calloc(s.records, sizeof *person);
	for (char *line = strchr(t, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		char *comma = strchr(line, ',');
		person[n++] = comma + 1;
	}
	assert_int_equal(n, s.records);
	/* count pairs by sorting person ids (each is "P" + 7 digits) */
	qsort(person, n, sizeof *person, cmp_person);
	uint64_t pairs = 0, run = 1;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && strncmp(person[i], person[i - 1], 8) == 0) {
			run++;
			continue;
		}
		pairs += run * (run - 1) / 2;
		run = 1;
	}
	assert_int_equal(pairs, s.true_pairs);
	free(person);
	out_free(&x);
}

static void each_json_line(const char *buf, const char *kind, size_t *count)
{
	*count = 0;
	const char *p = buf;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		json_error_t je;
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, &je);
		assert_non_null(j);
		struct kith_err err;
		int rc = kith_record_validate(kind, j, &err);
		if (rc)
			print_error("%s: %s\n", err.where, err.msg);
		assert_int_equal(rc, KITH_OK);
		json_decref(j);
		(*count)++;
		p = nl + 1;
	}
}

static void test_families_traces_cases(void **state)
{
	(void)state;
	struct kith_synth_opts o = {.people = 2000, .seed = 3, .families = 1};
	struct out x;
	struct kith_synth_summary s;
	assert_int_equal(gen(&o, &x, &s), KITH_OK);
	assert_true(s.families > 100);
	assert_true(s.traces > 20 && s.traces <= s.families);
	assert_int_equal(lines(x.buf[2]), s.families + 1);
	assert_non_null(strstr(x.buf[2], "T-SYN-000001"));
	size_t n;
	each_json_line(x.buf[3], "trace", &n);
	assert_int_equal(n, s.traces);
	assert_non_null(strstr(x.buf[3], "\"relation\":\"child\""));
	assert_non_null(strstr(x.buf[3], "\"country\":\"CN\""));
	each_json_line(x.buf[4], "case", &n);
	assert_int_equal(n, s.records);
	assert_non_null(strstr(x.buf[4], "\"ref\":\"R0000001\""));
	/* children are mostly recorded with an age */
	assert_non_null(strstr(x.buf[4], "age_at_intake"));
	out_free(&x);
}

static void test_bad_options(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_synth_opts o = {.people = 10, .lists = 17};
	assert_int_equal(kith_synth_write(&o, NULL, NULL, NULL, NULL, NULL, NULL, &err), KITH_E_INVALID);
	o.lists = 2;
	o.people = 1;
	assert_int_equal(kith_synth_write(&o, NULL, NULL, NULL, NULL, NULL, NULL, &err), KITH_E_INVALID);
	o.people = 50;
	o.lists = 9; /* more lists than profiles: names repeat with a number */
	struct out x;
	struct kith_synth_summary s;
	assert_int_equal(gen(&o, &x, &s), KITH_OK);
	assert_string_equal(s.list_names[8], "shelter-seoul-3");
	out_free(&x);
}

/* The habits of issue 13 are there: names without a surname (a given name
 * alone) and records whose other name has another surname than the name (a
 * woman recorded under another name, her old one kept). */
static void test_naming_habits(void **state)
{
	(void)state;
	struct kith_synth_opts o = {.people = 3000, .seed = 11, .lists = 4};
	struct out x;
	struct kith_synth_summary s;
	assert_int_equal(gen(&o, &x, &s), KITH_OK);
	size_t given_only = 0, renamed = 0, rows = 0;
	char *save = NULL;
	for (char *l = strtok_r(x.buf[0], "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (rows++ == 0 || strchr(l, '"'))
			continue; /* header; a quoted field (none expected in names) */
		char *f[4] = {l};
		int k = 1;
		for (char *p = l; *p && k < 4; p++)
			if (*p == ',') {
				*p = '\0';
				f[k++] = p + 1;
			}
		if (k < 4)
			continue;
		char *end = strchr(f[3], ',');
		if (end)
			*end = '\0';
		struct kith_name a, b;
		if (kith_names_encode(&a, f[2], strlen(f[2]), NULL))
			continue;
		if (!a.n_sur && !(a.flags & KITH_NAMES_F_SURONLY))
			given_only++;
		if (f[3][0] && !kith_names_encode(&b, f[3], strlen(f[3]), NULL) &&
		    kith_names_surname_key(&a) && kith_names_surname_key(&b) &&
		    kith_names_surname_key(&a) != kith_names_surname_key(&b))
			renamed++;
	}
	print_message("%zu records: %zu read without a surname, %zu with another surname among other names\n",
		      rows - 1, given_only, renamed);
	assert_true(given_only >= 10);
	assert_true(renamed >= 10);
	out_free(&x);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deterministic),	  cmocka_unit_test(test_population_and_truth),
	    cmocka_unit_test(test_families_traces_cases), cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_naming_habits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
