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
#include "web/api.h"
#include "inject.h"
#include "ops.h"

static char dir[4096], base[4200], work[4200];

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
	unsigned long runs, failed, survived, warned, statuses[16];
};

static void report(const char *name, const struct tally *t)
{
	printf("alloc %-13s %5lu faults injected: %lu ended in an error (", name, t->runs, t->failed);
	ops_print_statuses(t->statuses);
	printf("), %lu completed anyway", t->survived);
	if (t->warned)
		printf(" (%lu with a warning)", t->warned);
	printf("\n");
}

static void run_op(const struct op *op)
{
	char before[65], after[65];
	if (ops_expected(op, base, work, before, after)) {
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
			/* a failure leaves the file as it was (passwd used to report a
			 * failure of its shredding after the new slots were committed) */
			CHECK(fault_vault_digest(work, file1) == 0 && strcmp(file0, file1) == 0,
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
			/* a success may carry a warning (passwd: the old slots could
			 * not be overwritten): status 0 and a message that says so */
			if (err.msg[0]) {
				t.warned++;
				CHECK(err.status == KITH_OK && strstr(err.msg, "old key slots"),
				      "%s, allocation %lu: success with a message that is no warning: %s",
				      op->name, nth, err.msg);
			}
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
			/* an allocation failure inside SQLite while the rows are read
			 * used to open the vault with rows counted as missing or
			 * damaged: out of memory is no damaged page */
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

/* ------------------------------------------------------------ web API */

static const char *import_query(void *cls, const char *key)
{
	(void)cls;
	return !strcmp(key, "format") ? "jsonl" : !strcmp(key, "name") ? "upload.jsonl" : NULL;
}

/* One POST of the API with every allocation failing in turn: the answer is
 * a complete 500 error in JSON (never a 4xx that blames the request), the
 * file is as it was, and the same request then succeeds; or the write was
 * committed and the answer is a 2xx that says so (never a 500 after the
 * write: a client that believes it failed sends it again, a duplicate). */
static void run_web(const char *path, const char *body, int with_query)
{
	char name[64];
	snprintf(name, sizeof name, "POST %s", path);
	struct tally t = {0};
	unsigned long minimal = 0;
	char after[65] = "";
	for (unsigned long nth = first_nth();; nth++) {
		if (getenv("FAULT_NTH") && nth > first_nth())
			break;
		struct kith_web_api *a = NULL;
		struct kith_err err;
		if (ops_copy_vault(base, work) || kith_web_api_new(&a, work, &err) ||
		    kith_web_api_unlock(a, OPS_PASS, strlen(OPS_PASS), &err)) {
			CHECK(0, "%s: set-up", name);
			kith_web_api_free(a);
			return;
		}
		kith_web_api_set_link_threads(a, 1); /* one linking thread: the same Nth each run */
		char file0[65], file1[65], mem[65];
		CHECK(fault_vault_digest(work, file0) == 0, "digest");
		struct kith_web_request req = {"POST",	     path, with_query ? import_query : NULL,
					       NULL,	     body, strlen(body),
					       "reviewer-1", NULL, 0,
					       NULL};
		struct kith_web_response resp = KITH_WEB_RESPONSE_INIT;
		fault_arm(FAULT_ALLOC, nth);
		int rc = kith_web_api_handle(a, &req, &resp);
		fault_disarm();
		int done = fault_fired() == 0;
		json_t *j = resp.body.len ? json_loadb(resp.body.buf, resp.body.len, 0, NULL) : NULL;
		CHECK(j != NULL, "%s, allocation %lu: the answer is not JSON (HTTP %u)", name, nth,
		      resp.http);
		json_decref(j);
		int ok = resp.http >= 200 && resp.http < 300;
		if (done) {
			CHECK(rc == KITH_OK && ok, "%s fails without a fault: HTTP %u", name, resp.http);
		} else {
			t.runs++;
		}
		if (!done && !ok) {
			t.failed++;
			t.statuses[-rc < 16 ? -rc : 0]++;
			/* judged as a client sees it: the status returned beside the
			 * answer says "invalid" when the body could not be parsed for
			 * want of memory (api.c returns KITH_E_INVALID after
			 * parse_body), though the answer itself is a 500 */
			CHECK(resp.http >= 500, "%s, allocation %lu: HTTP %u, status %s", name, nth,
			      resp.http, kith_status_str(rc));
			if (fault_vault_digest(work, file1) == 0 && strcmp(file0, file1) != 0) {
				/* the answer failed after the write: a client that
				 * sends it again writes it twice */
				CHECK(0, "%s, allocation %lu: HTTP %u answered after the write was committed",
				      name, nth, resp.http);
			} else {
				kith_web_response_release(&resp);
				rc = kith_web_api_handle(a, &req, &resp);
				CHECK(rc == KITH_OK, "%s, allocation %lu: the retry failed: HTTP %u", name,
				      nth, resp.http);
			}
		} else if (!done) {
			t.survived++;
			/* the minimal answer of a committed write: the id, when it has one */
			if (resp.body.len && strstr(resp.body.buf, "\"committed\":true"))
				minimal++;
		}
		kith_web_response_release(&resp);
		kith_web_api_free(a);
		struct kith_vault *v = ops_open(work, OPS_PASS);
		if (!v) {
			CHECK(0, "%s, allocation %lu: reopen failed", name, nth);
			continue;
		}
		ops_digest(v, mem);
		kith_vault_close(v);
		if (!after[0])
			memcpy(after, mem, sizeof after);
		/* finding 9 (docs/testing.md): kith_link_choose_tiers went on without its
		 * bins when calloc failed and proposed other links, reported as done */
		CHECK(!strcmp(mem, after), "%s, allocation %lu: wrong result after reopening", name, nth);
		if (done)
			break;
	}
	report(name, &t);
	if (minimal)
		printf("  of which %lu answered {\"committed\":true} (the full answer could not be built "
		       "after the write)\n",
		       minimal);
}

static void run_web_all(void)
{
	struct kith_vault *v = ops_open(base, OPS_PASS);
	if (!v) {
		CHECK(0, "open base");
		return;
	}
	const struct kith_record_view *c = kith_vault_find(v, "case", "F-3");
	char edit[512];
	snprintf(edit, sizeof edit,
		 "{\"id\": \"%s\", \"expect_version\": %u, \"body\": {\"ref\": \"F-3\", \"person\": "
		 "{\"name\": \"오명철\", \"sex\": \"male\", \"birth\": \"2004\"}, \"status\": \"closed\"}, "
		 "\"note\": \"web\"}",
		 c ? c->id : "", c ? (unsigned)c->version : 0);
	/* the base vault's one link (undone) and its cases */
	size_t nl = 0, nc = 0;
	const struct kith_record_view *l = kith_vault_records(v, "link", &nl);
	const struct kith_record_view *cs = kith_vault_records(v, "case", &nc);
	char confirm[256], same[256];
	snprintf(confirm, sizeof confirm,
		 "{\"id\": \"%s\", \"status\": \"confirmed\", \"expect_version\": %u, \"reason\": "
		 "\"web\"}",
		 nl ? l[0].id : "", nl ? (unsigned)l[0].version : 0);
	snprintf(same, sizeof same, "{\"refs\": [\"%s\", \"%s\"], \"reason\": \"web\"}",
		 nc > 2 ? cs[0].ref : "", nc > 2 ? cs[2].ref : "");
	kith_vault_close(v);
	run_web("/cases",
		"{\"body\": {\"person\": {\"name\": \"방미선\", \"sex\": \"female\", \"birth\": \"1986\"}}, "
		"\"note\": \"intake\"}",
		0);
	run_web("/edit", edit, 0);
	run_web("/import",
		"{\"person\": {\"name\": \"지영순\", \"sex\": \"female\"}}\n{\"person\": {\"name\": \"Ri "
		"Kwang Ho\", \"sex\": \"male\"}}\n",
		1);
	run_web("/link", confirm, 0);
	run_web("/links", same, 0);
	run_web("/links/propose", "{}", 0);
}

int main(void)
{
	int begun = ops_begin(dir, base, work);
	if (begun > 0)
		return begun;
	const char *only = getenv("FAULT_ONLY");
	if (begun == 0) {
		for (size_t i = 0; i < ops_count; i++)
			if (!only || !strcmp(only, ops_all[i].name))
				run_op(&ops_all[i]);
		if (!only || !strcmp(only, "unlock"))
			run_unlock();
		if (!only || !strcmp(only, "web"))
			run_web_all();
	}
	return ops_end(dir);
}
