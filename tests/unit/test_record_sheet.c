/* Unit tests of src/record/sheet: the spreadsheet CSV of cases (every name
 * here is invented). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/csv.h"
#include "base/sbuf.h"
#include "record/sheet.h"

/* The cell of row `row` (0 = header) under the header `col`, copied into buf; NULL when absent. */
static const char *cell(const struct kith_sbuf *sb, size_t row, const char *col, char *buf, size_t bufsz)
{
	const char *data = sb->buf + 3; /* after the BOM */
	struct kith_csv_opts o = {.header = 1};
	struct kith_csv *c = NULL;
	struct kith_err err;
	assert_int_equal(kith_csv_open(&c, data, sb->len - 3, "sheet", &o, &err), 0);
	int ci = kith_csv_column(c, col);
	const char *res = NULL;
	if (ci >= 0) {
		struct kith_csv_row r;
		for (size_t i = 1; kith_csv_next(c, &r, &err) == 1; i++)
			if (i == row) {
				snprintf(buf, bufsz, "%s", r.f[ci]);
				res = buf;
				break;
			}
	}
	kith_csv_free(c);
	return res;
}

static json_t *load(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	assert_non_null(j);
	return j;
}

static void test_sheet(void **state)
{
	(void)state;
	json_t *b[3] = {
	    load("{\"ref\":\"C-1\",\"person\":{\"name\":\"한지영\",\"sex\":\"female\",\"languages\":[\"ko\","
		 "\"zh\"]},"
		 "\"journey\":[{\"country\":\"CN\",\"date\":\"2012\"},{\"country\":\"TH\"}],"
		 "\"incidents\":[{\"type\":\"forced_marriage\",\"perpetrators\":[{\"role\":\"broker\"},{"
		 "\"role\":\"bought\"}]},"
		 "{\"type\":\"rape\",\"perpetrators\":[{\"role\":\"abuser\"}]}],"
		 "\"consent\":{\"tracing\":true,\"sharing\":false},\"notes\":\"=1+1\"}"),
	    load("{\"ref\":\"C-2\",\"person\":{\"name\":\"Ri, \\\"Chol\\\" Min\"},\"narrative\":\"line "
		 "one\\nline two\"}"),
	    load("{\"ref\":\"C-3\",\"person\":{\"name\":\"Pak Un-hui\"},"
		 "\"incidents\":[{\"type\":\"rape\"},{\"type\":\"rape\",\"perpetrators\":[{\"role\":\"a\"},{"
		 "\"role\":\"b\"},{"
		 "\"role\":\"c\"}]}]}"),
	};
	struct kith_sbuf out = KITH_SBUF_INIT;
	struct kith_err err;
	assert_int_equal(kith_sheet_write(b, 3, "en", &out, &err), KITH_OK);
	assert_memory_equal(out.buf, "\xEF\xBB\xBF", 3);
	assert_non_null(strstr(out.buf, "\r\n"));
	char buf[256];
	assert_string_equal(cell(&out, 1, "Case number", buf, sizeof buf), "C-1");
	assert_string_equal(cell(&out, 1, "Sex", buf, sizeof buf), "Female");
	assert_string_equal(cell(&out, 1, "Languages", buf, sizeof buf), "Korean; Chinese");
	assert_string_equal(cell(&out, 1, "Journey 2: Country", buf, sizeof buf), "Thailand");
	assert_null(cell(&out, 1, "Journey 3: Country", buf, sizeof buf)); /* the longest journey has two */
	assert_string_equal(cell(&out, 1, "Incidents 1 · Perpetrators 2: Role", buf, sizeof buf),
			    "Bought the person");
	/* a list inside a list: as many columns as the longest anywhere (C-3's second incident) */
	assert_non_null(cell(&out, 1, "Incidents 2 · Perpetrators 3: Role", buf, sizeof buf));
	assert_null(cell(&out, 1, "Incidents 2 · Perpetrators 4: Role", buf, sizeof buf));
	assert_string_equal(
	    cell(&out, 1, "Consent: Consents to sharing with other organizations", buf, sizeof buf), "No");
	assert_string_equal(cell(&out, 1, "Notes", buf, sizeof buf), "'=1+1"); /* defused */
	assert_string_equal(cell(&out, 2, "Name as given", buf, sizeof buf), "Ri, \"Chol\" Min");
	assert_string_equal(cell(&out, 2, "Testimony", buf, sizeof buf), "line one\nline two");
	assert_string_equal(cell(&out, 2, "Sex", buf, sizeof buf), "");
	kith_sbuf_release(&out);

	assert_int_equal(kith_sheet_write(b, 3, "ko", &out, &err), KITH_OK);
	assert_string_equal(cell(&out, 1, "성별", buf, sizeof buf), "여성");
	assert_string_equal(cell(&out, 1, "사례 번호", buf, sizeof buf), "C-1");
	kith_sbuf_release(&out);

	assert_int_equal(kith_sbuf_adds(&out, "kept"), KITH_OK);
	assert_int_equal(kith_sheet_write(b, 3, "fr", &out, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "lang");
	assert_string_equal(out.buf, "kept");
	kith_sbuf_release(&out);

	/* no cases: the header alone */
	assert_int_equal(kith_sheet_write(NULL, 0, "en", &out, &err), KITH_OK);
	assert_non_null(strstr(out.buf, "Case number"));
	kith_sbuf_release(&out);
	for (int i = 0; i < 3; i++)
		json_decref(b[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sheet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
