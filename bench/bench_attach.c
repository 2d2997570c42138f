/*
 * bench_attach — attachment throughput (casework/attach.h) beside the raw
 * crypto_secretstream_xchacha20poly1305 rate measured in the same run.
 *
 * For each size (1, 16, 64 MiB of random bytes, a "document": no stripping),
 * the whole path a `kith attach add` takes — pieces of 64 KiB into the
 * upload (encrypt into the spool), then the commit (spool -> blobs table in
 * one transaction, synchronous=FULL) — and the read back (`get`: decrypt
 * chunk by chunk from the file). Beside it, in the same run: push (encrypt)
 * and pull (decrypt) of the same bytes in 64 KiB messages, in memory, one
 * thread: the limit the attachment path cannot beat. Also a 16 MiB JPEG
 * (one big scan) through the stripper alone. MiB/s and the ratio are
 * printed; nothing is asserted. Then the purge of each (kith_attach_purge:
 * the chunks deleted, their ciphertext looked for and overwritten in the
 * file and its -wal) beside one plain read of the vault file and its -wal
 * measured just before: the walk the purge cannot do with fewer than one of.
 *
 * usage: bench_attach [DIR]   (DIR: where the vault is made; default /tmp)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "casework/attach.h"
#include "record/imgstrip.h"
#include "vault/vault.h"

#define PIECE 65536

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const struct kith_err *err)
{
	fprintf(stderr, "bench_attach: %s: %s %s\n", what, err ? err->where : "", err ? err->msg : "");
	exit(1);
}

/* Raw secretstream push and pull of data[0..n) in PIECE messages. */
static void raw(const uint8_t *data, size_t n, double *push_s, double *pull_s)
{
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES],
	    hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	crypto_secretstream_xchacha20poly1305_state st;
	size_t nm = (n + PIECE - 1) / PIECE;
	uint8_t *ct = malloc(nm * (PIECE + crypto_secretstream_xchacha20poly1305_ABYTES));
	uint8_t *pt = malloc(PIECE);
	if (!ct || !pt)
		die("out of memory", NULL);
	crypto_secretstream_xchacha20poly1305_keygen(key);
	double t0 = now();
	crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
	for (size_t i = 0; i < nm; i++) {
		size_t k = n - i * PIECE < PIECE ? n - i * PIECE : PIECE;
		crypto_secretstream_xchacha20poly1305_push(
		    &st, ct + i * (PIECE + 17), NULL, data + i * PIECE, k, NULL, 0,
		    i + 1 == nm ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
	}
	double t1 = now();
	crypto_secretstream_xchacha20poly1305_init_pull(&st, hdr, key);
	for (size_t i = 0; i < nm; i++) {
		size_t k = n - i * PIECE < PIECE ? n - i * PIECE : PIECE;
		unsigned char tag;
		if (crypto_secretstream_xchacha20poly1305_pull(&st, pt, NULL, &tag, ct + i * (PIECE + 17),
							       k + 17, NULL, 0))
			die("raw pull failed", NULL);
	}
	double t2 = now();
	*push_s = t1 - t0;
	*pull_s = t2 - t1;
	free(ct);
	free(pt);
}

/* The disk: write data[0..n) to a new file in dir in PIECE writes, then
 * fdatasync (what a commit with synchronous=FULL must at least do). */
static double disk(const char *dir, const uint8_t *data, size_t n)
{
	char p[600];
	snprintf(p, sizeof p, "%s/disk.bin", dir);
	FILE *f = fopen(p, "wb");
	if (!f)
		die("disk peer", NULL);
	double t0 = now();
	for (size_t i = 0; i < n; i += PIECE)
		if (fwrite(data + i, 1, n - i < PIECE ? n - i : PIECE, f) == 0)
			die("disk peer", NULL);
	fflush(f);
	fdatasync(fileno(f));
	double t1 = now();
	fclose(f);
	unlink(p);
	return t1 - t0;
}

static int sink(void *arg, const uint8_t *p, size_t n)
{
	(void)p;
	*(size_t *)arg += n;
	return KITH_OK;
}

int main(int argc, char **argv)
{
	if (kith_process_init())
		return 1;
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char tmpl[512], path[600];
	snprintf(tmpl, sizeof tmpl, "%s/kith-bench-attach-XXXXXX", dir);
	if (!mkdtemp(tmpl))
		die("mkdtemp", NULL);
	snprintf(path, sizeof path, "%s/v.kith", tmpl);
	struct kith_err err;
	kith_err_clear(&err);
	const char *pass = "bench words";
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	struct kith_vault *v = NULL;
	if (kith_vault_create(path, pass, strlen(pass), &co, &err) ||
	    kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err))
		die("vault", &err);
	json_t *c = json_pack("{s:s, s:{s:s}}", "ref", "B-1", "person", "name", "Bench Person");
	struct kith_vault_batch *b = NULL;
	if (kith_vault_batch_begin(v, &b, &err) || kith_vault_put(b, "case", c, NULL, NULL, NULL, &err) ||
	    kith_vault_batch_commit(b, &err))
		die("case", &err);
	json_decref(c);

	printf("%-8s %10s %10s %10s | %9s %9s %9s | %7s %7s %7s\n", "size", "add MiB/s", "commit s",
	       "get MiB/s", "raw push", "raw pull", "disk", "add/raw", "get/raw", "add/dsk");
	const size_t mib[] = {1, 16, 64};
	char ids[3][KITH_VAULT_ID_HEX];
	for (size_t s = 0; s < sizeof mib / sizeof mib[0]; s++) {
		size_t n = mib[s] << 20;
		uint8_t *data = malloc(n);
		if (!data)
			die("out of memory", NULL);
		randombytes_buf(data, n);
		data[0] = 'D'; /* not a photo */
		double push_s, pull_s;
		raw(data, n, &push_s, &pull_s);
		double disk_s = disk(tmpl, data, n);
		double t0 = now();
		struct kith_attach_upload *u = NULL;
		if (kith_attach_upload_new(&u, tmpl, 0, &err))
			die("upload", &err);
		for (size_t i = 0; i < n; i += PIECE)
			if (kith_attach_upload_add(u, data + i, n - i < PIECE ? n - i : PIECE, &err))
				die("add", &err);
		if (kith_attach_upload_finish(u, &err))
			die("finish", &err);
		double t1 = now();
		char id[KITH_VAULT_ID_HEX];
		struct kith_attach_add_opts o = {.name = "bench.bin"};
		if (kith_attach_commit(v, "B-1", u, &o, id, &err))
			die("commit", &err);
		double t2 = now();
		kith_attach_upload_free(u);
		struct kith_attach_reader *r = NULL;
		if (kith_attach_open(v, id, 0, NULL, &r, NULL, &err))
			die("open", &err);
		const uint8_t *p;
		size_t k, got = 0;
		int rc;
		while ((rc = kith_attach_next(r, v, &p, &k, &err)) == 1)
			got += k;
		double t3 = now();
		kith_attach_reader_free(r);
		if (rc || got != n)
			die("read back", &err);
		memcpy(ids[s], id, sizeof id);
		double mb = (double)n / (1 << 20);
		printf("%5zu MiB %10.1f %10.3f %10.1f | %9.1f %9.1f %9.1f | %7.2f %7.2f %7.2f\n", mib[s],
		       mb / (t2 - t0), t2 - t1, mb / (t3 - t2), mb / push_s, mb / pull_s, mb / disk_s,
		       push_s / (t2 - t0), pull_s / (t3 - t2), disk_s / (t2 - t0));
		free(data);
	}

	/* purge, newest first, beside one read of the file and its -wal */
	printf("%-8s %10s %10s %12s | %10s %9s\n", "purge", "s", "file MiB", "zeroed MiB", "read s",
	       "purge/read");
	for (size_t s = sizeof mib / sizeof mib[0]; s-- > 0;) {
		double fmib = 0, r0 = now();
		static uint8_t rb[1 << 16];
		for (int w = 0; w < 2; w++) {
			char fp[700];
			snprintf(fp, sizeof fp, "%s%s", path, w ? "-wal" : "");
			FILE *f = fopen(fp, "rb");
			size_t k;
			while (f && (k = fread(rb, 1, sizeof rb, f)) > 0)
				fmib += (double)k / (1 << 20);
			if (f)
				fclose(f);
		}
		double r1 = now();
		struct kith_attach_purge_result pr;
		if (kith_attach_purge(v, ids[s], "bench", NULL, &pr, &err))
			die("purge", &err);
		double r2 = now();
		printf("%5zu MiB %10.3f %10.1f %12.1f | %10.3f %9.1f\n", mib[s], r2 - r1, fmib,
		       (double)pr.zeroed / (1 << 20), r1 - r0, (r2 - r1) / (r1 - r0));
	}

	/* the stripper alone on a 16 MiB JPEG: SOI, an APP1, SOS, a scan, EOI */
	size_t n = 16u << 20;
	uint8_t *jpg = malloc(n);
	if (!jpg)
		die("out of memory", NULL);
	randombytes_buf(jpg, n);
	const uint8_t head[] = {0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 'E', 'x', 0xFF, 0xDA, 0x00, 0x02};
	memcpy(jpg, head, sizeof head);
	for (size_t i = sizeof head; i < n - 2; i++)
		if (jpg[i] == 0xFF)
			jpg[i] = 0xFE; /* no markers inside the scan */
	jpg[n - 2] = 0xFF;
	jpg[n - 1] = 0xD9;
	size_t out = 0;
	struct kith_imgstrip *st = NULL;
	if (kith_imgstrip_new(&st, KITH_IMGSTRIP_JPEG, sink, &out, &err))
		die("strip", &err);
	double t0 = now();
	for (size_t i = 0; i < n; i += PIECE)
		if (kith_imgstrip_feed(st, jpg + i, n - i < PIECE ? n - i : PIECE, &err))
			die("strip", &err);
	if (kith_imgstrip_finish(st, &err))
		die("strip", &err);
	double t1 = now();
	kith_imgstrip_free(st);
	double push_s, pull_s;
	raw(jpg, n, &push_s, &pull_s);
	printf("stripper: 16 MiB JPEG %.1f MiB/s | raw push %.1f MiB/s | strip/push time %.2f\n",
	       16.0 / (t1 - t0), 16.0 / push_s, (t1 - t0) / push_s);
	free(jpg);
	kith_vault_close(v);
	char p2[700];
	snprintf(p2, sizeof p2, "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof p2, "%s-shm", path);
	unlink(p2);
	unlink(path);
	rmdir(tmpl);
	return 0;
}
