/*
 * fuzz_bundle — the bundle that `kith bundle import` reads (vault/bundle.c
 * kith_bundle_parse), for a fixed organization key pair and a fixed sender
 * (both from constant seeds). The first byte chooses how the rest is used:
 *   even  the rest is a bundle file, parsed as it is (the outer layer: magic,
 *         format, sealed key, lengths, the stream)
 *   odd   the rest is a list of plaintext messages (2-byte big-endian length,
 *         bytes), which this target seals into a valid stream for the
 *         organization, so that the parts behind the AEAD are reached: the
 *         envelope, the devices (enrolments "KBD2", revocations "KBV3"), the manifests, the rows, the
 *         end (docs/bundle-format.md). Bit 1 of the
 * first byte: the target writes the sender's key and the organization id into the first message; bit 2: it
 * appends a correct end (count, digest, signature); bit 3: format 3 (batches with their manifests: the
 * prelude's format, the domains and the end's tag), else format 2. Seeds of format 3 with valid manifest
 * signatures and row hashes: fuzz/seeds_bundle3.c. Properties beyond "no crash, no leak": every failure is
 * KITH_E_INVALID, KITH_E_AUTH or KITH_E_LIMIT with a message and a where; a success has the fixed sender, and
 * each row is at least a row head and the smallest body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/sbuf.h"
#include "vault/bundle.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t org_pk[32], org_sk[32], snd_pk[32], snd_sk[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (kith_process_init())
		return -1;
	uint8_t seed[32];
	memset(seed, 'o', sizeof seed);
	crypto_box_seed_keypair(org_pk, org_sk, seed);
	memset(seed, 's', sizeof seed);
	crypto_sign_seed_keypair(snd_pk, snd_sk, seed);
	return 0;
}

static int unseal(void *arg, const uint8_t *c, size_t clen, uint8_t *m)
{
	(void)arg;
	return crypto_box_seal_open(m, c, clen, org_pk, org_sk) == 0 ? 0 : -2;
}

static void be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Seals the messages of d[0..n) into a bundle in out (see the header). */
static int build(const uint8_t *d, size_t n, int fix_env, int add_end, int v3, struct kith_sbuf *out)
{
	uint8_t pre[116], k[32];
	memcpy(pre, "KITHBNDL", 8);
	be32(pre + 8, v3 ? 3 : 2);
	crypto_secretstream_xchacha20poly1305_keygen(k);
	crypto_secretstream_xchacha20poly1305_state st;
	if (crypto_box_seal(pre + 12, k, 32, org_pk) ||
	    crypto_secretstream_xchacha20poly1305_init_push(&st, pre + 92, k))
		return -1;
	if (kith_sbuf_add(out, pre, sizeof pre))
		return -1;
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)(v3 ? "kith-bundle-v3" : "kith-bundle-v2"), 14);
	crypto_generichash_update(&h, pre, sizeof pre);
	size_t pos = 0, count = 0;
	uint8_t *m = malloc(65536 + 104);
	if (!m)
		return -1;
	int first = 1;
	uint32_t env_rows = 0; /* format 3: the envelope's count of rows (manifests are not rows) */
	while (pos + 2 <= n || (add_end && m)) {
		size_t ml;
		int end = 0;
		if (pos + 2 <= n) {
			ml = (size_t)d[pos] << 8 | d[pos + 1];
			pos += 2;
			if (ml > n - pos)
				ml = n - pos;
			memcpy(m, d + pos, ml);
			pos += ml;
			if (first && v3 && ml >= 136)
				env_rows = (uint32_t)m[132] << 24 | (uint32_t)m[133] << 16 |
					   (uint32_t)m[134] << 8 | m[135];
			if (first && fix_env && ml >= 68) {
				crypto_generichash(m + 4, 32, org_pk, 32, NULL, 0);
				memcpy(m + 36, snd_pk, 32);
			}
		} else {
			uint8_t sm[18 + 64];
			memcpy(m, v3 ? "KBF3" : "KBF2", 4);
			be32(m + 4, v3 ? env_rows : (uint32_t)(count ? count - 1 : 0));
			crypto_generichash_state h2 = h;
			crypto_generichash_final(&h2, m + 8, 32);
			memcpy(sm, v3 ? "kith-bundle-sig-v3" : "kith-bundle-sig-v2", 18);
			memcpy(sm + 18, m + 8, 32);
			memcpy(sm + 50, org_pk, 32);
			crypto_sign_detached(m + 40, NULL, sm, sizeof sm, snd_sk);
			ml = 104;
			end = 1;
		}
		uint8_t l[8];
		be64(l, ml);
		crypto_generichash_update(&h, l, 8);
		crypto_generichash_update(&h, m, ml);
		size_t at = out->len;
		if (kith_sbuf_grow(out, 4 + ml + 17)) {
			free(m);
			return -1;
		}
		uint8_t *p = (uint8_t *)out->buf + at;
		be32(p, (uint32_t)(ml + 17));
		unsigned char tag =
		    end || (!add_end && pos + 2 > n) ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
		crypto_secretstream_xchacha20poly1305_push(&st, p + 4, NULL, m, ml, first ? pre : NULL,
							   first ? 116 : 0, tag);
		out->len = at + 4 + ml + 17;
		first = 0;
		count++;
		if (end)
			break;
	}
	free(m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct kith_sbuf f = KITH_SBUF_INIT;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	if (data[0] & 1) {
		if (build(in, n, (data[0] & 2) != 0, (data[0] & 4) != 0, (data[0] & 8) != 0, &f)) {
			kith_sbuf_release(&f);
			return 0;
		}
		in = (const uint8_t *)f.buf;
		n = f.len;
	}
	struct kith_bundle *b = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_bundle_parse(&b, in, n, org_pk, unseal, NULL, &err);
	if (rc == 0) {
		if (memcmp(kith_bundle_sender(b), snd_pk, 32) != 0)
			abort();
		kith_bundle_free(b);
	} else if ((rc != KITH_E_INVALID && rc != KITH_E_AUTH && rc != KITH_E_LIMIT && rc != KITH_E_NOMEM) ||
		   !err.msg[0] || !err.where[0] || b) {
		abort();
	}
	kith_sbuf_release(&f);
	return 0;
}
