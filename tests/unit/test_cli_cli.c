/* Unit tests of src/cli/cli: the option number parsers every command shares
 * (kith_cli_parse_u64, kith_cli_parse_double), fed hostile strings, the
 * new passphrase reader and the shared option loop (kith_cli_getopt). */
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"

/* Refused: the status, and *out untouched. */
static void double_refused(const char *s, double lo, double hi)
{
	double out = 42.5;
	if (kith_cli_parse_double(s, lo, hi, &out) != KITH_E_INVALID)
		fail_msg("'%s' in [%g, %g] was accepted", s ? s : "(null)", lo, hi);
	assert_true(out == 42.5);
}

static double double_ok(const char *s, double lo, double hi)
{
	double out = 42.5;
	if (kith_cli_parse_double(s, lo, hi, &out) != KITH_OK)
		fail_msg("'%s' in [%g, %g] was refused", s, lo, hi);
	return out;
}

static void test_double_accepts_numbers_in_range(void **state)
{
	(void)state;
	assert_true(double_ok("0.5", 0, 1) == 0.5);
	assert_true(double_ok("0", 0, 1) == 0);
	assert_true(double_ok("1", 0, 1) == 1); /* both bounds included */
	assert_true(double_ok("1e-3", 0, 1) == 1e-3);
	assert_true(double_ok("+0.25", 0, 1) == 0.25);
	assert_true(double_ok(" 0.25", 0, 1) == 0.25); /* leading white space, as strtod */
	assert_true(double_ok("0x1p-1", 0, 1) == 0.5); /* hexadecimal, as strtod */
	assert_true(double_ok("-1.5", -2, 2) == -1.5);
	assert_true(double_ok("1e300", 0, DBL_MAX) == 1e300);
	/* "-0" reads as 0, not a negative zero */
	double z = double_ok("-0", 0, 1);
	assert_true(z == 0 && !signbit(z));
	z = double_ok("-0.0e5", 0, 1);
	assert_true(z == 0 && !signbit(z));
}

static void test_double_refuses_hostile_strings(void **state)
{
	(void)state;
	double_refused(NULL, 0, 1);
	double_refused("", 0, 1);
	double_refused(" ", 0, 1);
	double_refused("-", 0, 1);
	double_refused(".", 0, 1);
	double_refused("e5", 0, 1);
	double_refused("abc", 0, 1);
	double_refused("0.5x", 0, 1);		/* trailing garbage */
	double_refused("0.5 ", 0, 1);		/* trailing white space */
	double_refused("0.5\n", 0, 1);		/* a newline is garbage too */
	double_refused("0,5", 0, 1);		/* a decimal comma */
	double_refused("1e999", 0, HUGE_VAL);	/* overflow (ERANGE), even with no upper bound */
	double_refused("-1e999", -HUGE_VAL, 0); /* and below */
	double_refused("1e-999", 0, 1);		/* underflow (ERANGE) */
	double_refused("nan", -HUGE_VAL, HUGE_VAL);
	double_refused("-nan", -HUGE_VAL, HUGE_VAL);
	double_refused("NaN(123)", -HUGE_VAL, HUGE_VAL);
	double_refused("inf", 0, DBL_MAX);
	double_refused("-infinity", -DBL_MAX, 0);
	double_refused("1.0000001", 0, 1); /* out of range */
	double_refused("-0.0000001", 0, 1);
	double_refused("0.04", 0.05, 0.99);
	double_refused("99999999999999999999999999999", 0, 1);
}

/* Refused: the status, and *out untouched. */
static void u64_refused(const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t out = 42;
	if (kith_cli_parse_u64(s, lo, hi, &out) != KITH_E_INVALID)
		fail_msg("'%s' in [%llu, %llu] was accepted", s ? s : "(null)", (unsigned long long)lo,
			 (unsigned long long)hi);
	assert_int_equal(out, 42);
}

static uint64_t u64_ok(const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t out = 42;
	if (kith_cli_parse_u64(s, lo, hi, &out) != KITH_OK)
		fail_msg("'%s' was refused", s);
	return out;
}

static void test_u64_accepts_whole_numbers_in_range(void **state)
{
	(void)state;
	assert_int_equal(u64_ok("0", 0, 10), 0);
	assert_int_equal(u64_ok("10", 0, 10), 10);
	assert_int_equal(u64_ok("007", 0, 10), 7); /* base 10, not octal */
	assert_int_equal(u64_ok("+5", 0, 10), 5);
	assert_int_equal(u64_ok(" 5", 0, 10), 5);
	assert_true(u64_ok("18446744073709551615", 0, UINT64_MAX) == UINT64_MAX);
}

static void test_u64_refuses_hostile_strings(void **state)
{
	(void)state;
	u64_refused(NULL, 0, 10);
	u64_refused("", 0, 10);
	u64_refused(" ", 0, 10);
	u64_refused("+", 0, 10);
	u64_refused("-0", 0, 10);
	u64_refused("-1", 0, UINT64_MAX);
	/* strtoull skips white space and then negates: " -1" read as 2^64 - 1 */
	u64_refused(" -1", 0, UINT64_MAX);
	u64_refused("\t-5", 0, UINT64_MAX);
	u64_refused(" -0", 0, 10);
	u64_refused("5x", 0, 10);
	u64_refused("5 ", 0, 10);
	u64_refused("0x10", 0, 100);
	u64_refused("1e3", 0, 10000);
	u64_refused("2.5", 0, 10);
	u64_refused("nan", 0, 10);
	u64_refused("11", 0, 10);
	u64_refused("0", 1, 10);
	u64_refused("18446744073709551616", 0, UINT64_MAX); /* overflow */
	u64_refused("99999999999999999999999", 0, UINT64_MAX);
}

/* kith_cli_read_new_pass from a file: the first line, as kith_cli_read_pass
 * (asked once: the terminal's second asking cannot be driven from a test). */
static void test_new_pass_from_a_file(void **state)
{
	(void)state;
	char path[] = "/tmp/kith-cli-pass-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "new secret\r\nsecond line\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct kith_err err;
	char *p = NULL;
	size_t n = 0;
	assert_int_equal(kith_cli_read_new_pass(path, "new passphrase: ", &p, &n, &err), KITH_OK);
	assert_int_equal(n, 10);
	assert_memory_equal(p, "new secret", 10);
	kith_cli_pass_free(p, n);
	/* an empty file, a missing one: refused, nothing handed out */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	close(fd);
	p = NULL;
	assert_int_equal(kith_cli_read_new_pass(path, "new passphrase: ", &p, &n, &err), KITH_E_INVALID);
	assert_null(p);
	assert_string_equal(err.msg, "empty passphrase");
	unlink(path);
	assert_int_equal(kith_cli_read_new_pass(path, "new passphrase: ", &p, &n, &err), KITH_E_NOTFOUND);
	assert_null(p);
}

/* kith_cli_getopt: what every command shares is taken here, the rest is the
 * command's; operands after the options; --help and a refusal stop. */
struct own_args {
	const char *note;
	int seen;
};

static int own_opt(void *args, const char *cmd, int opt, const char *arg)
{
	struct own_args *a = args;
	(void)cmd;
	a->seen++;
	if (opt == 'n') {
		a->note = arg;
		return 0;
	}
	return 7; /* '?' (an option no table holds) or a refusal: the exit code to stop with */
}

static int getopt_run(int argc, char **argv, const char *shortopts, struct kith_cli_common *c,
		      struct own_args *a)
{
	static const struct option longopts[] = {
	    KITH_CLI_COMMON_LONGOPTS,
	    KITH_CLI_REVIEWER_LONGOPT,
	    {"note", required_argument, 0, 'n'}, /* the command's own: not KITH_CLI_NOTE_LONGOPT */
	    {0, 0, 0, 0},
	};
	memset(c, 0, sizeof *c);
	memset(a, 0, sizeof *a);
	return kith_cli_getopt("test", "usage: test\n", argc, argv, shortopts, longopts, c, own_opt, a);
}

static void test_getopt_shared_and_own_options(void **state)
{
	(void)state;
	struct kith_cli_common c;
	struct own_args a;
	char *ok[] = {"test", "--vault=v.kith", "A", "--json", "--note=hi", "--passphrase-file=p",
		      "B",    "--reviewer=Ri",	NULL};
	assert_int_equal(getopt_run(8, ok, "hj", &c, &a), -1);
	assert_string_equal(c.reviewer, "Ri");
	assert_null(c.note);
	assert_string_equal(c.va.vault, "v.kith");
	assert_string_equal(c.va.passfile, "p");
	assert_int_equal(c.json, 1);
	assert_string_equal(a.note, "hi");
	assert_int_equal(a.seen, 1);  /* only --note reached the command */
	assert_int_equal(c.n_pos, 2); /* GNU getopt moves the operands last */
	assert_string_equal(c.pos[0], "A");
	assert_string_equal(c.pos[1], "B");
	char *j[] = {"test", "-j", NULL}; /* -j only where shortopts holds it */
	assert_int_equal(getopt_run(2, j, "hj", &c, &a), -1);
	assert_int_equal(c.json, 1);
	assert_int_equal(c.n_pos, 0);
	assert_int_equal(getopt_run(2, j, "h", &c, &a), 7);
	assert_int_equal(c.json, 0);
	char *help[] = {"test", "--help", "--note", "x", NULL}; /* stops at --help */
	assert_int_equal(getopt_run(4, help, "hj", &c, &a), KITH_EXIT_OK);
	assert_int_equal(a.seen, 0);
	char *unknown[] = {"test", "--bogus", NULL};
	assert_int_equal(getopt_run(2, unknown, "hj", &c, &a), 7);
	assert_int_equal(a.seen, 1);
}

/* kith_cli_print_json_new: a value that could not be built (NULL) is an
 * internal fault said on stderr, not a silent exit 3. */
static void test_print_json_new_null(void **state)
{
	(void)state;
	assert_int_equal(kith_cli_print_json_new(NULL), KITH_EXIT_INTERNAL);
	assert_int_equal(kith_cli_print_json_new(json_pack("{s:i}", "n", 1)), KITH_EXIT_OK);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_double_accepts_numbers_in_range),
	    cmocka_unit_test(test_double_refuses_hostile_strings),
	    cmocka_unit_test(test_u64_accepts_whole_numbers_in_range),
	    cmocka_unit_test(test_u64_refuses_hostile_strings),
	    cmocka_unit_test(test_new_pass_from_a_file),
	    cmocka_unit_test(test_getopt_shared_and_own_options),
	    cmocka_unit_test(test_print_json_new_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
