/*
 * inject — fault injection for the fault tests (tests/fault/test_fault_*.c),
 * with no change to the library:
 *
 *   allocations  every malloc, calloc, realloc, strdup, strndup and
 *                sodium_malloc called from kith's own code (the test binary is
 *                linked with -Wl,--wrap=...), jansson's (kith_process_init
 *                hands jansson kith's `malloc`, which the wrap replaces) and
 *                SQLite's (sqlite3_config(SQLITE_CONFIG_MALLOC)) are counted;
 *                the Nth is made to fail.
 *   SQLite I/O   a VFS registered as the default over the "unix" one counts
 *                xWrite, xSync and xTruncate and fails the Nth
 *                (SQLITE_IOERR_*), or fails every write from the Nth on with
 *                SQLITE_FULL (a full disk).
 *   file I/O     kith's own atomic writes (base/io.c): write, fsync and
 *                rename are wrapped and counted in the same sequence.
 *
 * The state is process-wide (a test binary is one process with one fault
 * plan at a time); counters are atomic because the vault seals and decrypts
 * on worker threads.
 */
#ifndef KITH_TESTS_FAULT_INJECT_H
#define KITH_TESTS_FAULT_INJECT_H

#include <stddef.h>

enum fault_kind {
	FAULT_NONE = 0,
	FAULT_ALLOC,   /* the Nth allocation returns NULL */
	FAULT_IO,      /* the Nth write, sync, truncate or rename fails */
	FAULT_DISKFULL /* every write from the Nth on fails: no space left */
};

/* Installs the SQLite allocator and VFS: call first in main, before
 * kith_process_init and before any SQLite call. 0 or -1. */
int fault_setup(void);

/* Arms a plan: counting starts from zero, the `nth` (1-based) counted event
 * of `kind` fails. fault_disarm stops counting. */
void fault_arm(enum fault_kind kind, unsigned long nth);
void fault_disarm(void);

/* Events counted since fault_arm, and how many faults were injected. */
unsigned long fault_count(void);
unsigned long fault_fired(void);

/* A digest of every table of the SQLite file at path (schema and rows, in
 * order), read through a separate connection with no fault armed; hex into
 * out[65]. 0, or -1 when the file cannot be read. */
int fault_vault_digest(const char *path, char out[65]);

/* Copies a file (0600); 0 or -1. */
int fault_copy(const char *from, const char *to);

#endif
