/*
 * ops — see ops.h. Every case here is invented.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/status.h"
#include "record/caseio.h"
#include "inject.h"
#include "casework/exchange.h"
#include "casework/linkvault.h"
#include "casework/trace.h"

static const char cases_jsonl[] =
    "{\"person\": {\"name\": \"한서진\", \"sex\": \"female\", \"birth\": \"1984\"}, "
    "\"source\": {\"organization\": \"Fault Test Shelter\"}}\n"
    "{\"person\": {\"name\": \"Han So Jin\", \"sex\": \"female\", \"birth\": \"1984\"}, "
    "\"source\": {\"organization\": \"Fault Test Shelter\"}}\n";

static const char base_jsonl[] =
    "{\"ref\": \"F-1\", \"person\": {\"name\": \"김은별\", \"sex\": \"female\", \"birth\": \"1980\"}, "
    "\"source\": {\"organization\": \"Fault Test Shelter\"}, \"consent\": {\"tracing\": true}}\n"
    "{\"ref\": \"F-2\", \"person\": {\"name\": \"Kim Un Byol\", \"sex\": \"female\", \"birth\": \"1980\"}, "
    "\"source\": {\"organization\": \"Fault Test Shelter\"}, \"consent\": {\"tracing\": true}}\n"
    "{\"ref\": \"F-3\", \"person\": {\"name\": \"오명철\", \"sex\": \"male\", \"birth\": \"2004\"}, "
    "\"source\": {\"organization\": \"Fault Test Shelter\"}, \"consent\": {\"tracing\": true}}\n";

static const char trace_json[] =
    "{\"ref\": \"T-1\", \"seeker\": {\"case\": \"F-1\"}, \"sought\": {\"name\": \"오명철\", \"sex\": "
    "\"male\", \"age\": {\"years\": 6, \"in_year\": 2010}, \"relation\": \"child\"}, "
    "\"consent\": {\"tracing\": true, \"given_by\": \"self\"}}";

/* Parses JSON Lines and imports them as the CLI and the web do. */
static int put_all(struct kith_vault *v, const char *data, size_t len, struct kith_err *err)
{
	json_t **bodies = NULL;
	size_t n = 0;
	int rc = kith_caseio_parse(KITH_CASEIO_JSONL, "case", data, len, "fault.jsonl", &bodies, &n, err);
	if (rc)
		return rc;
	struct kith_exchange_import_result res;
	rc = kith_exchange_import(v, bodies, n, "fault.jsonl", NULL, NULL, &res, err);
	kith_caseio_free(bodies, n);
	return rc;
}

static int op_import(struct kith_vault *v, struct kith_err *err)
{
	return put_all(v, cases_jsonl, sizeof cases_jsonl - 1, err);
}

static int op_edit(struct kith_vault *v, struct kith_err *err)
{
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	if (n < 3)
		return kith_err_set(err, KITH_E_INTERNAL, "test", "base vault has %zu cases", n);
	char id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", cs[2].id);
	json_t *body = kith_record_view_json(&cs[2]);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	json_t *st = json_string("closed");
	int rc = st && !json_object_set_new(body, "status", st)
		     ? KITH_OK
		     : kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	struct kith_vault_batch *b = NULL;
	struct kith_vault_put_opts po = {.id = id, .expect_version = cs[2].version, .note = "fault test"};
	if (!rc)
		rc = kith_vault_batch_begin(v, &b, err);
	if (!rc)
		rc = kith_vault_put(b, "case", body, &po, NULL, NULL, err);
	if (!rc) {
		rc = kith_vault_batch_commit(b, err);
		b = NULL;
	}
	kith_vault_batch_free(b);
	json_decref(body);
	return rc;
}

static int op_link_confirm(struct kith_vault *v, struct kith_err *err)
{
	size_t n;
	const struct kith_record_view *ls = kith_vault_records(v, "link", &n);
	if (n != 1)
		return kith_err_set(err, KITH_E_INTERNAL, "test", "base vault has %zu links", n);
	char id[KITH_VAULT_ID_HEX], out[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", ls[0].id);
	return kith_link_vault_set_status(v, id, "confirmed", "reviewer-1", "fault test", out, err);
}

static int op_merge(struct kith_vault *v, struct kith_err *err)
{
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	if (n < 3)
		return kith_err_set(err, KITH_E_INTERNAL, "test", "base vault has %zu cases", n);
	char r1[KITH_VAULT_REF_MAX], r3[KITH_VAULT_REF_MAX], out[KITH_VAULT_ID_HEX];
	snprintf(r1, sizeof r1, "%s", cs[0].ref);
	snprintf(r3, sizeof r3, "%s", cs[2].ref);
	return kith_link_vault_merge(v, r1, r3, "reviewer-1", "fault test", out, err);
}

static int op_trace_confirm(struct kith_vault *v, struct kith_err *err)
{
	return kith_trace_review(v, "T-1", "F-3", KITH_TRACE_CONFIRM, "reviewer-1", "fault test", err);
}

static int op_passwd(struct kith_vault *v, struct kith_err *err)
{
	return kith_vault_passwd(v, OPS_NEW_PASS, strlen(OPS_NEW_PASS), NULL, 0, err);
}

const struct op ops_all[] = {
    {"import", op_import, 0},
    {"edit", op_edit, 0},
    {"link confirm", op_link_confirm, 0},
    {"merge", op_merge, 0},
    {"trace confirm", op_trace_confirm, 0},
    {"passwd", op_passwd, 1},
};
const size_t ops_count = sizeof ops_all / sizeof ops_all[0];

struct kith_vault *ops_open(const char *path, const char *pass)
{
	struct kith_vault *v = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err);
	if (rc) {
		printf("# open %s: %s: %s\n", path, kith_status_str(rc), err.msg);
		return NULL;
	}
	return v;
}

int ops_make_base(const char *path)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	unlink(path);
	if (kith_vault_create(path, OPS_PASS, strlen(OPS_PASS), &co, &err)) {
		printf("# create: %s\n", err.msg);
		return -1;
	}
	struct kith_vault *v = ops_open(path, OPS_PASS);
	if (!v)
		return -1;
	size_t n;
	char id[KITH_VAULT_ID_HEX];
	int rc = put_all(v, base_jsonl, sizeof base_jsonl - 1, &err);
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	if (!rc && n == 3)
		rc = kith_link_vault_merge(v, cs[0].ref, cs[1].ref, "reviewer-1", NULL, id, &err);
	if (!rc)
		rc = kith_link_vault_set_status(v, id, "undone", "reviewer-1", NULL, id, &err);
	json_t **tb = NULL;
	size_t tn = 0, bad = 0;
	char tref[1][KITH_VAULT_REF_MAX];
	if (!rc)
		rc = kith_caseio_parse(KITH_CASEIO_JSON, "trace", trace_json, sizeof trace_json - 1,
				       "trace.json", &tb, &tn, &err);
	if (!rc)
		rc = kith_trace_add(v, tb, tn, tref, &bad, &err);
	kith_caseio_free(tb, tn);
	if (rc)
		printf("# base vault: %s: %s\n", kith_status_str(rc), err.msg);
	kith_vault_close(v);
	return rc ? -1 : 0;
}

static void put_str(crypto_generichash_state *h, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;
	crypto_generichash_update(h, (const unsigned char *)&n, sizeof n);
	if (n)
		crypto_generichash_update(h, (const unsigned char *)s, n);
}

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

void ops_digest(const struct kith_vault *v, char out[65])
{
	/* a set: the hash of the sorted hashes of the records, ids left out (new
	 * records get random ids, and their order follows them within a second) */
	static const char *const kinds[] = {"case", "link", "trace"};
	size_t total = 0, n, nd, k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		(void)kith_vault_records(v, kinds[k], &n);
		total += n;
	}
	const struct kith_vault_damage *d = kith_vault_damaged(v, &nd);
	unsigned char(*each)[32] = calloc(total + 1, 32);
	size_t m = 0;
	for (k = 0; each && k < sizeof kinds / sizeof kinds[0]; k++) {
		const struct kith_record_view *r = kith_vault_records(v, kinds[k], &n);
		for (size_t i = 0; i < n; i++) {
			crypto_generichash_state h;
			char ver[16];
			snprintf(ver, sizeof ver, "%u", (unsigned)r[i].version);
			crypto_generichash_init(&h, NULL, 0, 32);
			put_str(&h, r[i].kind);
			put_str(&h, r[i].ref);
			put_str(&h, ver);
			crypto_generichash_update(&h, (const unsigned char *)r[i].body, r[i].body_len);
			put_str(&h, r[i].action);
			put_str(&h, r[i].note);
			crypto_generichash_final(&h, each[m++], 32);
		}
	}
	if (each)
		qsort(each, m, 32, cmp32);
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (each)
		crypto_generichash_update(&h, each[0], m * 32);
	else
		put_str(&h, "out of memory");
	for (size_t i = 0; i < nd; i++) {
		put_str(&h, d[i].id);
		put_str(&h, d[i].reason);
	}
	free(each);
	unsigned char dig[32];
	crypto_generichash_final(&h, dig, sizeof dig);
	sodium_bin2hex(out, 65, dig, sizeof dig);
}

int ops_copy_vault(const char *from, const char *to)
{
	char p[4200];
	unlink(to);
	snprintf(p, sizeof p, "%s-wal", to);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", to);
	unlink(p);
	return fault_copy(from, to);
}

int ops_expected(const struct op *op, const char *base, const char *work, char before[65], char after[65])
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

int ops_failures;

int ops_begin(char dir[4096], char base[4200], char work[4200])
{
	if (fault_setup() || kith_process_init()) {
		printf("FAIL: setup\n");
		return 1;
	}
	setenv("KITH_THREADS", "1", 1);
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, 4096, "%s/kith-fault-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("FAIL: mkdtemp\n");
		return 1;
	}
	snprintf(base, 4200, "%s/base.kith", dir);
	snprintf(work, 4200, "%s/work.kith", dir);
	if (ops_make_base(base)) {
		printf("FAIL: base vault\n");
		ops_failures++;
		return -1;
	}
	return 0;
}

int ops_end(const char *dir)
{
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	printf("%s: %d failure%s\n", ops_failures ? "FAIL" : "ok", ops_failures,
	       ops_failures == 1 ? "" : "s");
	return ops_failures ? 1 : 0;
}

void ops_print_statuses(const unsigned long statuses[16])
{
	const char *sep = "";
	for (int s = 0; s < 16; s++)
		if (statuses[s]) {
			printf("%s%s %lu", sep, kith_status_str(-s), statuses[s]);
			sep = ", ";
		}
}
