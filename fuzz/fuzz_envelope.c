/*
 * fuzz_envelope — the decoding of a vault row (vault/crypto.c
 * kith_crypto_row_open: key unwrap, signature, authenticated decryption,
 * unpadding; then the vault's parse of the envelope JSON inside it:
 * kind, ref, body, at, device, action, note, created). The first byte picks:
 *   0  the rest is the envelope plaintext: sealed and signed with the
 *      device's real keys into a copy of a small vault, which is then opened:
 *      the row must show as a record, or be listed as damaged by its id —
 *      never dropped in silence, never a crash;
 *   1  the rest is XORed over a valid row's version, key wraps, nonce and
 *      ciphertext (and shortens it), then re-signed: kith_crypto_row_open
 *      returns the original plaintext exactly, or KITH_E_CORRUPT with a
 *      reason;
 *   2  the same without re-signing: any change must fail.
 * The vault is made once per process in $TMPDIR (kdf "test").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fuzz_tmp.h"
#include "vault/crypto.h"
#include "vault/store.h"
#include "vault/vault.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASS "fuzz"

static char dir[4096], tmpl[4200], work[4200];
static struct kith_crypto_keys *keys;
static const uint8_t row_id[KITH_CRYPTO_ID_BYTES] = {0x6b, 0x69, 0x74, 0x68, 1, 2,  3,	4,
						     5,	   6,	 7,    8,    9, 10, 11, 12};
static const char good_env[] =
    "{\"kind\":\"case\",\"ref\":\"C-1\",\"body\":{\"ref\":\"C-1\",\"person\":{\"name\":\"Fuzz Test\"}},"
    "\"at\":1700000000,\"device\":\"0000000000000000\",\"action\":\"create\",\"note\":\"\","
    "\"created\":1700000000}";

static void cleanup(void)
{
	kith_crypto_keys_free(keys);
	kith_store_remove(tmpl);
	kith_store_remove(work);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_begin(dir, sizeof dir, cleanup);
	snprintf(tmpl, sizeof tmpl, "%s/tmpl.kith", dir);
	snprintf(work, sizeof work, "%s/work.kith", dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	if (kith_vault_create(tmpl, PASS, strlen(PASS), &co, &err))
		abort();
	/* the device's keys, through the same public steps the vault takes */
	struct kith_store *s = NULL;
	struct kith_store_header h;
	struct kith_crypto_key *kek = NULL;
	uint8_t nonce[KITH_CRYPTO_NONCE_BYTES], box[KITH_CRYPTO_SLOT_BOX_BYTES], vid[KITH_CRYPTO_ID_BYTES];
	if (kith_store_open(&s, tmpl, &err) || kith_store_header_get(s, &h, &err))
		abort();
	struct kith_crypto_kdf kdf = {.opslimit = h.opslimit, .memlimit = h.memlimit, .alg = h.alg};
	memcpy(kdf.salt, h.salt, sizeof kdf.salt);
	if (kith_crypto_kek_derive(&kek, PASS, strlen(PASS), &kdf, &err) ||
	    kith_store_slot_get(s, "main", nonce, sizeof nonce, box, sizeof box, &err) ||
	    kith_crypto_slot_open(kek, nonce, box, &keys, vid, &err) != KITH_CRYPTO_SLOT_KEYS)
		abort();
	kith_crypto_key_free(kek);
	kith_store_close(s);
	return 0;
}

static int seal(struct kith_crypto_row *row, const void *plain, size_t len)
{
	memset(row, 0, sizeof *row);
	memcpy(row->id, row_id, sizeof row->id);
	row->version = 1;
	memcpy(row->device, kith_crypto_keys_sign_pk(keys), KITH_CRYPTO_PK_BYTES);
	if (kith_crypto_keys_access(keys, 1))
		abort();
	int rc = kith_crypto_row_seal(keys, row, plain, len, NULL);
	if (kith_crypto_keys_access(keys, 0))
		abort();
	return rc;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	if (!in || !out)
		abort();
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			abort();
	fclose(in);
	if (fclose(out))
		abort();
}

static void through_vault(const uint8_t *data, size_t size)
{
	struct kith_crypto_row row;
	if (seal(&row, data, size))
		return; /* too large */
	char p[4300];
	snprintf(p, sizeof p, "%s-wal", work);
	unlink(p);
	copy_file(tmpl, work);
	struct kith_store *s = NULL;
	struct kith_err err;
	struct kith_store_row sr = {
	    .id = {row.id, sizeof row.id},
	    .device = {row.device, sizeof row.device},
	    .wrap_org = {row.wrap_org, sizeof row.wrap_org},
	    .wrap_dev = {row.wrap_dev, sizeof row.wrap_dev},
	    .nonce = {row.nonce, sizeof row.nonce},
	    .ct = {row.ct, row.ct_len},
	    .sig = {row.sig, sizeof row.sig},
	    .version = row.version,
	};
	if (kith_store_open(&s, work, &err) || kith_store_begin(s, &err) ||
	    kith_store_row_put(s, &sr, &err) || kith_store_commit(s, &err))
		abort();
	kith_store_close(s);
	free(row.ct);

	struct kith_vault *v = NULL;
	if (kith_vault_open(&v, work, PASS, strlen(PASS), NULL, NULL, &err))
		abort(); /* one bad row must not keep the vault shut */
	char hex[KITH_VAULT_ID_HEX];
	sodium_bin2hex(hex, sizeof hex, row_id, sizeof row_id);
	const struct kith_record_view *view = kith_vault_find_id(v, hex);
	const struct kith_vault_damage *dmg = kith_vault_find_damaged_id(v, hex);
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	if (!view == !dmg) /* shown and damaged, or neither: silently dropped */
		abort();
	if (view) {
		json_t *j = kith_record_view_json(view);
		if (!json_is_object(j) || !view->kind || !view->ref || !view->device || !view->action ||
		    !view->note || info.records != 1)
			abort();
		json_decref(j);
	} else if (!dmg->reason || !*dmg->reason || info.damaged != 1) {
		abort();
	}
	kith_vault_close(v);
}

static void tampered(const uint8_t *mask, size_t n, int resign)
{
	struct kith_crypto_row row;
	if (seal(&row, good_env, sizeof good_env - 1))
		abort();
	/* the mask runs over version, wrap_org, wrap_dev, nonce, ct; a byte
	 * past them shortens the ciphertext */
	uint8_t *fields[] = {(uint8_t *)&row.version, row.wrap_org, row.wrap_dev, row.nonce, row.ct};
	size_t lens[] = {sizeof row.version, sizeof row.wrap_org, sizeof row.wrap_dev, sizeof row.nonce,
			 row.ct_len};
	int changed = 0;
	size_t i = 0;
	for (size_t f = 0; f < 5 && i < n; f++)
		for (size_t k = 0; k < lens[f] && i < n; k++, i++) {
			fields[f][k] ^= mask[i];
			changed |= mask[i] != 0;
		}
	if (i < n && mask[i] && row.ct_len) {
		row.ct_len -= 1 + mask[i] % row.ct_len;
		changed = 1;
	}
	if (resign) {
		if (kith_crypto_keys_access(keys, 1) || kith_crypto_row_sign(keys, &row) ||
		    kith_crypto_keys_access(keys, 0))
			abort();
	}
	struct kith_sbuf plain = KITH_SBUF_INIT;
	const char *reason = NULL;
	if (kith_crypto_keys_access(keys, 1))
		abort();
	int rc = kith_crypto_row_open(keys, &row, &plain, &reason, NULL);
	if (kith_crypto_keys_access(keys, 0))
		abort();
	if (rc == KITH_OK) {
		/* only a change the device's reading does not depend on (the
		 * organization's wrap, signed anew) may pass, and then the
		 * plaintext is the original */
		if (plain.len != sizeof good_env - 1 || memcmp(plain.buf, good_env, plain.len) != 0)
			abort();
		if (!resign && changed)
			abort();
	} else if (rc != KITH_E_CORRUPT || !reason || !changed) {
		abort();
	}
	kith_sbuf_release(&plain);
	free(row.ct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		through_vault(data + 1, size - 1);
		break;
	case 1:
		tampered(data + 1, size - 1, 1);
		break;
	default:
		tampered(data + 1, size - 1, 0);
		break;
	}
	return 0;
}
