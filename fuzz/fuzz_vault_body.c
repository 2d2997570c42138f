/*
 * fuzz_vault_body — a decrypted record body is input, even when it is
 * authentic: a device's bug, or a key in the wrong hands, writes a well-signed
 * row whose envelope or body is hostile. This target writes the input as a
 * real row of a small vault, sealed and signed by the vault's own device (so
 * every cryptographic check passes), then runs every reader over the vault:
 * the index at unlock, records of each kind and their JSON, history, the
 * damage list, search, JSON Lines and CSV export, and the link views
 * (persons, links with their case briefs).
 *
 * Input: byte 0 picks the shape — 0: the whole rest is the envelope
 * plaintext; 1, 2, 3: the rest is the body of a "case", "link" or "trace"
 * envelope. Properties beyond "no crash, no leak": the two good cases of the
 * vault stay readable whatever the hostile row holds; every indexed record's
 * body parses (kith_record_view_json) and holds to its kind's schema; a hostile row is in the index or in
 * the damage list, never both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/caseio.h"
#include "record/record.h"
#include "vault/crypto.h"
#include "base/sbuf.h"
#include "casework/search.h"
#include "vault/store.h"
#include "vault/vault.h"
#include "casework/linkvault.h"

#include "fuzz_tmp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASS "fuzz pass"
#define MAX_INPUT (256u << 10)

static char dir[4096], tmpl[4200], work[4200];
static struct kith_crypto_keys *keys;
static char good1[KITH_VAULT_REF_MAX], good2[KITH_VAULT_REF_MAX];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_vault_body: %s\n", what);
	abort();
}

static void cleanup(void)
{
	kith_crypto_keys_free(keys);
	kith_store_remove(tmpl);
	kith_store_remove(work);
	rmdir(dir);
}

static void copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	if (!a || !b)
		die("copy");
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, a)) > 0)
		if (fwrite(buf, 1, n, b) != n)
			die("copy");
	fclose(a);
	if (fclose(b))
		die("copy");
}

static void add(struct kith_vault *v, const char *json, char ref[KITH_VAULT_REF_MAX])
{
	struct kith_vault_batch *b = NULL;
	json_t *body = json_loads(json, 0, NULL);
	if (!body || kith_vault_batch_begin(v, &b, NULL) ||
	    kith_vault_put(b, "case", body, NULL, ref, NULL, NULL) || kith_vault_batch_commit(b, NULL))
		die("add");
	json_decref(body);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_begin(dir, sizeof dir, cleanup);
	snprintf(tmpl, sizeof tmpl, "%s/t.kith", dir);
	snprintf(work, sizeof work, "%s/w.kith", dir);
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST};
	if (kith_vault_create(tmpl, PASS, strlen(PASS), &o, NULL))
		die("create");
	struct kith_vault *v = NULL;
	if (kith_vault_open(&v, tmpl, PASS, strlen(PASS), NULL, NULL, NULL))
		die("open");
	add(v, "{\"person\":{\"name\":\"Pak Sun-hui\",\"sex\":\"female\"},\"consent\":{\"sharing\":true}}",
	    good1);
	add(v, "{\"person\":{\"name\":\"방미선\",\"sex\":\"female\"}}", good2);
	kith_vault_close(v);
	/* the device's keys, as its passphrase opens them */
	struct kith_store *s = NULL;
	struct kith_store_header h;
	uint8_t n[KITH_CRYPTO_NONCE_BYTES], box[KITH_CRYPTO_SLOT_BOX_BYTES], vid[KITH_CRYPTO_ID_BYTES];
	if (kith_store_open(&s, tmpl, NULL) || kith_store_header_get(s, &h, NULL) ||
	    kith_store_slot_get(s, "main", n, sizeof n, box, sizeof box, NULL))
		die("read the slot");
	kith_store_close(s);
	struct kith_crypto_kdf kdf = {.opslimit = h.opslimit, .memlimit = h.memlimit, .alg = h.alg};
	memcpy(kdf.salt, h.salt, sizeof kdf.salt);
	struct kith_crypto_key *kek = NULL;
	if (kith_crypto_kek_derive(&kek, PASS, strlen(PASS), &kdf, NULL) ||
	    kith_crypto_slot_open(kek, n, box, &keys, vid, NULL) != KITH_CRYPTO_SLOT_KEYS)
		die("open the slot");
	kith_crypto_key_free(kek);
	/* the file alone holds everything (checkpointed at close) */
	char side[160];
	snprintf(side, sizeof side, "%s-wal", tmpl);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", tmpl);
	unlink(side);
	return 0;
}

static void put_row(const char *env, size_t len)
{
	struct kith_crypto_row r;
	memset(&r, 0, sizeof r);
	memset(r.id, 0xf5, sizeof r.id);
	r.version = 1;
	if (kith_crypto_keys_access(keys, 1))
		die("keys");
	int rc = kith_crypto_row_seal(keys, &r, env, len, NULL);
	if (kith_crypto_keys_access(keys, 0))
		die("keys");
	if (rc == KITH_E_LIMIT)
		return;
	if (rc)
		die("seal");
	struct kith_store *s = NULL;
	struct kith_store_row sr = {.id = {r.id, sizeof r.id},
				    .device = {r.device, sizeof r.device},
				    .wrap_org = {r.wrap_org, sizeof r.wrap_org},
				    .wrap_dev = {r.wrap_dev, sizeof r.wrap_dev},
				    .nonce = {r.nonce, sizeof r.nonce},
				    .ct = {r.ct, r.ct_len},
				    .sig = {r.sig, sizeof r.sig},
				    .version = 1};
	if (kith_store_open(&s, work, NULL) || kith_store_begin(s, NULL) ||
	    kith_store_row_put(s, &sr, NULL) || kith_store_commit(s, NULL))
		die("write the row");
	kith_store_close(s);
	free(r.ct);
}

static void read_everything(struct kith_vault *v)
{
	static const char *const kinds[] = {"case", "link", "trace", "person", "x"};
	size_t total = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t n = 0;
		const struct kith_record_view *r = kith_vault_records(v, kinds[k], &n);
		total += n;
		json_t **bodies = calloc(n ? n : 1, sizeof *bodies);
		if (!bodies)
			die("oom");
		for (size_t i = 0; i < n; i++) {
			if (!(bodies[i] = kith_record_view_json(&r[i])))
				die("an indexed body does not parse");
			/* whether unlock checked it in one pass (kith_record_text_ok) or
			 * with jansson, an indexed body holds to its kind's schema */
			if (kith_record_kind_valid(kinds[k]) &&
			    kith_record_validate(kinds[k], bodies[i], NULL) != KITH_OK)
				die("an indexed body breaks its kind's schema");
			struct kith_record_view *h = NULL;
			size_t hn = 0;
			if (kith_vault_history(v, r[i].id, &h, &hn, NULL) == KITH_OK)
				kith_vault_history_free(h, hn);
		}
		if (!strcmp(kinds[k], "case")) {
			/* indexed cases hold to the schema: the exporters take all of them */
			struct kith_sbuf out = KITH_SBUF_INIT;
			struct kith_err e;
			kith_err_clear(&e);
			if (kith_caseio_write_jsonl(bodies, n, &out, &e))
				fprintf(stderr, "%s: %s\n", e.where, e.msg),
				    die("export of indexed cases failed (jsonl)");
			kith_sbuf_reset(&out);
			if (kith_caseio_write_csv(bodies, n, &out, &e))
				fprintf(stderr, "%s: %s\n", e.where, e.msg),
				    die("export of indexed cases failed (csv)");
			kith_sbuf_release(&out);
		}
		for (size_t i = 0; i < n; i++)
			json_decref(bodies[i]);
		free(bodies);
	}
	size_t nd = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &nd);
	for (size_t i = 0; i < nd; i++)
		if (kith_vault_find_id(v, d[i].id))
			die("a record both indexed and damaged");
	if (!kith_vault_find(v, "case", good1) || !kith_vault_find(v, "case", good2))
		die("a good case became unreadable");
	struct kith_search *s = NULL;
	if (kith_search_new(&s, v, NULL) == KITH_OK) {
		const struct kith_search_hit *hits = NULL;
		size_t nh = 0;
		if (kith_search_run(s, "Pak Sun-hui", 11, 5, 0, &hits, &nh, NULL) ||
		    kith_search_run(s, "방미선", strlen("방미선"), 5, 0, &hits, &nh, NULL))
			die("search failed");
		kith_search_free(s);
	}
	json_t *j = NULL;
	if (kith_link_vault_links_json(v, NULL, 0, NULL, &j, NULL) == KITH_OK)
		json_decref(j);
	json_decref(kith_link_vault_persons_json(v, NULL));
	size_t *person = NULL, nc = 0;
	if (kith_link_vault_persons(v, &person, &nc, NULL) == KITH_OK)
		free(person);
	(void)total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!keys && LLVMFuzzerInitialize(NULL, NULL))
		abort();
	if (size < 1 || size > MAX_INPUT)
		return 0;
	static const char *const kinds[] = {NULL, "case", "link", "trace"};
	unsigned shape = data[0] % 4;
	const char *rest = (const char *)data + 1;
	size_t rlen = size - 1;
	struct kith_sbuf env = KITH_SBUF_INIT;
	char dev[17];
	kith_crypto_keys_device_id(keys, dev);
	int bad = 0;
	if (shape == 0) {
		bad = kith_sbuf_add(&env, rest, rlen);
	} else {
		bad =
		    kith_sbuf_addf(&env, "{\"kind\":\"%s\",\"ref\":\"F-1\",\"body\":", kinds[shape]) ||
		    kith_sbuf_add(&env, rest, rlen) ||
		    kith_sbuf_addf(&env,
				   ",\"at\":1700000000,\"device\":\"%s\",\"action\":\"create\",\"note\":\"\","
				   "\"created\":1700000000}",
				   dev);
	}
	if (bad)
		die("oom");
	kith_store_remove(work);
	copy_file(tmpl, work);
	put_row(env.buf ? env.buf : "", env.len);
	kith_sbuf_release(&env);
	struct kith_vault *v = NULL;
	if (kith_vault_open(&v, work, PASS, strlen(PASS), NULL, NULL, NULL))
		die("the vault does not open");
	read_everything(v);
	kith_vault_close(v);
	kith_store_remove(work);
	return 0;
}
