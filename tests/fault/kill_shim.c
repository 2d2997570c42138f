/*
 * kill_shim — an LD_PRELOAD library for the kill -9 tests
 * (tests/fault/test_fault_kill.sh). It counts the calls that change a file
 * on disk — write, pwrite, pwrite64, fsync, fdatasync, ftruncate, rename,
 * unlink — made on files whose path contains $KITH_KILL_PATH (the vault and
 * its -wal, -shm and -journal), and at the $KITH_KILL_AT-th such call sends
 * the process SIGKILL: before the call, or just after it with
 * KITH_KILL_AFTER=1. So the kill lands at a known step inside the commit
 * window, not after a sleep. Before dying it writes "N CALL" to
 * $KITH_KILL_MARK (the proof that it landed); without KITH_KILL_AT it only
 * counts, and writes the count to $KITH_KILL_MARK at exit. With
 * KITH_KILL_NOSYNC=1 the counted syncs do not reach the disk (see skip_sync).
 *
 * Test-only code: never linked into kith.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static unsigned long calls;

static int watched_path(const char *p)
{
	const char *want = getenv("KITH_KILL_PATH");
	return want && *want && p && strstr(p, want);
}

static int watched_fd(int fd)
{
	char link[64], path[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return watched_path(path);
}

static void mark(const char *what)
{
	const char *m = getenv("KITH_KILL_MARK");
	if (!m)
		return;
	int fd = open(m, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	char line[128];
	int n = snprintf(line, sizeof line, "%lu %s\n", calls, what);
	ssize_t (*real_write)(int, const void *, size_t) =
	    (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (real_write && n > 0)
		(void)real_write(fd, line, (size_t)n);
	close(fd);
}

/* Counts a call; kills before it when it is the chosen one. Returns 1 when
 * the kill is to come right after the call. */
static int step(int watched, const char *what)
{
	if (!watched)
		return 0;
	calls++;
	const char *at = getenv("KITH_KILL_AT");
	if (!at || strtoul(at, NULL, 10) != calls)
		return 0;
	const char *after = getenv("KITH_KILL_AFTER");
	if (after && *after == '1')
		return 1;
	mark(what);
	raise(SIGKILL);
	return 0;
}

static void die_after(const char *what)
{
	mark(what);
	raise(SIGKILL);
}

__attribute__((destructor)) static void report(void)
{
	if (!getenv("KITH_KILL_AT"))
		mark("calls");
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t n)
{
	int after = step(watched_fd(fd), "write");
	ssize_t r = REAL("write", ssize_t(*)(int, const void *, size_t))(fd, buf, n);
	if (after)
		die_after("write");
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int after = step(watched_fd(fd), "pwrite");
	ssize_t r = REAL("pwrite", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
	if (after)
		die_after("pwrite");
	return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	int after = step(watched_fd(fd), "pwrite64");
	ssize_t r = REAL("pwrite64", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
	if (after)
		die_after("pwrite64");
	return r;
}

/* KITH_KILL_NOSYNC=1: counted syncs return at once. A killed process loses
 * nothing the page cache holds, so the files look the same to the next
 * process; the test then waits on no disk. */
static int skip_sync(int watched)
{
	const char *e = getenv("KITH_KILL_NOSYNC");
	return watched && e && *e == '1';
}

int fsync(int fd)
{
	int w = watched_fd(fd);
	int after = step(w, "fsync");
	int r = skip_sync(w) ? 0 : REAL("fsync", int (*)(int))(fd);
	if (after)
		die_after("fsync");
	return r;
}

int fdatasync(int fd)
{
	int w = watched_fd(fd);
	int after = step(w, "fdatasync");
	int r = skip_sync(w) ? 0 : REAL("fdatasync", int (*)(int))(fd);
	if (after)
		die_after("fdatasync");
	return r;
}

int ftruncate(int fd, off_t len)
{
	int after = step(watched_fd(fd), "ftruncate");
	int r = REAL("ftruncate", int (*)(int, off_t))(fd, len);
	if (after)
		die_after("ftruncate");
	return r;
}

int ftruncate64(int fd, off_t len)
{
	int after = step(watched_fd(fd), "ftruncate64");
	int r = REAL("ftruncate64", int (*)(int, off_t))(fd, len);
	if (after)
		die_after("ftruncate64");
	return r;
}

int rename(const char *a, const char *b)
{
	int after = step(watched_path(a) || watched_path(b), "rename");
	int r = REAL("rename", int (*)(const char *, const char *))(a, b);
	if (after)
		die_after("rename");
	return r;
}

int unlink(const char *p)
{
	int after = step(watched_path(p), "unlink");
	int r = REAL("unlink", int (*)(const char *))(p);
	if (after)
		die_after("unlink");
	return r;
}
