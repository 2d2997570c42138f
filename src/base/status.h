/*
 * status — the one error convention of kith.
 *
 * Every fallible library function returns int: 0 (KITH_OK) or a negative
 * enum kith_status. An optional last argument `struct kith_err *err` (NULL is
 * allowed everywhere) receives a copy of the status, a `where` (file:line:field
 * for importers, a record id or a component name elsewhere) and a lower-case
 * message that says what went wrong first. Messages carry ids, codes and counts,
 * never a name, a narrative or a passphrase.
 *
 * Ownership: struct kith_err is a plain value owned by the caller; nothing in it
 * is allocated.
 */
#ifndef KITH_CORE_STATUS_H
#define KITH_CORE_STATUS_H

#include <stddef.h>

enum kith_status {
	KITH_OK = 0,
	KITH_E_INVALID = -1,	/* the input is wrong: a user's error */
	KITH_E_AUTH = -2,	/* wrong passphrase, or keys destroyed */
	KITH_E_NOTFOUND = -3,	/* no such record, file or key */
	KITH_E_EXISTS = -4,	/* already there (a ref, a vault file) */
	KITH_E_CORRUPT = -5,	/* a row failed authentication or a file is damaged */
	KITH_E_NOTVAULT = -6,	/* a file that is not a kith vault */
	KITH_E_LIMIT = -7,	/* a hard cap was reached (size, count, pairs) */
	KITH_E_IO = -8,		/* the operating system refused a read or write */
	KITH_E_NOMEM = -9,	/* out of memory */
	KITH_E_CRYPTO = -10,	/* libsodium failed where it should not */
	KITH_E_DB = -11,	/* SQLite failed where it should not */
	KITH_E_INTERNAL = -12,	/* a bug: an invariant did not hold */
	KITH_E_LOCKED = -13,	/* the vault is locked (web session) */
	KITH_E_CONSENT = -14,	/* the record's consent does not allow this */
	KITH_E_CANCELLED = -15, /* the user or a signal stopped the work */
	KITH_E_DENIED = -16,	/* the person's role does not allow this (casework/people.h) */
};

#define KITH_ERR_WHERE_MAX 256
#define KITH_ERR_MSG_MAX 512

struct kith_err {
	int status;
	char where[KITH_ERR_WHERE_MAX];
	char msg[KITH_ERR_MSG_MAX];
};

#if defined(__GNUC__)
#define KITH_WUR __attribute__((warn_unused_result))
#define KITH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KITH_WUR
#define KITH_PRINTF(f, a)
#endif

/* Clears err (status 0, empty strings). err may be NULL. */
void kith_err_clear(struct kith_err *err);

/*
 * Records status, where (may be NULL) and a printf-style message in err and
 * returns status, so a failure path reads `return kith_err_set(err, ...);`.
 * err may be NULL: then only status is returned. Truncates silently.
 */
int kith_err_set(struct kith_err *err, int status, const char *where, const char *fmt, ...) KITH_PRINTF(4, 5);

/* Prefixes err->where with `prefix:` (e.g. a file name before line:field). */
void kith_err_prefix_where(struct kith_err *err, const char *prefix);

/* A short lower-case name for a status ("invalid input", "wrong passphrase"...). */
const char *kith_status_str(int status);

/*
 * Process-wide set-up, called once at the start of main() of every program
 * (the kith binary, tests, fuzzers, benchmarks): sodium_init, GSL's abort
 * handler off, core dumps off, umask 077. Returns KITH_OK or KITH_E_CRYPTO.
 */
int kith_process_init(void) KITH_WUR;

/*
 * Allocations that failed in jansson on this thread so far. jansson 2.14
 * does not always report them: its parser can then return a syntax error or
 * a value with altered strings, and json_copy/json_deep_copy drop members
 * (tests/fault/test_fault_alloc.c found both). A caller that must not keep
 * such a value compares the count before and after the call.
 */
unsigned long kith_json_alloc_failures(void);

/* Debug-checked invariants, in the style of SQLite: true in release builds
 * when the condition holds; in debug builds a false condition aborts. Use for
 * "cannot happen" conditions that are still handled. */
#ifdef NDEBUG
#define KITH_ALWAYS(x) (x)
#define KITH_NEVER(x) (x)
#else
#include <assert.h>
#define KITH_ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define KITH_NEVER(x) ((x) ? (assert(0), 1) : 0)
#endif

#endif
