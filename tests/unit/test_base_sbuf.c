/* Unit tests of src/base/sbuf: the string invariant, detach, HTML text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/sbuf.h"

static void test_add_and_detach(void **state)
{
	(void)state;
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_adds(&sb, "a"), 0);
	assert_int_equal(kith_sbuf_addc(&sb, 'b'), 0);
	assert_int_equal(kith_sbuf_addf(&sb, "%d", 42), 0);
	assert_int_equal(kith_sbuf_add(&sb, "xyz", 2), 0);
	assert_int_equal(sb.len, 6);
	assert_string_equal(sb.buf, "ab42xy"); /* buf[len] == '\0' */
	size_t len = 0;
	char *p = kith_sbuf_detach(&sb, &len);
	assert_non_null(p);
	assert_int_equal(len, 6);
	assert_string_equal(p, "ab42xy");
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	kith_wipe_free(p, len);
}

static void test_html(void **state)
{
	(void)state;
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_sbuf_add_html(&sb, "<b a=\"1\" c='2'>K&R</b>"), 0);
	assert_string_equal(sb.buf, "&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;K&amp;R&lt;/b&gt;");
	kith_sbuf_reset(&sb);
	/* control characters (invalid in XML, so in SVG) become spaces; UTF-8 passes */
	assert_int_equal(kith_sbuf_add_html(&sb, "a\tb\nc\x01"
						 "d 김"),
			 0);
	assert_string_equal(sb.buf, "a b c d 김");
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_sbuf_add_html(&sb, ""), 0);
	assert_int_equal(sb.len, 0);
	kith_sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_and_detach),
	    cmocka_unit_test(test_html),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
