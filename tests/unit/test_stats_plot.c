/* Unit tests of src/stats/plot: the SVG chart of a panel of estimates. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/sbuf.h"
#include "stats/plot.h"

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_svg(void **state)
{
	(void)state;
	struct kith_plot_row rows[] = {
	    {"M0", "ok", 7608.4, 7348.2, 7884.1, 0},	   {"[123,14,34]", "ok", 10356.5, 8994.3, 12110.4, 1},
	    {"<script>&\"'", "ok", 9000, NAN, NAN, 0},	   {"[12,13,23]", "no-mle", NAN, NAN, NAN, 0},
	    {"open", "warning", 20000, 9000, HUGE_VAL, 0},
	};
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_err err;
	assert_int_equal(kith_plot_svg(&sb, rows, 5, "Kosovo & <co>", 4400, &err), KITH_OK);
	assert_true(strncmp(sb.buf, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_non_null(strstr(sb.buf, "</svg>\n"));
	assert_non_null(strstr(sb.buf, "Kosovo &amp; &lt;co&gt;"));
	assert_non_null(strstr(sb.buf, "&lt;script&gt;&amp;&quot;&#39;"));
	assert_null(strstr(sb.buf, "<script"));
	assert_non_null(strstr(sb.buf, "no-mle"));
	assert_non_null(strstr(sb.buf, "observed 4400"));
	assert_non_null(strstr(sb.buf, "linear axis")); /* 4400 .. 20000: under a factor of 10 */
	assert_int_equal(count(sb.buf, "<circle"), 4);	/* one per estimate */
	assert_int_equal(count(sb.buf, "<path"), 1);	/* the open interval's arrow */
	assert_non_null(strstr(sb.buf, "#b5401d"));	/* the highlighted row */
	assert_null(strstr(sb.buf, "nan"));
	assert_null(strstr(sb.buf, "inf"));
	assert_int_equal(count(sb.buf, "<text"), count(sb.buf, "</text>"));
	kith_sbuf_release(&sb);
	/* a wide span gets a logarithmic axis */
	struct kith_plot_row wide[] = {{"a", "ok", 150, 120, 300, 0}, {"b", "ok", 50000, 20000, 90000, 0}};
	assert_int_equal(kith_plot_svg(&sb, wide, 2, NULL, 0, &err), KITH_OK);
	assert_non_null(strstr(sb.buf, "logarithmic axis"));
	kith_sbuf_release(&sb);
	/* nothing to draw */
	assert_int_equal(kith_plot_svg(&sb, rows, 0, "x", 1, &err), KITH_E_INVALID);
	struct kith_plot_row none[] = {{"x", "no-mle", NAN, NAN, NAN, 0}};
	assert_int_equal(kith_plot_svg(&sb, none, 1, "x", 0, &err), KITH_OK);
	assert_non_null(strstr(sb.buf, "</svg>"));
	kith_sbuf_release(&sb);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_svg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
