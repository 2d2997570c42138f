/*
 * fuzz_vault — a vault file as a whole, mutated: the input is written to a
 * temporary file and opened with the passphrase of the corpus vaults
 * ("fuzz"; fuzz/corpus/vault/ holds small vaults made with kdf "test").
 * Properties beyond "no crash, no leak": a failed open returns one of the
 * statuses kith_vault_open documents, with a message, and sets nothing; an
 * open vault answers every reader consistently (each record found again by
 * its ref and by its id, its body a JSON object, its history readable or
 * reported corrupt, every damaged record named by a 32-digit id, the counts
 * of kith_vault_info equal to what the readers list).
 * A header asking for more key-derivation work than a fuzzing budget
 * (opslimit > 4 or memlimit > 1 MiB) is skipped: it is valid, only slow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_tmp.h"
#include "vault/store.h"
#include "vault/vault.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASS "fuzz"

static char dir[4096], path[4200];

static void cleanup(void)
{
	kith_store_remove(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_begin(dir, sizeof dir, cleanup);
	snprintf(path, sizeof path, "%s/v.kith", dir);
	return 0;
}

static int is_id(const char *s)
{
	if (strlen(s) != 32)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static int over_budget(void)
{
	struct kith_store *s = NULL;
	struct kith_store_header h;
	int over = 0;
	if (kith_store_open(&s, path, NULL) == KITH_OK && kith_store_header_get(s, &h, NULL) == KITH_OK)
		over = h.opslimit > 4 || h.memlimit > (1u << 20);
	kith_store_close(s);
	return over;
}

static void check_open(struct kith_vault *v)
{
	static const char *const kinds[] = {"case", "link", "trace", "nosuchkind"};
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	size_t shown = 0;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t n;
		const struct kith_record_view *r = kith_vault_records(v, kinds[k], &n);
		shown += n;
		for (size_t i = 0; i < n; i++) {
			if (!is_id(r[i].id) || strcmp(r[i].kind, kinds[k]) || r[i].version < 1)
				abort();
			if (kith_vault_find_id(v, r[i].id) != &r[i])
				abort();
			const struct kith_record_view *byref = kith_vault_find(v, kinds[k], r[i].ref);
			if (r[i].ref[0] && !byref)
				abort();
			json_t *j = kith_record_view_json(&r[i]);
			if (!json_is_object(j))
				abort();
			json_decref(j);
			struct kith_record_view *h = NULL;
			size_t hn = 0;
			int rc = kith_vault_history(v, r[i].id, &h, &hn, NULL);
			if (rc != KITH_OK && rc != KITH_E_CORRUPT)
				abort();
			if (rc == KITH_OK && (hn != r[i].version || hn == 0))
				abort();
			kith_vault_history_free(h, hn);
		}
	}
	size_t nd;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &nd);
	for (size_t i = 0; i < nd; i++)
		if (!is_id(d[i].id) || !d[i].reason || !*d[i].reason)
			abort();
	if (shown != info.records || nd != info.damaged)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kith_store_remove(path);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	if (over_budget())
		return 0;
	struct kith_vault *v = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, &err);
	if (rc == KITH_OK) {
		check_open(v);
		kith_vault_close(v);
		return 0;
	}
	if (v || !err.msg[0])
		abort();
	switch (rc) {
	case KITH_E_AUTH:
	case KITH_E_NOTVAULT:
	case KITH_E_CORRUPT:
	case KITH_E_IO:
	case KITH_E_DB:
		break;
	default:
		abort(); /* not a status kith_vault_open documents for a bad file */
	}
	return 0;
}
