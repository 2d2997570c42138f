/* Unit tests of src/stats/report: counts and cross-tables, disclosure in
 * every rendering, HXL hashtags against the HXL 1.1 dictionary and the CTDC
 * export's columns against the CTDC Global K-anonymized Dataset
 * (tests/data/standards/), its k-anonymity, and the Korean labels.
 * Invented persons only. */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats/report.h"

#define NP 240
#define NF 8
static const char *FIELDS[NF] = {"sex",	  "age_band",	      "origin",	     "year",
				 "needs", "means_of_control", "citizenship", "org"};
static char *vals[NP * NF];

static int setup(void **state)
{
	(void)state;
	static const char *prov[] = {"North Hamgyong", "North Hamgyong", "Ryanggang", "South Hamgyong",
				     "Kaesong"};
	static const char *ages[] = {"18-20", "21-23", "24-26", "30-38"};
	static const char *moc[] = {"debt_bondage", "threats;withholds_documents", "", "restricts_movement"};
	uint64_t x = 12345;
	for (size_t p = 0; p < NP; p++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		unsigned r = (unsigned)(x >> 33);
		char **v = vals + p * NF;
		v[0] = strdup(r % 10 < 8 ? "female" : "male");
		v[1] = strdup(ages[(r >> 4) % 4]);
		v[2] = strdup(p == 7 ? "Kaesong" : prov[(r >> 8) % 4]);
		char y[8];
		snprintf(y, sizeof y, "%u", 2016 + (r >> 12) % 3);
		v[3] = strdup(y);
		v[4] = strdup((r >> 14) % 3 == 0 ? "shelter;medical" : (r >> 14) % 3 == 1 ? "legal" : "");
		v[5] = strdup(moc[(r >> 16) % 4]);
		v[6] = strdup("KP");
		v[7] = strdup(p % 2 ? "Org A" : "Org B");
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NP * NF; i++)
		free(vals[i]);
	return 0;
}

static struct kith_report_data data(void)
{
	return (struct kith_report_data){.n_persons = NP,
					 .n_fields = NF,
					 .field_names = FIELDS,
					 .values = (const char *const *)vals,
					 .left_out = 13,
					 .consent_checked = 1};
}

static char *slurp(const char *rel)
{
	const char *src = getenv("KITH_SOURCE");
	if (!src)
		return NULL;
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", src, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static void test_counts(void **state)
{
	(void)state;
	struct kith_report_data d = data();
	struct kith_report_opts o = {.by = {"origin"}, .n_by = 1};
	struct kith_report *r = NULL;
	assert_int_equal(kith_report_build(&d, &o, &r, NULL), KITH_OK);
	struct kith_report_counts c;
	kith_report_counts(r, &c);
	assert_int_equal(c.persons, NP);
	assert_int_equal(c.left_out, 13);
	assert_true(c.additive);
	double sum = 0;
	int st;
	for (size_t i = 0; i < c.rows; i++)
		sum += kith_report_cell(r, i, 0, &st);
	assert_true(sum == NP);
	/* Kaesong has one person: withheld, and something else with it */
	size_t kae = SIZE_MAX;
	for (size_t i = 0; i < c.rows; i++)
		if (strcmp(kith_report_row_label(r, i), "Kaesong") == 0)
			kae = i;
	assert_true(kae != SIZE_MAX);
	assert_true(kith_report_cell(r, kae, 0, &st) >= 1);
	assert_int_equal(st, KITH_DISC_PRIMARY);
	assert_true(c.withheld.primary >= 1 && c.withheld.secondary >= 1);
	/* no published cell is small */
	for (size_t i = 0; i < c.rows; i++) {
		double v = kith_report_cell(r, i, 0, &st);
		if (!st)
			assert_true(v == 0 || v >= 11);
	}
	/* the text says what was withheld and how many were left out */
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_report_render(r, KITH_REPORT_TABLE, &sb, NULL), KITH_OK);
	assert_non_null(strstr(sb.buf, "Left out: 13 without it."));
	assert_non_null(strstr(sb.buf, "Cells under 11 are withheld (x)"));
	assert_null(strstr(sb.buf, "Kaesong           1"));
	kith_sbuf_release(&sb);
	kith_report_free(r);
}

static void test_cross_and_multi(void **state)
{
	(void)state;
	struct kith_report_data d = data();
	struct kith_report_opts o = {.by = {"origin", "sex"}, .n_by = 2};
	struct kith_report *r = NULL;
	assert_int_equal(kith_report_build(&d, &o, &r, NULL), KITH_OK);
	struct kith_report_counts c;
	kith_report_counts(r, &c);
	assert_int_equal(c.cols, 2);
	int st;
	for (size_t i = 0; i < c.rows; i++)
		for (size_t j = 0; j < c.cols; j++) {
			double v = kith_report_cell(r, i, j, &st);
			if (!st)
				assert_true(v == 0 || v >= 11);
		}
	kith_report_free(r);
	/* needs: several per person; the total is the number of persons */
	struct kith_report_opts o2 = {.by = {"needs"}, .n_by = 1};
	assert_int_equal(kith_report_build(&d, &o2, &r, NULL), KITH_OK);
	kith_report_counts(r, &c);
	assert_false(c.additive);
	assert_true(kith_report_cell(r, SIZE_MAX, SIZE_MAX, &st) == NP);
	kith_report_free(r);
	/* errors */
	struct kith_err e;
	struct kith_report_opts bad = {.by = {"nope"}, .n_by = 1};
	assert_int_equal(kith_report_build(&d, &bad, &r, &e), KITH_E_INVALID);
	struct kith_report_opts twice = {.by = {"sex", "sex"}, .n_by = 2};
	assert_int_equal(kith_report_build(&d, &twice, &r, &e), KITH_E_INVALID);
	struct kith_report_opts fr = {.by = {"sex"}, .n_by = 1, .lang = "fr"};
	assert_int_equal(kith_report_build(&d, &fr, &r, &e), KITH_E_INVALID);
}

static int valid_name(const char *s)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int in_list(const char *list, const char *tag)
{
	char line[128];
	snprintf(line, sizeof line, "\n%s\n", tag);
	return strstr(list, line) != NULL;
}

/* every hashtag and attribute of the second line: syntax and dictionary */
static void check_hxl(const char *out, const char *list)
{
	const char *nl = strchr(out, '\n');
	assert_non_null(nl);
	char tags[4096];
	const char *end = strchr(nl + 1, '\n');
	assert_non_null(end);
	size_t n = (size_t)(end - nl - 1);
	assert_true(n < sizeof tags);
	memcpy(tags, nl + 1, n);
	tags[n] = '\0';
	size_t cols = 0;
	for (char *col = strtok(tags, ","); col; col = strtok(NULL, ",")) {
		cols++;
		assert_int_equal(col[0], '#');
		char *plus = strchr(col, '+');
		char hash[128];
		size_t hl = plus ? (size_t)(plus - col) : strlen(col);
		memcpy(hash, col, hl);
		hash[hl] = '\0';
		assert_true(valid_name(hash + 1));
		if (strncmp(hash, "#x_", 3) != 0)
			assert_true(in_list(list, hash));
		while (plus) {
			char *next = strchr(plus + 1, '+');
			char attr[128];
			size_t al = next ? (size_t)(next - plus) : strlen(plus);
			memcpy(attr, plus, al);
			attr[al] = '\0';
			assert_true(valid_name(attr + 1));
			if (strncmp(attr, "+x_", 3) != 0 && strncmp(attr, "+age_", 5) != 0)
				assert_true(in_list(list, attr));
			plus = next;
		}
	}
	assert_true(cols >= 2);
}

static void test_hxl(void **state)
{
	(void)state;
	char *list = slurp("tests/data/standards/hxl_core_1_1.txt");
	if (!list)
		skip();
	char *nlist = malloc(strlen(list) + 2);
	nlist[0] = '\n';
	strcpy(nlist + 1, list);
	struct kith_report_data d = data();
	const char *pairs[][2] = {{"origin", "sex"},	{"sex", NULL},	  {"age_band", NULL},
				  {"year", "age_band"}, {"org", "needs"}, {"origin", NULL},
				  {"sex", "origin"}};
	for (size_t t = 0; t < sizeof pairs / sizeof *pairs; t++) {
		for (int ko = 0; ko < 2; ko++) {
			struct kith_report_opts o = {.by = {pairs[t][0], pairs[t][1]},
						     .n_by = pairs[t][1] ? 2 : 1,
						     .lang = ko ? "ko" : "en"};
			struct kith_report *r = NULL;
			assert_int_equal(kith_report_build(&d, &o, &r, NULL), KITH_OK);
			struct kith_sbuf sb = KITH_SBUF_INIT;
			assert_int_equal(kith_report_render(r, KITH_REPORT_HXL, &sb, NULL), KITH_OK);
			check_hxl(sb.buf, nlist);
			kith_sbuf_release(&sb);
			kith_report_free(r);
		}
	}
	/* the expected tags in the common cases */
	struct kith_report_opts o = {.by = {"origin", "sex"}, .n_by = 2};
	struct kith_report *r = NULL;
	assert_int_equal(kith_report_build(&d, &o, &r, NULL), KITH_OK);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_report_render(r, KITH_REPORT_HXL, &sb, NULL), KITH_OK);
	assert_non_null(strstr(sb.buf, "\n#adm1+name,#affected+f,#affected+m,#affected+total\n"));
	kith_sbuf_release(&sb);
	kith_report_free(r);
	free(nlist);
	free(list);
}

static void test_ctdc(void **state)
{
	(void)state;
	char *want = slurp("tests/data/standards/ctdc_global_kanon_columns.txt");
	if (!want)
		skip();
	size_t n;
	const char *const *cols = kith_report_ctdc_columns(&n);
	assert_int_equal(n, 63);
	struct kith_sbuf list = KITH_SBUF_INIT;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(kith_sbuf_addf(&list, "%s\n", cols[i]), KITH_OK);
	assert_string_equal(list.buf, want);
	kith_sbuf_release(&list);

	struct kith_report_data d = data();
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_disc_kanon_summary s;
	assert_int_equal(kith_report_ctdc(&d, 11, &sb, &s, NULL), KITH_OK);
	/* header: the columns, comma separated */
	char *hdr = strndup(sb.buf, (size_t)(strchr(sb.buf, '\n') - sb.buf));
	for (char *p = hdr; *p; p++)
		if (*p == ',')
			*p = '\n';
	size_t hl = strlen(hdr);
	assert_true(strncmp(hdr, want, hl) == 0 && want[hl] == '\n' && want[hl + 1] == '\0');
	free(hdr);
	/* rows: flags from the fields, and k-anonymity on the quasi-identifiers */
	assert_non_null(strstr(sb.buf, "Case Management,Female,"));
	size_t rows = 0;
	char *copy = strdup(sb.buf), *save = NULL;
	char *keys[NP];
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (rows++ == 0)
			continue;
		/* fields 0 (year), 2 (gender), 3 (ageBroad), 7 (citizenship), 57 (country) */
		char key[256] = "", *f = line;
		for (int col = 0; col < 63 && f; col++) {
			char *comma = strchr(f, ',');
			size_t l = comma ? (size_t)(comma - f) : strlen(f);
			if (col == 0 || col == 2 || col == 3 || col == 7 || col == 57)
				snprintf(key + strlen(key), sizeof key - strlen(key), "%.*s|", (int)l, f);
			if (col == 8)
				assert_true(l == 0 || (l == 1 && (*f == '0' || *f == '1')));
			f = comma ? comma + 1 : NULL;
		}
		keys[rows - 2] = strdup(key);
	}
	size_t kept = rows - 1;
	assert_int_equal(kept + s.records_dropped, NP);
	for (size_t i = 0; i < kept; i++) {
		size_t same = 0;
		for (size_t j = 0; j < kept; j++)
			same += strcmp(keys[i], keys[j]) == 0;
		assert_true(same >= 11);
	}
	for (size_t i = 0; i < kept; i++)
		free(keys[i]);
	free(copy);
	assert_null(strstr(sb.buf, "threats;withholds_documents"));
	assert_non_null(strstr(sb.buf, "Threats;WithholdsDocuments"));
	kith_sbuf_release(&sb);
	free(want);
}

static void test_renderings(void **state)
{
	(void)state;
	struct kith_report_data d = data();
	struct kith_report_opts o = {.by = {"origin", "sex"}, .n_by = 2, .lang = "ko"};
	struct kith_report *r = NULL;
	assert_int_equal(kith_report_build(&d, &o, &r, NULL), KITH_OK);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_report_render(r, KITH_REPORT_HTML, &sb, NULL), KITH_OK);
	assert_non_null(strstr(sb.buf, "<html lang=\"ko\">"));
	assert_non_null(strstr(sb.buf, "출신 지역 및 성별별 인원"));
	assert_non_null(strstr(sb.buf, "<svg"));
	assert_non_null(strstr(sb.buf, "동의가 없는 13명은 빠졌습니다"));
	assert_null(strstr(sb.buf, "<script"));
	/* no external reference: the only URL is the SVG namespace */
	size_t urls = 0, ns = 0;
	for (const char *p = sb.buf; (p = strstr(p, "://")); p++)
		urls++;
	for (const char *p = sb.buf; (p = strstr(p, "http://www.w3.org/2000/svg")); p++)
		ns++;
	assert_int_equal(urls, ns);
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_report_render(r, KITH_REPORT_SVG, &sb, NULL), KITH_OK);
	assert_non_null(strstr(sb.buf, "여성"));
	assert_non_null(strstr(sb.buf, "</svg>"));
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_report_render(r, KITH_REPORT_JSON, &sb, NULL), KITH_OK);
	assert_non_null(strstr(sb.buf, "\"left_out\":13"));
	assert_non_null(strstr(sb.buf, "\"withheld_cells\":[{"));
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_report_render(r, KITH_REPORT_CSV, &sb, NULL), KITH_OK);
	assert_true(strncmp(sb.buf, "origin,sex,count,withheld\n", 26) == 0);
	assert_non_null(strstr(sb.buf, ",,small count\n"));
	kith_sbuf_release(&sb);
	kith_report_free(r);
	assert_int_equal(kith_report_format_parse("hxl"), KITH_REPORT_HXL);
	assert_int_equal(kith_report_format_parse("ctdc"), -2);
	assert_int_equal(kith_report_format_parse("xlsx"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts), cmocka_unit_test(test_cross_and_multi), cmocka_unit_test(test_hxl),
	    cmocka_unit_test(test_ctdc),   cmocka_unit_test(test_renderings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
