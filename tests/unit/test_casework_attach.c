/* Unit tests of src/casework/attach: the upload pipeline (a photo sniffed
 * and stripped whatever its name, a document stored as it is, refused
 * formats, the cap), commit, list, history, reading with the consent rule,
 * removal as a new version — and that the attachment's key travels with the
 * record envelope: after panic and recover (the organization wrap) the bytes
 * read again; after duress nothing is listed. Every person is invented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "casework/attach.h"
#include "vault/vault.h"

static char dir[64];
static char path[128];
static const char pass[] = "attach test words";
static const char duress[] = "attach duress words";

static struct kith_vault *open_with(const char *p)
{
	struct kith_vault *v;
	struct kith_err err;
	if (kith_vault_open(&v, path, p, strlen(p), NULL, NULL, &err))
		fail_msg("open: %s %s", err.where, err.msg);
	return v;
}

static struct kith_vault *open_v(void)
{
	return open_with(pass);
}

static void put_case(struct kith_vault *v, const char *json)
{
	struct kith_vault_batch *b;
	struct kith_err err;
	json_error_t je;
	json_t *c = json_loads(json, 0, &je);
	assert_non_null(c);
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	assert_int_equal(kith_vault_put(b, "case", c, NULL, NULL, NULL, &err), KITH_OK);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	json_decref(c);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/kith-attach-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.kith", dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {
	    .kdf = KITH_KDF_TEST, .duress = duress, .duress_len = strlen(duress)};
	assert_int_equal(kith_vault_create(path, pass, strlen(pass), &co, &err), KITH_OK);
	struct kith_vault *v = open_v();
	put_case(v, "{\"ref\":\"A-1\",\"person\":{\"name\":\"Han Sol\"},\"consent\":{\"sharing\":true}}");
	put_case(v, "{\"ref\":\"A-2\",\"person\":{\"name\":\"Kang Mi\"}}");
	kith_vault_close(v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[160];
	const char *ext[] = {"-wal", "-shm", "", ".orgkey"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, ext[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* Attaches data[0..n) fed in pieces of `piece`; returns the status of the
 * first failing step, with the id on success. */
static int attach(struct kith_vault *v, const char *ref, const char *name, const void *data, size_t n,
		  size_t piece, uint64_t max, char id[KITH_VAULT_ID_HEX], struct kith_err *err)
{
	struct kith_attach_upload *u = NULL;
	int rc = kith_attach_upload_new(&u, dir, max, err);
	for (size_t i = 0; !rc && i < n; i += piece)
		rc = kith_attach_upload_add(u, (const uint8_t *)data + i, n - i < piece ? n - i : piece, err);
	if (!rc)
		rc = kith_attach_upload_finish(u, err);
	struct kith_attach_add_opts o = {.name = name};
	if (!rc)
		rc = kith_attach_commit(v, ref, u, &o, id, err);
	kith_attach_upload_free(u);
	return rc;
}

static size_t read_all(struct kith_vault *v, const char *id, uint32_t version, const char *use, uint8_t *out,
		       int *status)
{
	struct kith_attach_reader *r = NULL;
	struct kith_err err;
	*status = kith_attach_open(v, id, version, use, &r, NULL, &err);
	size_t got = 0;
	if (*status)
		return 0;
	const uint8_t *p;
	size_t n;
	int k;
	while ((k = kith_attach_next(r, v, &p, &n, &err)) == 1) {
		memcpy(out + got, p, n);
		got += n;
	}
	*status = k;
	kith_attach_reader_free(r);
	return got;
}

/* A JPEG with an APP1 "Exif" segment holding a fake position. */
static const uint8_t photo[] = {0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x0E, 'E',  'x',	'i',  'f',
				0,    0,    '4',  '2',	'N',  '1',  '2',  '9',	0xFF, 0xDA,
				0x00, 0x03, 0x01, 0x55, 0x66, 0xFF, 0x00, 0x77, 0xFF, 0xD9};
static const uint8_t photo_clean[] = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x03, 0x01,
				      0x55, 0x66, 0xFF, 0x00, 0x77, 0xFF, 0xD9};

static void test_add_list_read_remove(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	char pid[KITH_VAULT_ID_HEX], did[KITH_VAULT_ID_HEX], oid[KITH_VAULT_ID_HEX];
	/* a photo named like a document is still judged by its bytes */
	assert_int_equal(attach(v, "A-1", "dir/scan.pdf", photo, sizeof photo, 1, 0, pid, &err), KITH_OK);
	static uint8_t doc[200000];
	for (size_t i = 0; i < sizeof doc; i++)
		doc[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(attach(v, "A-1", "testimony.m4a", doc, sizeof doc, 4093, 0, did, &err), KITH_OK);
	assert_int_equal(attach(v, "A-2", "form.txt", "signed\n", 7, 100, 0, oid, &err), KITH_OK);

	struct kith_attach_item *items = NULL;
	size_t n = 0;
	assert_int_equal(kith_attach_list(v, "A-1", 0, &items, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(items[i].id, pid)) {
			assert_string_equal(items[i].name, "scan.pdf"); /* the last path component */
			assert_string_equal(items[i].type, "image/jpeg");
			assert_int_equal(items[i].size, sizeof photo_clean);
			assert_true(items[i].photo && items[i].stripped);
		} else {
			assert_string_equal(items[i].id, did);
			assert_string_equal(items[i].type, "audio/mp4");
			assert_false(items[i].photo);
		}
	}
	free(items);
	assert_int_equal(kith_attach_list(v, "Z-9", 0, &items, &n, &err), KITH_E_NOTFOUND);

	static uint8_t back[sizeof doc];
	int st;
	size_t got = read_all(v, pid, 0, NULL, back, &st);
	assert_int_equal(st, 0);
	assert_int_equal(got, sizeof photo_clean);
	assert_memory_equal(back, photo_clean, got);
	got = read_all(v, did, 0, "sharing", back, &st);
	assert_int_equal(st, 0);
	assert_int_equal(got, sizeof doc);
	assert_memory_equal(back, doc, got);
	/* A-2 does not consent to sharing: viewing yes, taking out no */
	read_all(v, oid, 0, NULL, back, &st);
	assert_int_equal(st, 0);
	read_all(v, oid, 0, "sharing", back, &st);
	assert_int_equal(st, KITH_E_CONSENT);

	/* removal: a new version; the current one is gone, version 1 reads */
	assert_int_equal(kith_attach_remove(v, did, "wrong file", &err), KITH_OK);
	assert_int_equal(kith_attach_remove(v, did, NULL, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_attach_list(v, "A-1", 0, &items, &n, &err), KITH_OK);
	assert_int_equal(n, 1);
	free(items);
	assert_int_equal(kith_attach_list(v, "A-1", 1, &items, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	free(items);
	read_all(v, did, 0, NULL, back, &st);
	assert_int_equal(st, KITH_E_NOTFOUND);
	got = read_all(v, did, 1, NULL, back, &st);
	assert_int_equal(st, 0);
	assert_int_equal(got, sizeof doc);
	read_all(v, did, 7, NULL, back, &st);
	assert_int_equal(st, KITH_E_NOTFOUND);
	assert_int_equal(kith_attach_history(v, did, &items, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].action, "attach");
	assert_string_equal(items[1].action, "remove");
	assert_true(items[1].removed);
	json_t *j = kith_attach_item_json(&items[1]);
	assert_true(json_is_true(json_object_get(j, "removed")));
	json_decref(j);
	free(items);
	kith_vault_close(v);
}

/* Export as a tar (only with consent to sharing, counted) and purge (the
 * reason and the confirmation checked; no version reads afterwards; the
 * purge is a version in the history; the export leaves it out). Runs after
 * test_add_list_read_remove: A-1 holds its photo, A-2 its form. */
static void test_export_and_purge(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	static uint8_t doc[70000];
	for (size_t i = 0; i < sizeof doc; i++)
		doc[i] = (uint8_t)(i * 13 + 1);
	char id[KITH_VAULT_ID_HEX];
	assert_int_equal(attach(v, "A-1", "scan.bin", doc, sizeof doc, 8192, 0, id, &err), KITH_OK);

	struct kith_attach_export *x = NULL;
	struct kith_attach_export_result r;
	struct kith_attach_export_opts bad = {.consent = "gossip"};
	assert_int_equal(kith_attach_export_new(v, &bad, &x, &r, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "consent");
	const char *nope[] = {"Z-9"};
	struct kith_attach_export_opts unknown = {.cases = nope, .n_cases = 1};
	assert_int_equal(kith_attach_export_new(v, &unknown, &x, &r, &err), KITH_E_NOTFOUND);
	assert_int_equal(kith_attach_export_new(v, NULL, &x, &r, &err), KITH_OK);
	assert_int_equal(r.files, 2); /* A-1's photo and scan; A-2's form is left out */
	assert_int_equal(r.cases, 1);
	assert_int_equal(r.left_out, 1);
	assert_int_equal(r.cases_left_out, 1);
	static uint8_t tar[200000];
	size_t len = 0;
	long k;
	while ((k = kith_attach_export_read(x, v, tar + len, 1000, &err)) >
	       0) /* small reads: every boundary */
		len += (size_t)k;
	assert_int_equal(k, 0);
	kith_attach_export_free(x);
	assert_int_equal(len, r.bytes);
	assert_int_equal(len % 512, 0);
	/* the scan's entry: a ustar header naming it under its case, then its bytes */
	char want[64];
	snprintf(want, sizeof want, "%.8s-scan.bin", id);
	size_t at = 0, found = 0;
	while (at + 512 <= len && tar[at]) {
		unsigned long long size = strtoull((const char *)tar + at + 124, NULL, 8);
		assert_memory_equal(tar + at + 257, "ustar", 6);
		assert_string_equal((const char *)tar + at + 345, "A-1");
		unsigned sum = 0;
		for (size_t i = 0; i < 512; i++)
			sum += i >= 148 && i < 156 ? ' ' : tar[at + i];
		assert_int_equal(sum, strtoul((const char *)tar + at + 148, NULL, 8));
		if (!strcmp((const char *)tar + at, want)) {
			assert_int_equal(size, sizeof doc);
			assert_memory_equal(tar + at + 512, doc, sizeof doc);
			found = 1;
		}
		at += 512 + (size + 511) / 512 * 512;
	}
	assert_true(found);
	assert_int_equal(at + 1024, len); /* two zero blocks end it */

	/* purge: a reason and the right case number */
	struct kith_attach_purge_result pr;
	assert_int_equal(kith_attach_purge(v, id, NULL, NULL, &pr, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "note");
	assert_int_equal(kith_attach_purge(v, id, "consent withdrawn", "A-2", &pr, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "confirm");
	static uint8_t back[sizeof doc];
	int st;
	assert_int_equal(read_all(v, id, 0, NULL, back, &st), sizeof doc); /* nothing happened */
	assert_int_equal(kith_attach_purge(v, id, "consent withdrawn", "A-1", &pr, &err), KITH_OK);
	assert_int_equal(pr.chunks, 2);
	assert_true(pr.zeroed >= 2 * 65553);
	read_all(v, id, 0, NULL, back, &st);
	assert_int_equal(st, KITH_E_NOTFOUND);
	read_all(v, id, 1, NULL, back, &st);
	assert_int_equal(st, KITH_E_NOTFOUND);
	assert_int_equal(kith_attach_purge(v, id, "again", NULL, &pr, &err), KITH_E_NOTFOUND);
	struct kith_attach_item *items = NULL;
	size_t n = 0;
	assert_int_equal(kith_attach_history(v, id, &items, &n, &err), KITH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[1].action, "purge");
	assert_true(items[1].purged && items[1].removed);
	assert_int_equal(items[1].size, sizeof doc); /* what it was stays known */
	free(items);
	assert_int_equal(kith_attach_export_new(v, NULL, &x, &r, &err), KITH_OK);
	assert_int_equal(r.files, 1);
	kith_attach_export_free(x);
	kith_vault_close(v);
	/* a new process reads the file SQLite left: whole, the purge kept */
	v = open_v();
	read_all(v, id, 1, NULL, back, &st);
	assert_int_equal(st, KITH_E_NOTFOUND);
	kith_vault_close(v);
}

static void test_refused(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	char id[KITH_VAULT_ID_HEX];
	size_t before = 0, after = 0;
	kith_vault_records(v, "attachment", &before);
	static const uint8_t heic[] = "\0\0\0\x18"
				      "ftypheic\0\0\0\0mif1";
	kith_err_clear(&err);
	assert_int_equal(attach(v, "A-1", "p.heic", heic, sizeof heic, 3, 0, id, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "photo");
	assert_non_null(strstr(err.msg, "convert it to JPEG or PNG"));
	kith_err_clear(&err);
	assert_int_equal(attach(v, "A-1", "cut.jpg", photo, sizeof photo - 2, 5, 0, id, &err),
			 KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "ends early"));
	static uint8_t big[(1u << 20) + 1];
	kith_err_clear(&err);
	assert_int_equal(attach(v, "A-1", "big.bin", big, sizeof big, 65536, 1u << 20, id, &err),
			 KITH_E_LIMIT);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	kith_err_clear(&err);
	assert_int_equal(attach(v, "Z-9", "x.txt", "x", 1, 1, 0, id, &err), KITH_E_NOTFOUND);
	assert_int_equal(attach(v, "A-1", "", "x", 1, 1, 0, id, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "name");
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(attach(v, "A-1", longname, "x", 1, 1, 0, id, &err), KITH_E_INVALID);
	assert_int_equal(attach(v, "A-1", "bad\nname", "x", 1, 1, 0, id, &err), KITH_E_INVALID);
	kith_vault_records(v, "attachment", &after);
	assert_int_equal(after, before); /* nothing stored */
	kith_vault_close(v);
}

static void test_panic_recover_duress(void **state)
{
	(void)state;
	struct kith_vault *v = open_v();
	struct kith_err err;
	char id[KITH_VAULT_ID_HEX];
	static const char text[] = "recorded testimony, invented";
	assert_int_equal(attach(v, "A-1", "t.txt", text, sizeof text, 5, 0, id, &err), KITH_OK);
	char key[160];
	snprintf(key, sizeof key, "%s.orgkey", path);
	assert_int_equal(kith_vault_export_org_key(v, key, "backup words", 12, &err), KITH_OK);
	kith_vault_close(v);
	uint8_t back[64];
	int st;
	size_t n = 9, got;
	/* duress: the vault opens empty, the attachment is not there */
	v = open_with(duress);
	kith_vault_records(v, "attachment", &n);
	assert_int_equal(n, 0);
	read_all(v, id, 0, NULL, back, &st);
	assert_int_equal(st, KITH_E_NOTFOUND);
	kith_vault_close(v);
	for (int round = 0; round < 2; round++) {
		/* the keys are gone (duress, then panic): recover through the
		 * organization wrap, and the bytes read again */
		struct kith_vault *x = NULL;
		assert_int_equal(kith_vault_open(&x, path, pass, strlen(pass), NULL, NULL, &err),
				 KITH_E_AUTH);
		assert_int_equal(kith_vault_recover(path, key, "backup words", 12, pass, strlen(pass), &err),
				 KITH_OK);
		v = open_v();
		got = read_all(v, id, 0, NULL, back, &st);
		assert_int_equal(st, 0);
		assert_int_equal(got, sizeof text);
		assert_memory_equal(back, text, got);
		kith_vault_close(v);
		if (!round)
			assert_int_equal(kith_vault_panic(path, &err), KITH_OK);
	}
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_list_read_remove),
	    cmocka_unit_test(test_export_and_purge),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_panic_recover_duress),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
