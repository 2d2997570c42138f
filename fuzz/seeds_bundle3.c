/*
 * seeds_bundle3 — writes the format-3 seeds of fuzz/corpus/bundle/ (bundles
 * that carry format-2 batches: docs/bundle-format.md *Format 3*) in the
 * input language of fuzz_bundle.c (first byte 15: messages sealed into a
 * format-3 stream for the target's organization, sender and end fixed by the
 * target). The manifests are signed (Ed25519ph) by a device key from a
 * constant seed and list the hash of each row, so that the parser's checks
 * past them are reached. Not part of the build:
 *   cc -Isrc fuzz/seeds_bundle3.c -lsodium -o /tmp/seeds && /tmp/seeds fuzz/corpus/bundle
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static uint8_t org_pk[32], org_sk[32], dev_pk[32], dev_sk[64], per_pk[32], per_sk[64];
static uint8_t buf[1 << 16];
static size_t len;

static void be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void msg(const uint8_t *m, size_t n)
{
	be(buf + len, n, 2);
	memcpy(buf + len + 2, m, n);
	len += 2 + n;
}

static void field(crypto_generichash_state *h, const uint8_t *p, size_t n)
{
	uint8_t l[8];
	be(l, n, 8);
	crypto_generichash_update(h, l, 8);
	crypto_generichash_update(h, p, n);
}

/* a row: id, version 1, this device, nonce, 272 bytes of ct; its hash */
static void row(uint8_t *r, const uint8_t batch[16], uint32_t i, uint8_t rh[32], int tag)
{
	memset(r, 0, 132 + 272);
	memcpy(r, "KBR3", 4);
	memset(r + 4, 0x40 + tag, 16);
	be(r + 20, 1, 4);
	memcpy(r + 24, dev_pk, 32);
	memcpy(r + 56, batch, 16);
	be(r + 72, i, 4);
	memset(r + 76, 0x24, 24);
	memset(r + 100, 0x6b, 32);
	memset(r + 132, 0x63 + tag, 272);
	uint8_t v[4];
	be(v, 1, 4);
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)"kith-rowhash-v2", 15);
	field(&h, r + 4, 16);
	field(&h, v, 4);
	field(&h, dev_pk, 32);
	field(&h, r + 76, 24);
	field(&h, r + 132, 272);
	crypto_generichash_final(&h, rh, 32);
}

/* a manifest message "KBM3" sig M for n row hashes */
static size_t manifest(uint8_t *out, const uint8_t batch[16], int64_t seq, const uint8_t *rh, uint32_t n)
{
	uint8_t *m = out + 68;
	size_t at = 0;
	memcpy(m, "kith-batch-v2", 13);
	m[13] = 0;
	crypto_generichash(m + 14, 32, org_pk, 32, NULL, 0);
	memcpy(m + 46, batch, 16);
	memcpy(m + 62, dev_pk, 32);
	memset(m + 94, 0, 32);
	be(m + 126, (uint64_t)seq, 8);
	memset(m + 134, 0, 32);
	be(m + 166, 1765000000, 8);
	at = 174;
	be(m + at, 80, 8);
	memset(m + at + 8, 0x77, 80);
	at += 88;
	be(m + at, 72, 8);
	memset(m + at + 8, 0x78, 72);
	at += 80;
	be(m + at, 0, 8);
	at += 8;
	memset(m + at, 0x6b, 32);
	at += 32;
	be(m + at, n, 4);
	at += 4;
	memcpy(m + at, rh, 32 * (size_t)n);
	at += 32 * (size_t)n;
	memcpy(out, "KBM3", 4);
	crypto_sign_state st;
	crypto_sign_init(&st);
	crypto_sign_update(&st, m, at);
	crypto_sign_final_create(&st, out + 4, NULL, dev_sk);
	return 68 + at;
}

/* the same batch signed by a person too: "KBP3" sig_dev sig_per M, M naming
 * per_pk (vault-format.md *People*, "Person signing keys") */
static size_t manifest_per(uint8_t *out, const uint8_t batch[16], int64_t seq, const uint8_t *rh, uint32_t n)
{
	size_t l = manifest(out + 64, batch, seq, rh, n); /* "KBM3" sig_dev M at out + 64 */
	uint8_t *m = out + 64 + 68;
	memcpy(m + 94, per_pk, 32);
	crypto_sign_state st;
	crypto_sign_init(&st);
	crypto_sign_update(&st, m, l - 68);
	crypto_sign_final_create(&st, out + 4, NULL, dev_sk);
	crypto_sign_init(&st);
	crypto_sign_update(&st, m, l - 68);
	crypto_sign_final_create(&st, out + 68, NULL, per_sk);
	memcpy(out, "KBP3", 4);
	return l + 64;
}

static void env(uint32_t nm, uint32_t nr)
{
	uint8_t e[136] = {0};
	memcpy(e, "KBE3", 4);
	memset(e + 100, 0x1d, 16);
	be(e + 116, 1765000000, 8);
	be(e + 128, nm, 4);
	be(e + 132, nr, 4);
	msg(e, sizeof e);
}

static int save(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(buf, 1, len, f) != len)
		return 1;
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	if (argc != 2 || sodium_init() < 0)
		return 2;
	uint8_t seed[32], batch[16], r[2][132 + 272], rh[64], m[68 + 512], mp[132 + 512];
	memset(seed, 'o', 32); /* the target's organization */
	crypto_box_seed_keypair(org_pk, org_sk, seed);
	memset(seed, 'd', 32);
	crypto_sign_seed_keypair(dev_pk, dev_sk, seed);
	memset(seed, 'p', 32);
	crypto_sign_seed_keypair(per_pk, per_sk, seed);
	memset(batch, 0xba, 16);
	row(r[0], batch, 0, rh, 0);
	row(r[1], batch, 1, rh + 32, 1);
	int bad = 0;

	/* a batch of two versions, whole */
	len = 0;
	buf[len++] = 15;
	env(1, 2);
	size_t ml = manifest(m, batch, 1, rh, 2);
	msg(m, ml);
	msg(r[0], sizeof r[0]);
	msg(r[1], sizeof r[1]);
	bad |= save(argv[1], "v3_batch_two_rows_signed");

	/* the same batch, one of its versions (what headquarters sends a device) */
	len = 0;
	buf[len++] = 15;
	env(1, 1);
	msg(m, ml);
	msg(r[1], sizeof r[1]);
	bad |= save(argv[1], "v3_batch_one_of_two");

	/* a version whose bytes are not the ones its manifest lists */
	len = 0;
	buf[len++] = 15;
	env(1, 1);
	msg(m, ml);
	r[0][200] ^= 1;
	msg(r[0], sizeof r[0]);
	r[0][200] ^= 1;
	bad |= save(argv[1], "v3_row_not_listed");

	/* a manifest whose signature does not verify */
	len = 0;
	buf[len++] = 15;
	env(1, 0);
	m[10] ^= 1;
	msg(m, ml);
	m[10] ^= 1;
	bad |= save(argv[1], "v3_manifest_bad_sig");

	/* no manifest, no row */
	len = 0;
	buf[len++] = 15;
	env(0, 0);
	bad |= save(argv[1], "v3_env_empty_signed");

	/* the same batch twice */
	len = 0;
	buf[len++] = 15;
	env(2, 0);
	msg(m, ml);
	msg(m, ml);
	bad |= save(argv[1], "v3_manifest_twice");

	/* a batch a person signed too ("KBP3"), whole; then its sig_per changed */
	size_t mpl = manifest_per(mp, batch, 1, rh, 2);
	len = 0;
	buf[len++] = 15;
	env(1, 2);
	msg(mp, mpl);
	msg(r[0], sizeof r[0]);
	msg(r[1], sizeof r[1]);
	bad |= save(argv[1], "v3_person_signed_batch");
	len = 0;
	buf[len++] = 15;
	env(1, 0);
	mp[80] ^= 1;
	msg(mp, mpl);
	mp[80] ^= 1;
	bad |= save(argv[1], "v3_person_bad_sig");
	return bad;
}
