/* Unit tests of src/core/io: capped reads and atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/io.h"
#include "base/sbuf.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/kith-io-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof p, "%s/f", dir);
	unlink(p);
	return rmdir(dir);
}

static void test_write_then_read(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof p, "%s/f", dir);
	struct kith_err err;
	assert_int_equal(kith_io_write_atomic(p, "first", 5, &err), 0);
	assert_int_equal(kith_io_write_atomic(p, "second", 6, &err), 0);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_io_read_file(p, 100, &sb, &err), 0);
	assert_int_equal(sb.len, 6);
	assert_memory_equal(sb.buf, "second", 6);
	kith_sbuf_release(&sb);
	/* the cap */
	assert_int_equal(kith_io_read_file(p, 5, &sb, &err), KITH_E_LIMIT);
	assert_string_equal(err.where, p);
	assert_int_equal(sb.len, 0);
	kith_sbuf_release(&sb);
	/* missing file, missing folder */
	char q[160];
	snprintf(q, sizeof q, "%s/none", dir);
	assert_int_equal(kith_io_read_file(q, 5, &sb, &err), KITH_E_NOTFOUND);
	snprintf(q, sizeof q, "%s/no/such/f", dir);
	assert_int_equal(kith_io_write_atomic(q, "x", 1, &err), KITH_E_IO);
	/* no temporary file left behind */
	char cmd[200];
	snprintf(cmd, sizeof cmd, "test \"$(ls -A %s)\" = f", dir);
	assert_int_equal(system(cmd), 0);
}

/* kith_io_write_all: every byte or KITH_E_IO with errno. */
static void test_write_all(void **state)
{
	(void)state;
	/* a file: 1 MiB, whole */
	FILE *f = tmpfile();
	assert_non_null(f);
	size_t n = 1u << 20;
	char *big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 7);
	assert_int_equal(kith_io_write_all(fileno(f), big, n), KITH_OK);
	struct stat st;
	assert_int_equal(fstat(fileno(f), &st), 0);
	assert_int_equal((size_t)st.st_size, n);
	char *back = malloc(n);
	assert_non_null(back);
	assert_int_equal(pread(fileno(f), back, n, 0), (ssize_t)n);
	assert_memory_equal(back, big, n);
	fclose(f);
	assert_int_equal(kith_io_write_all(fileno(stdout), "", 0), KITH_OK); /* nothing to write */
	/* a pipe that fills: the short write is carried on until write fails (EAGAIN) */
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(fcntl(pfd[1], F_SETFL, O_NONBLOCK), 0);
	errno = 0;
	assert_int_equal(kith_io_write_all(pfd[1], big, n), KITH_E_IO);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	ssize_t got = read(pfd[0], back, n);
	assert_true(got > 0 && (size_t)got < n);
	assert_memory_equal(back, big, (size_t)got);
	close(pfd[0]);
	close(pfd[1]);
	/* a closed descriptor, a full device */
	assert_int_equal(kith_io_write_all(pfd[1], "x", 1), KITH_E_IO);
	assert_int_equal(errno, EBADF);
	int full = open("/dev/full", O_WRONLY);
	if (full >= 0) {
		assert_int_equal(kith_io_write_all(full, "x", 1), KITH_E_IO);
		assert_int_equal(errno, ENOSPC);
		close(full);
	}
	free(big);
	free(back);
}

/* The stdio writer: the file appears whole on close, not before; an abandoned
 * or failed one leaves the old file and no temporary file. */
static void test_stream_atomic(void **state)
{
	(void)state;
	char p[128], cmd[200];
	snprintf(p, sizeof p, "%s/f", dir);
	snprintf(cmd, sizeof cmd, "test \"$(ls -A %s)\" = f", dir);
	struct kith_err err;
	struct kith_io_atomic *a = NULL;
	assert_int_equal(kith_io_write_atomic(p, "old", 3, &err), 0);
	assert_int_equal(kith_io_atomic_open(&a, p, &err), 0);
	assert_true(fprintf(kith_io_atomic_file(a), "new %d", 1) > 0);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	assert_int_equal(kith_io_read_file(p, 100, &sb, &err), 0);
	assert_string_equal(sb.buf, "old"); /* not yet */
	kith_sbuf_reset(&sb);
	assert_int_equal(kith_io_atomic_close(a, 1, &err), 0);
	assert_int_equal(kith_io_read_file(p, 100, &sb, &err), 0);
	assert_string_equal(sb.buf, "new 1");
	kith_sbuf_reset(&sb);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(system(cmd), 0);
	/* abandoned */
	assert_int_equal(kith_io_atomic_open(&a, p, &err), 0);
	fputs("half", kith_io_atomic_file(a));
	assert_int_equal(kith_io_atomic_close(a, 0, &err), 0);
	assert_int_equal(kith_io_read_file(p, 100, &sb, &err), 0);
	assert_string_equal(sb.buf, "new 1");
	kith_sbuf_release(&sb);
	assert_int_equal(system(cmd), 0);
	/* a folder that is not there; a device written in place */
	char q[160];
	snprintf(q, sizeof q, "%s/no/such/f", dir);
	assert_int_equal(kith_io_atomic_open(&a, q, &err), KITH_E_IO);
	assert_string_equal(err.where, q);
	assert_int_equal(kith_io_atomic_open(&a, "/dev/null", &err), 0);
	fputs("data", kith_io_atomic_file(a));
	assert_int_equal(kith_io_atomic_close(a, 1, &err), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(kith_io_atomic_close(NULL, 1, &err), 0);
}

/* A bug seen: writing to /dev/null through the atomic rename replaced the
 * device with a plain file (and every later reader of /dev/null got data). */
static void test_a_device_stays_a_device(void **state)
{
	(void)state;
	struct kith_err err;
	assert_true(kith_io_is_special("/dev/null"));
	assert_false(kith_io_is_special("/tmp"));
	assert_false(kith_io_is_special("/no/such/path"));
	assert_int_equal(kith_io_write_atomic("/dev/null", "data", 4, &err), 0);
	struct stat st;
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_then_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_atomic, setup, teardown),
	    cmocka_unit_test(test_a_device_stays_a_device),
	    cmocka_unit_test(test_write_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
