/*
 * test_fault_io — I/O faults at every step of a commit (inject.h): for an
 * import, an edit, a link confirmation, a merge and a passphrase change,
 * each write, sync and truncate SQLite makes is failed in turn (once), and
 * then the disk is made full from each write on; an unlock meets the same
 * faults; kith's own atomic file write (base/io.c) has each write, fsync and
 * rename failed in turn.
 *
 * After each fault, the vault is closed and reopened without faults:
 *   - an operation that returned KITH_OK shows its result (nothing
 *     acknowledged is lost);
 *   - one that failed returned KITH_E_IO or KITH_E_DB with a message, its
 *     open vault still shows the state before, and reopened the file holds
 *     the state before or after, never between (nothing half-written);
 *   - the same operation then retried on the handle that saw the failure
 *     leaves the operation applied exactly once.
 * An atomic write leaves the old file or the new one, whole, and no
 * temporary file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/io.h"
#include <jansson.h>

#include "base/status.h"
#include "casework/exchange.h"
#include "vault/vault.h"
#include "inject.h"
#include "ops.h"

static int verbose;
static char dir[4096], base[4200], work[4200];

struct tally {
	unsigned long runs, failed, before, after, statuses[16];
};

static void report(const char *what, const char *name, const struct tally *t)
{
	printf("%-9s %-13s %4lu faults injected: %lu ended in an error (", what, name, t->runs, t->failed);
	ops_print_statuses(t->statuses);
	printf("; the file then held the state before %lu times, after %lu)\n", t->before, t->after);
}

/* Opens work with the old passphrase, else the new one; the digest of what
 * it shows, and which passphrase opened it (0 old, 1 new, -1 none). */
static int reopen_digest(char out[65])
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	int which = 0;
	if (kith_vault_open(&v, work, OPS_PASS, strlen(OPS_PASS), NULL, NULL, &err) != KITH_OK) {
		which = 1;
		if (kith_vault_open(&v, work, OPS_NEW_PASS, strlen(OPS_NEW_PASS), NULL, NULL, &err) !=
		    KITH_OK) {
			printf("# reopen: %s\n", err.msg);
			return -1;
		}
	}
	ops_digest(v, out);
	kith_vault_close(v);
	return which;
}

static void run_op(const struct op *op, enum fault_kind kind)
{
	const char *what = kind == FAULT_DISKFULL ? "disk full" : "i/o";
	char before[65], after[65];
	if (ops_expected(op, base, work, before, after)) {
		CHECK(0, "%s: cannot run without faults", op->name);
		return;
	}
	int pass_after = op->changes_pass;
	struct tally t = {0};
	for (unsigned long nth = 1;; nth++) {
		if (ops_copy_vault(base, work)) {
			CHECK(0, "copy");
			return;
		}
		struct kith_vault *v = ops_open(work, OPS_PASS);
		if (!v) {
			CHECK(0, "open");
			return;
		}
		struct kith_err err;
		kith_err_clear(&err);
		/* the fault window covers the close too: its checkpoint writes the
		 * WAL into the file */
		char mem[65], file[65];
		fault_arm(kind, nth);
		int rc = op->run(v, &err);
		ops_digest(v, mem);
		kith_vault_close(v);
		fault_disarm();
		if (fault_fired() == 0) {
			CHECK(rc == KITH_OK, "%s: fails without a fault: %s", op->name, err.msg);
			break;
		}
		t.runs++;
		int retried = 0;
		if (rc) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			CHECK(rc == KITH_E_IO || rc == KITH_E_DB, "%s, %s fault %lu: status %s (%s)",
			      op->name, what, nth, kith_status_str(rc), err.msg);
			CHECK(err.msg[0], "%s, %s fault %lu: no message", op->name, what, nth);
			CHECK(!strcmp(mem, before),
			      "%s, %s fault %lu: the open vault changed after a failure", op->name, what,
			      nth);
			if (verbose)
				printf("# %s, %s fault %lu: %s: %s\n", op->name, what, nth, err.where,
				       err.msg);
		}
		int which = reopen_digest(file);
		if (rc == KITH_OK) {
			CHECK(which == pass_after && !strcmp(file, after),
			      "%s, %s fault %lu: acknowledged, but the file does not hold it", op->name, what,
			      nth);
		} else if (which == 0 && !strcmp(file, before)) {
			t.before++;
		} else if (which == pass_after && !strcmp(file, after)) {
			t.after++;
		} else {
			CHECK(0, "%s, %s fault %lu: the file holds neither the state before nor after",
			      op->name, what, nth);
		}
		if (rc && which == 0 && !strcmp(file, before)) {
			/* a retry on a fresh handle applies it once */
			v = ops_open(work, OPS_PASS);
			kith_err_clear(&err);
			retried = v && op->run(v, &err) == KITH_OK;
			kith_vault_close(v);
			CHECK(retried, "%s, %s fault %lu: the retry failed: %s", op->name, what, nth,
			      err.msg);
			CHECK(reopen_digest(file) == pass_after && !strcmp(file, after),
			      "%s, %s fault %lu: retried, the file does not hold the result once", op->name,
			      what, nth);
		}
	}
	report(what, op->name, &t);
}

/* The retry on the handle that saw the failure: when the commit reached
 * the file although it reported a failure, the retry must not apply the
 * operation twice. */
static void run_same_handle(const struct op *op)
{
	char before[65], after[65];
	if (ops_expected(op, base, work, before, after))
		return;
	unsigned long twice = 0, runs = 0;
	for (unsigned long nth = 1;; nth++) {
		if (ops_copy_vault(base, work))
			return;
		struct kith_vault *v = ops_open(work, OPS_PASS);
		if (!v)
			return;
		struct kith_err err;
		kith_err_clear(&err);
		fault_arm(FAULT_IO, nth);
		int rc = op->run(v, &err);
		fault_disarm();
		if (fault_fired() == 0) {
			kith_vault_close(v);
			break;
		}
		runs++;
		if (rc) {
			kith_err_clear(&err);
			int again = op->run(v, &err);
			kith_vault_close(v);
			char file[65];
			int which = reopen_digest(file);
			if (again == KITH_OK && (which != op->changes_pass || strcmp(file, after))) {
				twice++;
				CHECK(0,
				      "%s, i/o fault %lu: retried on the same handle, the file holds another "
				      "state",
				      op->name, nth);
			}
		} else {
			kith_vault_close(v);
		}
	}
	printf("retry     %-13s %4lu faults injected: %lu retries on the same handle applied it twice\n",
	       op->name, runs, twice);
}

static void run_unlock(enum fault_kind kind)
{
	char want[65];
	if (ops_copy_vault(base, work))
		return;
	struct kith_vault *v = ops_open(work, OPS_PASS);
	if (!v)
		return;
	ops_digest(v, want);
	kith_vault_close(v);
	struct tally t = {0};
	for (unsigned long nth = 1;; nth++) {
		struct kith_err err;
		kith_err_clear(&err);
		v = NULL;
		fault_arm(kind, nth);
		int rc = kith_vault_open(&v, work, OPS_PASS, strlen(OPS_PASS), NULL, NULL, &err);
		fault_disarm();
		int done = fault_fired() == 0;
		t.runs += !done;
		char mem[65];
		if (rc) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			CHECK(!done && (rc == KITH_E_IO || rc == KITH_E_DB),
			      "unlock, fault %lu: status %s (%s)", nth, kith_status_str(rc), err.msg);
		} else {
			ops_digest(v, mem);
			CHECK(!strcmp(mem, want), "unlock, fault %lu: opened, but shows other records", nth);
			kith_vault_close(v);
		}
		if (done)
			break;
	}
	report(kind == FAULT_DISKFULL ? "disk full" : "i/o", "unlock", &t);
}

static int no_temp_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int clean = 1;
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, ".kith-", 6))
			clean = 0;
	if (d)
		closedir(d);
	return clean;
}

static void run_atomic(enum fault_kind kind)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/atomic.out", dir);
	static char old_data[100000], new_data[300000];
	memset(old_data, 'o', sizeof old_data);
	memset(new_data, 'n', sizeof new_data);
	struct tally t = {0};
	for (unsigned long nth = 1;; nth++) {
		struct kith_err err;
		if (kith_io_write_atomic(path, old_data, sizeof old_data, &err)) {
			CHECK(0, "atomic write without faults: %s", err.msg);
			return;
		}
		kith_err_clear(&err);
		fault_arm(kind, nth);
		int rc = kith_io_write_atomic(path, new_data, sizeof new_data, &err);
		fault_disarm();
		if (fault_fired() == 0)
			break;
		t.runs++;
		struct kith_sbuf got = KITH_SBUF_INIT;
		struct kith_err rerr;
		CHECK(kith_io_read_file(path, 1 << 20, &got, &rerr) == KITH_OK, "atomic: cannot read back");
		int is_old = got.len == sizeof old_data && !memcmp(got.buf, old_data, got.len);
		int is_new = got.len == sizeof new_data && !memcmp(got.buf, new_data, got.len);
		kith_sbuf_release(&got);
		if (rc) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			CHECK(rc == KITH_E_IO && err.msg[0], "atomic, fault %lu: status %s", nth,
			      kith_status_str(rc));
			t.before += is_old;
			t.after += is_new;
			CHECK(is_old || is_new, "atomic, fault %lu: the file is neither old nor new", nth);
		} else {
			CHECK(is_new, "atomic, fault %lu: acknowledged, but the file is not the new one",
			      nth);
			/* every write, fsync (the file's and its folder's) and rename
			 * of an atomic write is needed for durability: one that failed
			 * must not be acknowledged */
			CHECK(0, "atomic, fault %lu: a failed call, and the write acknowledged as durable",
			      nth);
		}
		CHECK(no_temp_files(), "atomic, fault %lu: a temporary file was left behind", nth);
	}
	report(kind == FAULT_DISKFULL ? "disk full" : "i/o", "atomic write", &t);
}

/* A large import (1,100 new cases on two threads: the index takes them in
 * beside the SQLite commit, and gives them back when the commit fails): each
 * of the last write, sync and truncate events of the import and its close is
 * failed in turn. A failed import leaves the open vault's index as before
 * (its records and a lookup of a new ref), the file before or after, and a
 * retry on the same handle applies it once. */
#define LARGE_N 1100
#define LARGE_TAIL 80 /* the last events: the commit's and the close's */

static int large_import(struct kith_vault *v, struct kith_err *err)
{
	json_t **bodies = calloc(LARGE_N, sizeof *bodies);
	if (!bodies)
		return KITH_E_NOMEM;
	int rc = KITH_OK;
	for (size_t i = 0; i < LARGE_N && !rc; i++) {
		char ref[32];
		snprintf(ref, sizeof ref, "L-%zu", i);
		bodies[i] = json_pack("{s:s, s:{s:s, s:s}, s:{s:b}}", "ref", ref, "person", "name",
				      i % 2 ? "김영희" : "Pak Chol", "sex", i % 2 ? "female" : "male",
				      "consent", "tracing", 1);
		if (!bodies[i])
			rc = KITH_E_NOMEM;
	}
	struct kith_exchange_import_result res;
	if (!rc)
		rc = kith_exchange_import(v, bodies, LARGE_N, "large.jsonl", NULL, NULL, &res, err);
	for (size_t i = 0; i < LARGE_N; i++)
		json_decref(bodies[i]);
	free(bodies);
	return rc;
}

static size_t case_count(struct kith_vault *v)
{
	size_t n = 0;
	(void)kith_vault_records(v, "case", &n);
	return n;
}

static void run_large_import(void)
{
	struct kith_vault_open_opts oo = {.threads = 2};
	struct kith_err err;
	/* a run without faults: how many events, and the file after */
	if (ops_copy_vault(base, work)) {
		CHECK(0, "copy");
		return;
	}
	struct kith_vault *v = NULL;
	kith_err_clear(&err);
	CHECK(kith_vault_open_with(&v, work, OPS_PASS, strlen(OPS_PASS), &oo, &err) == KITH_OK, "open");
	if (!v)
		return;
	size_t n0 = case_count(v);
	fault_arm(FAULT_IO, (unsigned long)-1);
	int rc = large_import(v, &err);
	kith_vault_close(v);
	unsigned long events = fault_count();
	fault_disarm();
	CHECK(rc == KITH_OK, "large import without faults: %s", err.msg);
	struct tally t = {0};
	for (unsigned long nth = events > LARGE_TAIL ? events - LARGE_TAIL : 1; nth <= events; nth++) {
		if (ops_copy_vault(base, work))
			break;
		v = NULL;
		kith_err_clear(&err);
		if (kith_vault_open_with(&v, work, OPS_PASS, strlen(OPS_PASS), &oo, &err)) {
			CHECK(0, "open: %s", err.msg);
			break;
		}
		fault_arm(FAULT_IO, nth);
		rc = large_import(v, &err);
		fault_disarm();
		t.runs++;
		if (rc) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			CHECK(rc == KITH_E_IO || rc == KITH_E_DB, "large import, fault %lu: status %s (%s)",
			      nth, kith_status_str(rc), err.msg);
			CHECK(case_count(v) == n0 && !kith_vault_find(v, "case", "L-7"),
			      "large import, fault %lu: the open vault's index changed after a failure", nth);
			kith_err_clear(&err);
			CHECK(large_import(v, &err) == KITH_OK && case_count(v) == n0 + LARGE_N,
			      "large import, fault %lu: the retry on the same handle failed: %s", nth,
			      err.msg);
		} else {
			CHECK(case_count(v) == n0 + LARGE_N,
			      "large import, fault %lu: acknowledged, not shown", nth);
		}
		kith_vault_close(v);
		v = NULL;
		kith_err_clear(&err);
		CHECK(kith_vault_open_with(&v, work, OPS_PASS, strlen(OPS_PASS), &oo, &err) == KITH_OK &&
			  case_count(v) == n0 + LARGE_N,
		      "large import, fault %lu: reopened, the file does not hold the import once", nth);
		kith_vault_close(v);
	}
	printf(
	    "i/o       large import  %4lu faults injected (the last of the import and its close): %lu ended "
	    "in an error, the index as before and the retry applied once each time\n",
	    t.runs, t.failed);
}

int main(void)
{
	int begun = ops_begin(dir, base, work);
	if (begun > 0)
		return begun;
	const char *only = getenv("FAULT_ONLY");
	verbose = getenv("FAULT_VERBOSE") != NULL;
	if (begun == 0) {
		for (size_t i = 0; i < ops_count; i++)
			if (!only || !strcmp(only, ops_all[i].name)) {
				run_op(&ops_all[i], FAULT_IO);
				run_op(&ops_all[i], FAULT_DISKFULL);
				run_same_handle(&ops_all[i]);
			}
		if (!only || !strcmp(only, "large")) /* after every op: it may fault the commit's tail */
			run_large_import();
		if (!only || !strcmp(only, "unlock")) {
			run_unlock(FAULT_IO);
			run_unlock(FAULT_DISKFULL);
		}
		if (!only || !strcmp(only, "atomic")) {
			run_atomic(FAULT_IO);
			run_atomic(FAULT_DISKFULL);
		}
	}
	return ops_end(dir);
}
