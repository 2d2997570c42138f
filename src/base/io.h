/*
 * io — reading and writing whole files safely.
 *
 * kith_io_read_file reads a file (or standard input for "-") into a wiping
 * buffer with a hard size cap. kith_io_write_atomic writes a whole file through
 * a temporary file in the same folder, fsync and rename, so a crash leaves the
 * old file or the new one, never half of one; the temporary name is random and
 * reveals nothing. kith_io_atomic_open/close do the same for output written
 * piece by piece through stdio.
 */
#ifndef KITH_CORE_IO_H
#define KITH_CORE_IO_H

#include <stddef.h>
#include <stdio.h>

#include "base/sbuf.h"
#include "base/status.h"

/* Reads `path` ("-" = stdin) into out (appended). Fails with KITH_E_LIMIT past
 * max bytes, KITH_E_NOTFOUND if missing, KITH_E_IO otherwise; err->where is the
 * path. On failure out is reset. */
int kith_io_read_file(const char *path, size_t max, struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Writes data to `path` atomically ("-" = stdout, written directly) with file
 * mode 0600. KITH_OK or KITH_E_IO (err->where is the path). KITH_OK means
 * durable: the file and its folder were synced. When only the folder's sync
 * fails, the new content is in place but the call fails with KITH_E_IO
 * ("written, but not made durable"): a power cut may bring the old file back. */
int kith_io_write_atomic(const char *path, const void *data, size_t len, struct kith_err *err) KITH_WUR;

/*
 * A file written atomically through stdio, for output produced piece by piece.
 * kith_io_atomic_open: "-" is standard output (written directly), a special
 * file (kith_io_is_special) is written in place, any other path gets a
 * temporary file beside it (mode 0600, a random name) that close renames into
 * place. KITH_OK with *out set; KITH_E_NOMEM, KITH_E_INVALID (path too long)
 * or KITH_E_IO, err->where the path.
 */
struct kith_io_atomic;
int kith_io_atomic_open(struct kith_io_atomic **out, const char *path, struct kith_err *err) KITH_WUR;

/* Where to write (borrowed: valid until kith_io_atomic_close). */
FILE *kith_io_atomic_file(struct kith_io_atomic *a);

/* Frees a (NULL allowed). With ok: checks the stream for errors, flushes,
 * fsyncs, renames the file into place and syncs the folder: KITH_OK, or
 * KITH_E_IO (err->where the path) with the temporary file removed and path as
 * it was. Without ok: removes the temporary file (path as it was) and returns
 * KITH_OK. Standard output is flushed, never closed. */
int kith_io_atomic_close(struct kith_io_atomic *a, int ok, struct kith_err *err);

/* Writes all len bytes of data to fd, again after a short write or EINTR.
 * KITH_OK, or KITH_E_IO with errno saying why (EIO when write wrote nothing);
 * some of the bytes may have been written then. For callers that name the
 * file in their own message. */
int kith_io_write_all(int fd, const void *data, size_t len) KITH_WUR;

/* Whether `path` exists and is not a regular file (a device such as
 * /dev/null, a FIFO, a socket). Such a target is written in place: an atomic
 * rename over it would replace the device with a plain file. */
int kith_io_is_special(const char *path);

#endif
