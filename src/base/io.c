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
#include <sys/stat.h>
#include <unistd.h>

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

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kith_io_is_special(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

int kith_io_write_atomic(const char *path, const void *data, size_t len, struct kith_err *err)
{
	if (strcmp(path, "-") == 0) {
		if (write_all(STDOUT_FILENO, data, len))
			return kith_err_set(err, KITH_E_IO, "stdout", "write failed: %s", strerror(errno));
		return KITH_OK;
	}
	if (kith_io_is_special(path)) {
		int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return kith_err_set(err, KITH_E_IO, path, "cannot open: %s", strerror(errno));
		int bad = write_all(fd, data, len);
		int e = errno;
		close(fd);
		return bad ? kith_err_set(err, KITH_E_IO, path, "write failed: %s", strerror(e)) : KITH_OK;
	}
	char dir_copy[4096];
	if (strlen(path) >= sizeof dir_copy)
		return kith_err_set(err, KITH_E_INVALID, "path", "path is too long");
	snprintf(dir_copy, sizeof dir_copy, "%s", path);
	const char *dir = dirname(dir_copy);
	char tmp[4200];
	unsigned char rnd[8];
	randombytes_buf(rnd, sizeof rnd);
	char hex[17];
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(tmp, sizeof tmp, "%s/.kith-%s.tmp", dir, hex);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return kith_err_set(err, KITH_E_IO, path, "cannot create: %s", strerror(errno));
	if (write_all(fd, data, len) || fsync(fd)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return kith_err_set(err, KITH_E_IO, path, "write failed: %s", strerror(e));
	}
	close(fd);
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return kith_err_set(err, KITH_E_IO, path, "cannot replace: %s", strerror(e));
	}
	/* The rename is durable only once its folder is synced: a failure here
	 * leaves the new file in place but not acknowledged (a power cut may
	 * still bring the old one back), so it is reported. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
