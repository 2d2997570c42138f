/*
 * io — whole-file reads with caps, atomic whole-file writes.
 */
#include "base/io.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_NAME_MAX 4200 /* a path of at most 4095 bytes, /.kith-, 16 hex digits, .tmp */

int kith_io_read_file(const char *path, size_t max, struct kith_sbuf *out, struct kith_err *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return kith_err_set(err, e == ENOENT ? KITH_E_NOTFOUND : KITH_E_IO, path, "cannot open: %s",
				    strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			close(fd);
		return kith_err_set(err, KITH_E_INVALID, path, "is a directory, not a file");
	}
	int rc = KITH_OK;
	for (;;) {
		rc = kith_sbuf_grow(out, 65536);
		if (rc) {
			kith_err_set(err, rc, path, "out of memory reading file");
			break;
		}
		ssize_t n = read(fd, out->buf + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = kith_err_set(err, KITH_E_IO, path, "read failed: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > max) {
			rc = kith_err_set(err, KITH_E_LIMIT, path,
					  "file is larger than the limit of %zu bytes", max);
			break;
		}
	}
	if (!is_stdin)
		close(fd);
	if (rc)
		kith_sbuf_reset(out);
	return rc;
}

int kith_io_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* nothing written: trying again would spin */
			return KITH_E_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return KITH_OK;
}

int kith_io_is_special(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Creates a temporary file beside `path`, mode 0600, under a random name that
 * reveals nothing; its name goes to tmp, its descriptor to *fd. KITH_OK,
 * KITH_E_INVALID (path too long) or KITH_E_IO. */
static int tmp_open(const char *path, char tmp[TMP_NAME_MAX], int *fd, struct kith_err *err)
{
	char dir_copy[4096];
	if (strlen(path) >= sizeof dir_copy)
		return kith_err_set(err, KITH_E_INVALID, "path", "path is too long");
	snprintf(dir_copy, sizeof dir_copy, "%s", path);
	const char *dir = dirname(dir_copy);
	unsigned char rnd[8];
	randombytes_buf(rnd, sizeof rnd);
	char hex[17];
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(tmp, TMP_NAME_MAX, "%s/.kith-%s.tmp", dir, hex);
	*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0)
		return kith_err_set(err, KITH_E_IO, path, "cannot create: %s", strerror(errno));
	return KITH_OK;
}

/* Renames the (synced, closed) temporary file over `path` and syncs the
 * folder; removes it when the rename fails. */
static int tmp_commit(const char *tmp, const char *path, struct kith_err *err)
{
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return kith_err_set(err, KITH_E_IO, path, "cannot replace: %s", strerror(e));
	}
	char dir_copy[4096];
	snprintf(dir_copy, sizeof dir_copy, "%s", path); /* tmp_open checked the length */
	/* The rename is durable only once its folder is synced: a failure here
	 * leaves the new file in place but not acknowledged (a power cut may
	 * still bring the old one back), so it is reported. */
	int dfd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return kith_err_set(err, KITH_E_IO, path,
				    "written, but not made durable: cannot open its folder: %s",
				    strerror(errno));
	if (fsync(dfd)) {
		int e = errno;
		close(dfd);
		return kith_err_set(err, KITH_E_IO, path,
				    "written, but not made durable: syncing its folder failed: %s",
				    strerror(e));
	}
	close(dfd);
	return KITH_OK;
}

int kith_io_write_atomic(const char *path, const void *data, size_t len, struct kith_err *err)
{
	if (strcmp(path, "-") == 0) {
		if (kith_io_write_all(STDOUT_FILENO, data, len))
			return kith_err_set(err, KITH_E_IO, "stdout", "write failed: %s", strerror(errno));
		return KITH_OK;
	}
	if (kith_io_is_special(path)) {
		int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return kith_err_set(err, KITH_E_IO, path, "cannot open: %s", strerror(errno));
		int bad = kith_io_write_all(fd, data, len);
		int e = errno;
		close(fd);
		return bad ? kith_err_set(err, KITH_E_IO, path, "write failed: %s", strerror(e)) : KITH_OK;
	}
	char tmp[TMP_NAME_MAX];
	int fd, rc = tmp_open(path, tmp, &fd, err);
	if (rc)
		return rc;
	if (kith_io_write_all(fd, data, len) || fsync(fd)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return kith_err_set(err, KITH_E_IO, path, "write failed: %s", strerror(e));
	}
	close(fd);
	return tmp_commit(tmp, path, err);
}

struct kith_io_atomic {
	FILE *f;
	int in_place; /* stdout or a special file: no temporary file */
	char *path;
	char tmp[TMP_NAME_MAX];
};

int kith_io_atomic_open(struct kith_io_atomic **out, const char *path, struct kith_err *err)
{
	struct kith_io_atomic *a = calloc(1, sizeof *a);
	if (a)
		a->path = strdup(path);
	if (!a || !a->path) {
		free(a);
		return kith_err_set(err, KITH_E_NOMEM, path, "out of memory");
	}
	int rc = KITH_OK;
	if (strcmp(path, "-") == 0) {
		a->in_place = 1;
		a->f = stdout;
	} else if (kith_io_is_special(path)) { /* /dev/null, a FIFO: written in place, never replaced */
		a->in_place = 1;
		a->f = fopen(path, "w");
		if (!a->f)
			rc = kith_err_set(err, KITH_E_IO, path, "cannot open: %s", strerror(errno));
	} else {
		int fd;
		rc = tmp_open(path, a->tmp, &fd, err);
		if (rc == KITH_OK) {
			a->f = fdopen(fd, "w");
			if (!a->f) {
				rc = kith_err_set(err, KITH_E_IO, path, "cannot open: %s", strerror(errno));
				close(fd);
				unlink(a->tmp);
			}
		}
	}
	if (rc) {
		free(a->path);
		free(a);
		return rc;
	}
	*out = a;
	return KITH_OK;
}

FILE *kith_io_atomic_file(struct kith_io_atomic *a)
{
	return a->f;
}

int kith_io_atomic_close(struct kith_io_atomic *a, int ok, struct kith_err *err)
{
	if (!a)
		return KITH_OK;
	int rc = KITH_OK, e = 0;
	if (ok && (ferror(a->f) || fflush(a->f) != 0 || (!a->in_place && fsync(fileno(a->f)) != 0))) {
		e = errno;
		rc = KITH_E_IO;
	}
	if (a->f != stdout && fclose(a->f) != 0 && rc == KITH_OK) {
		e = errno;
		rc = KITH_E_IO;
	}
	if (rc)
		kith_err_set(err, rc, a->path, "write failed: %s", strerror(e));
	if (!a->in_place) {
		if (ok && rc == KITH_OK)
			rc = tmp_commit(a->tmp, a->path, err);
		else
			unlink(a->tmp);
	}
	free(a->path);
	free(a);
	return ok ? rc : KITH_OK;
}
