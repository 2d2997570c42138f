/* Unit tests of src/core/csv: the hostile-input CSV reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/csv.h"
#include "base/sbuf.h"

static int read_all(const char *data, int header, struct kith_err *err, size_t *rows, size_t *last_n)
{
	struct kith_csv *c;
	struct kith_csv_opts o = {.header = header, .comments = 1};
	int rc = kith_csv_open(&c, data, strlen(data), "t.csv", &o, err);
	if (rc)
		return rc;
	struct kith_csv_row r;
	*rows = 0;
	while ((rc = kith_csv_next(c, &r, err)) == 1) {
		(*rows)++;
		*last_n = r.n;
	}
	kith_csv_free(c);
	return rc;
}

static void test_basic_quoting(void **state)
{
	(void)state;
	const char *d = "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n\n2,,\"multi\nline\"\n";
	struct kith_csv *c;
	struct kith_err err;
	struct kith_csv_opts o = {.header = 1};
	assert_int_equal(kith_csv_open(&c, d, strlen(d), "t.csv", &o, &err), 0);
	assert_int_equal(kith_csv_column(c, " B "), 1);
	assert_int_equal(kith_csv_column(c, "z"), -1);
	struct kith_csv_row r;
	assert_int_equal(kith_csv_next(c, &r, &err), 1);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.f[1], "x,y");
	assert_string_equal(r.f[2], "say \"hi\"");
	assert_int_equal(r.line, 2);
	assert_int_equal(kith_csv_next(c, &r, &err), 1);
	assert_string_equal(r.f[1], "");
	assert_string_equal(r.f[2], "multi\nline");
	assert_int_equal(r.line, 4);
	assert_int_equal(kith_csv_next(c, &r, &err), 0);
	kith_csv_free(c);
}

static void test_errors_name_line_and_column(void **state)
{
	(void)state;
	struct kith_err err;
	size_t rows, n;
	assert_int_equal(read_all("a,b\n1,2\n3\n", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_string_equal(err.where, "t.csv:3");
	assert_int_equal(read_all("a,b\n1,\"2\n", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_string_equal(err.where, "t.csv:2:b");
	assert_int_equal(read_all("a,b\n1,x\"y\n", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_string_equal(err.where, "t.csv:2:b");
	assert_int_equal(read_all("a,b\n1,\xff\n", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_string_equal(err.where, "t.csv:2:b");
	assert_int_equal(read_all("a,a\n", 1, &err, &rows, &n), KITH_E_INVALID);
	/* an empty column name is located by its number, not by the empty name */
	assert_int_equal(read_all("a,,c\n1,2,3\n", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_string_equal(err.where, "t.csv:1:column 2");
	assert_int_equal(read_all("", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_int_equal(read_all("a,b\n1,\"2\"x\n", 1, &err, &rows, &n), KITH_E_INVALID);
	assert_int_equal(read_all("a,b\n\xEF\xBB\xBF"
				  "1,2\n",
				  1, &err, &rows, &n),
			 KITH_E_INVALID);
}

static void test_bom_comments_and_nul(void **state)
{
	(void)state;
	struct kith_err err;
	size_t rows = 0, n = 0;
	assert_int_equal(read_all("\xEF\xBB\xBF# source\na,count\n1,3\n# x\n0,4", 1, &err, &rows, &n), 0);
	assert_int_equal(rows, 2);
	char d[] = "a,b\n1,2\n";
	d[5] = '\0';
	struct kith_csv *c;
	assert_int_equal(
	    kith_csv_open(&c, d, sizeof d - 1, "t.csv", &(struct kith_csv_opts){.header = 1}, &err), 0);
	struct kith_csv_row r;
	assert_int_equal(kith_csv_next(c, &r, &err), KITH_E_INVALID);
	assert_int_equal(kith_csv_next(c, &r, &err), KITH_E_INVALID); /* sticky */
	kith_csv_free(c);
}

static void test_limits(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_csv *c;
	const char *d = "a\nxxxxxxxxxx\n";
	struct kith_csv_opts o = {.header = 1, .max_field_len = 4};
	assert_int_equal(kith_csv_open(&c, d, strlen(d), "t.csv", &o, &err), 0);
	struct kith_csv_row r;
	assert_int_equal(kith_csv_next(c, &r, &err), KITH_E_LIMIT);
	kith_csv_free(c);
	o = (struct kith_csv_opts){.header = 1, .max_rows = 1};
	d = "a\n1\n2\n";
	assert_int_equal(kith_csv_open(&c, d, strlen(d), "t.csv", &o, &err), 0);
	assert_int_equal(kith_csv_next(c, &r, &err), 1);
	assert_int_equal(kith_csv_next(c, &r, &err), KITH_E_LIMIT);
	kith_csv_free(c);
}

static void test_utf8_check(void **state)
{
	(void)state;
	assert_int_equal(kith_utf8_check("방미선", strlen("방미선")), strlen("방미선"));
	assert_int_equal(kith_utf8_check("\xC0\xAF", 2), 0);	     /* overlong */
	assert_int_equal(kith_utf8_check("a\xED\xA0\x80", 4), 1);    /* surrogate */
	assert_int_equal(kith_utf8_check("ab\xE2\x82", 4), 2);	     /* truncated */
	assert_int_equal(kith_utf8_check("\xF4\x90\x80\x80", 4), 0); /* > U+10FFFF */
}

static void test_write_field_round_trip(void **state)
{
	(void)state;
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&sb, "h\n"), 0);
	assert_int_equal(kith_csv_write_field(&sb, "a\"b,\nc", 6), 0);
	assert_int_equal(kith_sbuf_addc(&sb, '\n'), 0);
	struct kith_csv *c;
	struct kith_err err;
	assert_int_equal(kith_csv_open(&c, sb.buf, sb.len, "t", &(struct kith_csv_opts){.header = 1}, &err),
			 0);
	struct kith_csv_row r;
	assert_int_equal(kith_csv_next(c, &r, &err), 1);
	assert_string_equal(r.f[0], "a\"b,\nc");
	kith_csv_free(c);
	kith_sbuf_release(&sb);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_quoting),	 cmocka_unit_test(test_errors_name_line_and_column),
	    cmocka_unit_test(test_bom_comments_and_nul), cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_utf8_check),		 cmocka_unit_test(test_write_field_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
