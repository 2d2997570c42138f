/*
 * bench_bundle — a field vault's N cases carried to headquarters in one
 * bundle (issue 12): the library's export, and parse + apply at headquarters
 * (the unlocks are not counted: they are bench_vault's), each printed beside
 * a floor measured in the same run over the same bytes: libsodium's
 * XChaCha20-Poly1305 (one seal, or one open) over the whole bundle's bytes.
 * The machine may be shared: the ratio is the figure to read.
 *
 *   bench_bundle [--size N] [--format 1|2] [--person]   (default 10,000 cases, vault format 2: bundle
 *   format 3; test KDF)
 *
 * --person: the field cases are written by a person enrolled on the field
 * vault (vault format 2), so every batch is person-signed and headquarters'
 * import checks that signature and that each batch's versions name that
 * person (bundle.c: author_seen, persons_check).
 *
 * Not a test: it prints the figures and the target (each under 1 s for
 * 10,000 cases); it never fails on them.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "vault/blob.h" /* kith_vault_batch_hook */
#include "vault/bundle.h"
#include "vault/field.h"
#include "vault/vault.h"
#include "vault/store.h"

#define PASS "bench hq words"
#define FPASS "bench field words"
#define CODE "0123-4567-89AB-CDEF"
#define PPASS "bench worker words"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, const struct kith_err *err)
{
	fprintf(stderr, "bench_bundle: %s: %s\n", what, err->msg);
	exit(1);
}

static struct kith_vault *open_v(const char *path, const char *pass)
{
	struct kith_err err;
	struct kith_vault *v = NULL;
	if (kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err))
		die("open", &err);
	return v;
}

/* A caseworker enrolled on the field vault with a signing key, as
 * casework/people.c writes one: the cases are then written in their name. */
static void enrol_person(struct kith_vault *fv)
{
	struct kith_err err;
	struct kith_vault_person_slot *slot = NULL;
	char pid[KITH_VAULT_PERSON_HEX], digest[65];
	if (kith_vault_person_slot_new(fv, PPASS, strlen(PPASS), &slot, pid, digest, &err))
		die("person", &err);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", "Bench Worker", "role", "caseworker",
				 "pid", pid, "slot", digest, "added", (json_int_t)1765000000);
	struct kith_vault_batch *b = NULL;
	if (!body || kith_vault_person_sign_pks_add(body, slot) || kith_vault_batch_begin(fv, &b, &err))
		die("person record", &err);
	if (kith_vault_put(b, "person", body, NULL, NULL, NULL, &err))
		die("person record", &err);
	kith_vault_batch_hook(b, kith_vault_person_slot_hook, slot);
	if (kith_vault_batch_commit(b, &err))
		die("person record", &err);
	json_decref(body);
	kith_vault_person_slot_free(slot);
}

static const char *const syl[] = {"Han", "Jo", "Pak", "Ri", "Mi", "Sun", "Yong", "Ae", "Chol", "Hui"};

int main(int argc, char **argv)
{
	size_t n = 10000;
	unsigned format = 2; /* kith init's default; --format 1 for the format-1 bundle (format 2) */
	int person = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--size") && i + 1 < argc)
			n = (size_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--person"))
			person = 1;
		else {
			fprintf(stderr, "usage: bench_bundle [--size N] [--format 1|2] [--person]\n");
			return 2;
		}
	if (person && format < 2) {
		fprintf(stderr, "bench_bundle: --person needs vault format 2\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	char dir[] = "/tmp/kith-bench-bundle-XXXXXX", hq[200], field[200];
	if (!mkdtemp(dir))
		return 1;
	snprintf(hq, sizeof hq, "%s/hq.kith", dir);
	snprintf(field, sizeof field, "%s/field.kith", dir);
	struct kith_err err;
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST, .format = format};
	if (kith_vault_create(hq, PASS, strlen(PASS), &o, &err))
		die("create", &err);
	struct kith_vault *h = open_v(hq, PASS);
	struct kith_sbuf inv = KITH_SBUF_INIT;
	struct kith_field_device dev;
	if (kith_field_invite_make(h, "f1", CODE, &inv, &dev, &err) || kith_field_enrol_hq(h, &dev, &err))
		die("invite", &err);
	struct kith_field_invite *fi = NULL;
	if (kith_field_invite_open(&fi, inv.buf, inv.len, CODE, strlen(CODE), &err) ||
	    kith_vault_create_field(field, FPASS, strlen(FPASS), &o, fi, &err))
		die("join", &err);
	kith_field_invite_free(fi);
	kith_sbuf_release(&inv);
	kith_vault_close(h);

	struct kith_vault *fv = open_v(field, FPASS);
	if (person) {
		enrol_person(fv);
		kith_vault_close(fv);
		fv = open_v(field, PPASS);
	}
	struct kith_vault_batch *b = NULL;
	if (kith_vault_batch_begin(fv, &b, &err))
		die("batch", &err);
	for (size_t i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s %s-%s", syl[i % 10], syl[(i / 10) % 10], syl[(i / 100) % 10]);
		json_t *body =
		    json_pack("{s:{s:s, s:s}, s:{s:b}, s:s}", "person", "name", name, "sex",
			      i % 2 ? "female" : "male", "consent", "services", 1, "narrative",
			      "An invented testimony of a few lines, as a field worker writes it.");
		if (kith_vault_put(b, "case", body, NULL, NULL, NULL, &err))
			die("put", &err);
		json_decref(body);
	}
	if (kith_vault_batch_commit(b, &err))
		die("commit", &err);

	struct kith_sbuf out = KITH_SBUF_INIT;
	struct kith_bundle_sent sent;
	double t0 = now();
	if (kith_bundle_export(fv, NULL, 1765000000, &out, &sent, &err))
		die("export", &err);
	double t_export = now() - t0;
	size_t rows = sent.n;
	kith_bundle_sent_release(&sent);
	kith_vault_close(fv);

	/* the floor: one AEAD pass over the same bytes, each way */
	uint8_t key[32], nonce[24];
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	randombytes_buf(nonce, sizeof nonce);
	uint8_t *ct = malloc(out.len + 16), *pt = malloc(out.len);
	if (!ct || !pt)
		return 1;
	unsigned long long cl = 0, pl = 0;
	t0 = now();
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &cl, (const uint8_t *)out.buf, out.len, NULL, 0, NULL,
						   nonce, key);
	double t_seal = now() - t0;
	t0 = now();
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &pl, NULL, ct, cl, NULL, 0, nonce, key))
		return 1;
	double t_open = now() - t0;

	h = open_v(hq, PASS);
	struct kith_bundle *pb = NULL;
	struct kith_bundle_applied ap;
	t0 = now();
	if (kith_bundle_parse_for(&pb, h, out.buf, out.len, &err))
		die("parse", &err);
	double t_parse = now() - t0;
	t0 = now();
	if (kith_bundle_apply(h, pb, &ap, &err))
		die("apply", &err);
	double t_apply = now() - t0;
	kith_bundle_free(pb);
	pb = NULL;
	t0 = now();
	if (kith_bundle_parse_for(&pb, h, out.buf, out.len, &err) || kith_bundle_apply(h, pb, &ap, &err))
		die("again", &err);
	double t_again = now() - t0;
	kith_bundle_free(pb);
	kith_vault_close(h);

	printf("vault format %u, bundle format %u: %zu cases (%zu versions, %.1f MB)%s; target: export and "
	       "import each < 1 s\n",
	       format, format >= 2 ? 3u : 2u, n, rows, (double)out.len / 1e6,
	       person ? ", written by an enrolled person (person-signed batches)" : "");
	printf("  %-34s %8.3f s   floor (AEAD seal of the bytes) %.4f s   ratio %.0f\n", "export", t_export,
	       t_seal, t_export / t_seal);
	printf("  %-34s %8.3f s   floor (AEAD open of the bytes) %.4f s   ratio %.0f\n",
	       "import (parse + apply)", t_parse + t_apply, t_open, (t_parse + t_apply) / t_open);
	printf("  %-34s %8.3f s\n", "  of which parse", t_parse);
	printf("  %-34s %8.3f s\n", "  of which apply", t_apply);
	printf("  %-34s %8.3f s   (%zu added, %zu already here)\n", "import again (nothing added)", t_again,
	       ap.added, ap.skipped);
	free(ct);
	free(pt);
	kith_sbuf_release(&out);
	kith_store_remove(hq);
	kith_store_remove(field);
	rmdir(dir);
	return 0;
}
