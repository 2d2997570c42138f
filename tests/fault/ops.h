/*
 * ops — the vault operations the fault tests drive (an import, an edit, a
 * link confirmation, a merge, a passphrase change, an unlock), a base vault
 * to run them on, and a digest of what a vault holds as its reader sees it.
 */
#ifndef KITH_TESTS_FAULT_OPS_H
#define KITH_TESTS_FAULT_OPS_H

#include "base/status.h"
#include "vault/vault.h"

#include <stdio.h>

#define OPS_PASS "fault test words"

/* The checks of the running fault test that failed. CHECK(cond, fmt, ...)
 * counts and prints one and goes on: a fault test reports every fault that
 * went wrong, not the first. */
extern int ops_failures;
#define CHECK(cond, ...)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			ops_failures++;                                                                      \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                          \
			printf(__VA_ARGS__);                                                                 \
			printf("\n");                                                                        \
		}                                                                                            \
	} while (0)

/* Begins a fault test: the fault wrappers (fault_setup), kith_process_init,
 * one decrypting thread (KITH_THREADS=1: the same Nth fault on every run), a
 * fresh folder $TMPDIR/kith-fault-XXXXXX in dir with the paths base and work
 * in it, and the base vault made at base (ops_make_base). 0; 1 when the test
 * cannot run (printed: return it from main); -1 when the base vault failed
 * (printed and counted: run no operation, but end with ops_end). */
int ops_begin(char dir[4096], char base[4200], char work[4200]);

/* Ends a fault test begun by ops_begin: removes dir and all in it, prints
 * "ok: 0 failures" or "FAIL: N failures"; the exit code of the test. */
int ops_end(const char *dir);
#define OPS_NEW_PASS "fault test words, changed"

struct op {
	const char *name;
	/* runs the operation on an open vault; KITH_OK or a status, err set */
	int (*run)(struct kith_vault *v, struct kith_err *err);
	int changes_pass; /* 1: afterwards OPS_NEW_PASS opens the vault */
};

extern const struct op ops_all[];
extern const size_t ops_count;

/* Creates the base vault at path: three cases, and a link over two of them
 * that was confirmed, then undone (so it can be confirmed again). 0 or -1. */
int ops_make_base(const char *path);

/* Opens path with pass (no fault armed expected); NULL on failure (printed). */
struct kith_vault *ops_open(const char *path, const char *pass);

/* A digest of every readable current record (kind, ref, id, version, body,
 * action, note) and of the damage list, hex into out[65]. */
void ops_digest(const struct kith_vault *v, char out[65]);

/* Copies the vault at from to to, removing to's -wal and -shm first. 0 or -1. */
int ops_copy_vault(const char *from, const char *to);

/* Prints "NAME count" for each status that occurred (statuses[-status]
 * counts them), separated by ", ". */
void ops_print_statuses(const unsigned long statuses[16]);

/* The digests of the vault at base as read back (before) and after op ran
 * on a fresh copy of it at work, without faults: 0, or -1 (printed) when the
 * copy, the open or op failed. */
int ops_expected(const struct op *op, const char *base, const char *work, char before[65],
		 char after[65]);

#endif
