/*
 * test_fault_alloc — every allocation of an import, an edit, a link
 * confirmation, a merge, a passphrase change and an unlock is made to fail
 * in turn (inject.h: kith's own, jansson's and SQLite's allocations), as
 * SQLite's malloc tests and curl's torture tests do.
 *
 * For each operation and each N = 1, 2, ... until the operation completes
 * without reaching its Nth allocation, on a fresh copy of the base vault:
 *   - the operation returns an error status with a message (no crash; a leak
 *     fails the sanitizer build's run, valgrind run by hand: docs/testing.md),
 *   - the file holds exactly what it held before (a digest of every table),
 *   - the open vault shows exactly what it showed before (a digest of every
 *     record), and the same operation then succeeds on the same handle,
 *   - reopened, the vault shows the operation's result and no damage;
 * and an operation that succeeds although an allocation failed (a fallback)
 * must show the same result as one that met no fault.
 * The unlock: a failed open leaves the file as it was; a successful one
 * under a fault shows every record and no damage (never a record reported
 * damaged because memory ran out).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "vault/vault.h"
#include "inject.h"
#include "ops.h"

static int failures;
static char dir[4096], base[4200], work[4200];

#define CHECK(cond, ...)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			failures++;                                                                          \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                          \
			printf(__VA_ARGS__);                                                                 \
			printf("\n");                                                                        \
		}                                                                                            \
	} while (0)

/* A failure caused by memory running out must say so, or be a database or
 * I/O failure that SQLite reported for it: never "invalid", "not found",
 * "corrupted" or "wrong passphrase" (a wrong answer). */
static int clear_status(int rc)
{
	return rc == KITH_E_NOMEM || rc == KITH_E_DB || rc == KITH_E_IO || rc == KITH_E_CRYPTO;
}

/* FAULT_NTH=N in the environment runs the Nth fault alone (with
 * FAULT_BACKTRACE=1: where it lands). */
static unsigned long first_nth(void)
{
	const char *s = getenv("FAULT_NTH");
	return s && *s ? strtoul(s, NULL, 10) : 1;
}

struct tally {
	unsigned long runs, failed, survived, statuses[16];
};

static void report(const char *name, const struct tally *t)
{
	printf("alloc %-13s %5lu faults injected: %lu ended in an error (", name, t->runs, t->failed);
	const char *sep = "";
	for (int s = 0; s < 16; s++)
		if (t->statuses[s]) {
			printf("%s%s %lu", sep, kith_status_str(-s), t->statuses[s]);
			sep = ", ";
		}
	printf("), %lu completed anyway\n", t->survived);
}

/* The digests of the base vault as read back, and after op on it. */
static int expected(const struct op *op, char before[65], char after[65])
{
	if (ops_copy_vault(base, work))
		return -1;
	struct kith_vault *v = ops_open(work, OPS_PASS);
	if (!v)
		return -1;
	ops_digest(v, before);
	struct kith_err err;
	kith_err_clear(&err);
	int rc = op->run(v, &err);
	ops_digest(v, after);
	kith_vault_close(v);
	if (rc)
		printf("# %s without faults: %s: %s\n", op->name, kith_status_str(rc), err.msg);
	return rc ? -1 : 0;
}

static void run_op(const struct op *op)
{
	char before[65], after[65];
	if (expected(op, before, after)) {
		CHECK(0, "%s: cannot run without faults", op->name);
		return;
	}
	const char *after_pass = op->changes_pass ? OPS_NEW_PASS : OPS_PASS;
	struct tally t = {0};
	for (unsigned long nth = first_nth();; nth++) {
		if (getenv("FAULT_NTH") && nth > first_nth())
			break;
		if (ops_copy_vault(base, work)) {
			CHECK(0, "copy");
			return;
		}
		struct kith_vault *v = ops_open(work, OPS_PASS);
		if (!v) {
			CHECK(0, "open");
			return;
		}
		char file0[65], file1[65], mem[65];
		CHECK(fault_vault_digest(work, file0) == 0, "digest");
		uint64_t gen = kith_vault_generation(v);
		struct kith_err err;
		kith_err_clear(&err);
		fault_arm(FAULT_ALLOC, nth);
		int rc = op->run(v, &err);
		fault_disarm();
		if (fault_fired() == 0) {
			/* the operation needs fewer than nth allocations: done */
			CHECK(rc == KITH_OK, "%s: fails without a fault: %s", op->name, err.msg);
			kith_vault_close(v);
			break;
		}
		t.runs++;
		if (rc) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			CHECK(clear_status(rc), "%s, allocation %lu: status %s (%s)", op->name, nth,
			      kith_status_str(rc), err.msg);
			CHECK(err.msg[0] != '\0', "%s, allocation %lu: no message", op->name, nth);
			CHECK(fault_vault_digest(work, file1) == 0 && !strcmp(file0, file1),
			      "%s, allocation %lu: the file changed after a failure", op->name, nth);
			ops_digest(v, mem);
			CHECK(!strcmp(mem, before) && kith_vault_generation(v) == gen,
			      "%s, allocation %lu: the open vault changed after a failure", op->name, nth);
			kith_err_clear(&err);
			rc = op->run(v, &err);
			CHECK(rc == KITH_OK, "%s, allocation %lu: the retry failed: %s: %s", op->name, nth,
			      kith_status_str(rc), err.msg);
		} else {
			t.survived++;
		}
		ops_digest(v, mem);
		CHECK(!strcmp(mem, after), "%s, allocation %lu: wrong result in memory", op->name, nth);
		kith_vault_close(v);
		v = ops_open(work, after_pass);
		CHECK(v != NULL, "%s, allocation %lu: reopen failed", op->name, nth);
		if (v) {
			ops_digest(v, mem);
			CHECK(!strcmp(mem, after), "%s, allocation %lu: wrong result after reopening",
			      op->name, nth);
			kith_vault_close(v);
		}
	}
	report(op->name, &t);
}

static void run_unlock(void)
{
	char want[65];
	if (ops_copy_vault(base, work)) {
		CHECK(0, "copy");
		return;
	}
	struct kith_vault *v = ops_open(work, OPS_PASS);
	if (!v) {
		CHECK(0, "open");
		return;
	}
	ops_digest(v, want);
	kith_vault_close(v);
	struct tally t = {0};
	for (unsigned long nth = first_nth();; nth++) {
		if (getenv("FAULT_NTH") && nth > first_nth())
			break;
		char file0[65], file1[65], mem[65];
		CHECK(fault_vault_digest(work, file0) == 0, "digest");
		struct kith_err err;
		kith_err_clear(&err);
		v = NULL;
		fault_arm(FAULT_ALLOC, nth);
		int rc = kith_vault_open(&v, work, OPS_PASS, strlen(OPS_PASS), NULL, NULL, &err);
		fault_disarm();
		int done = fault_fired() == 0;
		if (!done)
			t.runs++;
		if (rc) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			CHECK(!done, "unlock fails without a fault: %s", err.msg);
			CHECK(clear_status(rc), "unlock, allocation %lu: status %s (%s)", nth,
			      kith_status_str(rc), err.msg);
			CHECK(v == NULL, "unlock, allocation %lu: *out set on failure", nth);
		} else {
			t.survived += !done;
			ops_digest(v, mem);
			CHECK(!strcmp(mem, want), "unlock, allocation %lu: opened, but shows other records",
			      nth);
			kith_vault_close(v);
		}
		CHECK(fault_vault_digest(work, file1) == 0 && !strcmp(file0, file1),
		      "unlock, allocation %lu: the file changed", nth);
		if (done)
			break;
	}
	report("unlock", &t);
}

int main(void)
{
	if (fault_setup() || kith_process_init()) {
		printf("FAIL: setup\n");
		return 1;
	}
	setenv("KITH_THREADS", "1", 1); /* one decrypting thread: the same Nth each run */
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/kith-fault-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("FAIL: mkdtemp\n");
		return 1;
	}
	snprintf(base, sizeof base, "%s/base.kith", dir);
	snprintf(work, sizeof work, "%s/work.kith", dir);
	const char *only = getenv("FAULT_ONLY");
	if (ops_make_base(base)) {
		printf("FAIL: base vault\n");
		failures++;
	} else {
		for (size_t i = 0; i < ops_count; i++)
			if (!only || !strcmp(only, ops_all[i].name))
				run_op(&ops_all[i]);
		if (!only || !strcmp(only, "unlock"))
			run_unlock();
	}
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	printf("%s: %d failure%s\n", failures ? "FAIL" : "ok", failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
