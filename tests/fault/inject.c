/*
 * inject — see inject.h. The __wrap_* functions replace kith's calls to the
 * C library when the test binary is linked with -Wl,--wrap=NAME
 * (cmake/tests.cmake); __real_NAME is the C library's.
 */
#include "inject.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_sodium_malloc(size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *a, const char *b);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_sodium_malloc(size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_rename(const char *a, const char *b);

static _Atomic int plan_kind;
static _Atomic unsigned long plan_nth, events, fired;

void fault_arm(enum fault_kind kind, unsigned long nth)
{
	atomic_store(&plan_kind, FAULT_NONE);
	atomic_store(&events, 0);
	atomic_store(&fired, 0);
	atomic_store(&plan_nth, nth);
	atomic_store(&plan_kind, (int)kind);
}

void fault_disarm(void)
{
	atomic_store(&plan_kind, FAULT_NONE);
}

unsigned long fault_count(void)
{
	return atomic_load(&events);
}

unsigned long fault_fired(void)
{
	return atomic_load(&fired);
}

/* Counts one event of `kind` when that plan is armed; 1 when it must fail. */
static int hit(enum fault_kind kind)
{
	int k = atomic_load(&plan_kind);
	if (k != (int)kind && !(kind == FAULT_IO && k == FAULT_DISKFULL))
		return 0;
	unsigned long e = atomic_fetch_add(&events, 1) + 1;
	unsigned long nth = atomic_load(&plan_nth);
	int fail = k == FAULT_DISKFULL ? e >= nth : e == nth;
	if (fail && atomic_fetch_add(&fired, 1) == 0 && getenv("FAULT_BACKTRACE")) {
		/* where the first fault lands: offsets for addr2line -f -e BINARY */
		void *frames[24];
		int n = backtrace(frames, 24);
		fprintf(stderr, "fault %lu at:\n", e);
		backtrace_symbols_fd(frames + 1, n - 1, 2);
	}
	return fail;
}

/* ------------------------------------------------------------ allocations */

void *__wrap_malloc(size_t n)
{
	return hit(FAULT_ALLOC) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t m, size_t n)
{
	return hit(FAULT_ALLOC) ? NULL : __real_calloc(m, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return hit(FAULT_ALLOC) ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return hit(FAULT_ALLOC) ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return hit(FAULT_ALLOC) ? NULL : __real_strndup(s, n);
}

void *__wrap_sodium_malloc(size_t n)
{
	return hit(FAULT_ALLOC) ? NULL : __real_sodium_malloc(n);
}

static sqlite3_mem_methods sqlite_mem;

static void *sq_malloc(int n)
{
	return hit(FAULT_ALLOC) ? NULL : sqlite_mem.xMalloc(n);
}

static void *sq_realloc(void *p, int n)
{
	return hit(FAULT_ALLOC) ? NULL : sqlite_mem.xRealloc(p, n);
}

/* ------------------------------------------------------------ kith's own file I/O */

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (hit(FAULT_IO)) {
		errno = atomic_load(&plan_kind) == FAULT_DISKFULL ? ENOSPC : EIO;
		return -1;
	}
	return __real_write(fd, buf, n);
}

/* 1: syncs reach the disk. By default they do not: these tests kill no
 * machine, so the page cache holds what a sync would have made durable, and
 * a loaded disk would make every run wait on it (FAULT_REAL_SYNC=1 restores
 * them). Counted and failed all the same. */
static int real_sync;

int __wrap_fsync(int fd)
{
	if (hit(FAULT_IO)) {
		errno = EIO;
		return -1;
	}
	return real_sync ? __real_fsync(fd) : 0;
}

int __wrap_rename(const char *a, const char *b)
{
	if (hit(FAULT_IO)) {
		errno = atomic_load(&plan_kind) == FAULT_DISKFULL ? ENOSPC : EIO;
		return -1;
	}
	return __real_rename(a, b);
}

/* ------------------------------------------------------------ SQLite VFS */

static sqlite3_vfs *base_vfs;

struct sfile {
	sqlite3_file base;
	sqlite3_file *real;
};

#define REAL(f) (((struct sfile *)(f))->real)

static int io_fail(int code)
{
	return atomic_load(&plan_kind) == FAULT_DISKFULL ? SQLITE_FULL : code;
}

static int f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}
static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (hit(FAULT_IO))
		return io_fail(SQLITE_IOERR_WRITE);
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (hit(FAULT_IO))
		return io_fail(SQLITE_IOERR_TRUNCATE);
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
	if (hit(FAULT_IO))
		return io_fail(SQLITE_IOERR_FSYNC);
	return real_sync ? REAL(f)->pMethods->xSync(REAL(f), flags) : SQLITE_OK;
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods io_methods = {
    2,		f_close,       f_read,	    f_write,   f_truncate, f_sync,  f_size,
    f_lock,	f_unlock,      f_reserved,  f_control, f_sector,   f_chars, f_shm_map,
    f_shm_lock, f_shm_barrier, f_shm_unmap, NULL,      NULL,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct sfile *f = (struct sfile *)file;
	f->real = (sqlite3_file *)(f + 1);
	int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
	f->base.pMethods = f->real->pMethods ? &io_methods : NULL;
	return rc;
}
static int v_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	return base_vfs->xDelete(base_vfs, name, sync);
}
static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return base_vfs->xAccess(base_vfs, name, flags, out);
}
static int v_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return base_vfs->xFullPathname(base_vfs, name, n, out);
}
static int v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return base_vfs->xRandomness(base_vfs, n, out);
}
static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return base_vfs->xSleep(base_vfs, us);
}
static int v_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return base_vfs->xCurrentTime(base_vfs, out);
}
static int v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return base_vfs->xGetLastError(base_vfs, n, out);
}
static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static sqlite3_vfs shim_vfs;

int fault_setup(void)
{
	real_sync = getenv("FAULT_REAL_SYNC") != NULL;
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
		return -1;
	sqlite3_mem_methods m = sqlite_mem;
	m.xMalloc = sq_malloc;
	m.xRealloc = sq_realloc;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK || sqlite3_initialize() != SQLITE_OK)
		return -1;
	base_vfs = sqlite3_vfs_find(NULL);
	if (!base_vfs)
		return -1;
	shim_vfs.iVersion = 2;
	shim_vfs.szOsFile = (int)sizeof(struct sfile) + base_vfs->szOsFile;
	shim_vfs.mxPathname = base_vfs->mxPathname;
	shim_vfs.zName = "kith-fault";
	shim_vfs.xOpen = v_open;
	shim_vfs.xDelete = v_delete;
	shim_vfs.xAccess = v_access;
	shim_vfs.xFullPathname = v_full;
	shim_vfs.xRandomness = v_random;
	shim_vfs.xSleep = v_sleep;
	shim_vfs.xCurrentTime = v_time;
	shim_vfs.xGetLastError = v_lasterr;
	shim_vfs.xCurrentTimeInt64 = v_time64;
	return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -1;
}

/* ------------------------------------------------------------ helpers */

static void hash_text(crypto_generichash_state *h, const void *p, size_t n)
{
	uint64_t len = n;
	crypto_generichash_update(h, (const unsigned char *)&len, sizeof len);
	if (n)
		crypto_generichash_update(h, p, n);
}

int fault_vault_digest(const char *path, char out[65])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL;
	int ok = 0;
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master ORDER BY name", -1, &tables, NULL))
		goto done;
	int rc;
	while ((rc = sqlite3_step(tables)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		const char *sql = (const char *)sqlite3_column_text(tables, 1);
		hash_text(&h, name, strlen(name));
		hash_text(&h, sql ? sql : "", sql ? strlen(sql) : 0);
		if (!sql || strncmp(sql, "CREATE TABLE", 12) != 0)
			continue;
		char q[256];
		snprintf(q, sizeof q, "SELECT * FROM \"%s\"", name);
		sqlite3_stmt *rows = NULL;
		if (sqlite3_prepare_v2(db, q, -1, &rows, NULL))
			goto done;
		while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				unsigned char type = (unsigned char)sqlite3_column_type(rows, c);
				crypto_generichash_update(&h, &type, 1);
				const void *p = sqlite3_column_blob(rows, c);
				hash_text(&h, p, (size_t)sqlite3_column_bytes(rows, c));
			}
		}
		sqlite3_finalize(rows);
		if (rc != SQLITE_DONE)
			goto done;
	}
	ok = rc == SQLITE_DONE;
done:
	sqlite3_finalize(tables);
	sqlite3_close(db);
	unsigned char d[32];
	crypto_generichash_final(&h, d, sizeof d);
	sodium_bin2hex(out, 65, d, sizeof d);
	return ok ? 0 : -1;
}

int fault_copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (__real_write(out, buf, (size_t)n) != n)
			rc = -1;
	if (n < 0)
		rc = -1;
	close(in);
	close(out);
	return rc;
}
