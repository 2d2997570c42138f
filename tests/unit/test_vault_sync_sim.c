/* A simulation of issue 12's team (vault/bundle, vault/sync, casework/devices
 * and conflicts, called directly): headquarters and three field devices run a
 * random sequence of adds, edits, sends from headquarters, panics,
 * revocations and bundle exchanges, with bundles dropped, duplicated,
 * reordered, truncated and with one byte flipped. After every delivery to
 * headquarters it holds exactly the union of the versions of the valid
 * bundles delivered (rows and kept conflicts: no version lost, none invented),
 * every tampered or revoked bundle is refused (a revoked one by the device's
 * name) with nothing written, and every record two devices wrote at one
 * version is flagged as a conflict. After every delivery to a field device,
 * it lists as revoked every device headquarters revoked before the bundle was
 * made (the revocations travel in headquarters' bundles).
 *
 * Vaults are format 2 (signed batches; bundles of format 3), except in one
 * sequence of four, where every vault is format 1 (bundles of format 2), and
 * another of four, where headquarters is format 2 and the field devices
 * format 1 (a mixed fleet: their bundles go in; headquarters' are refused by
 * them, by name, telling them to run kith upgrade; now and then one of them
 * is upgraded on the way — it reads as before, with as many versions, and
 * from then on takes headquarters' bundles and sends its batches). Headquarters takes a device's batches
 * only in the order of its log: a bundle that starts after a gap (one before
 * it was dropped or is late) is refused, naming the bundle and saying that an
 * earlier one is missing, and goes in once the gap is filled.
 *
 * Seeded and reproducible: KITH_SIM_SEED=S runs sequence S alone;
 * KITH_SIM_SEQS=N sets how many sequences (default 100), each of
 * KITH_SIM_STEPS steps (default 120; 30 sequences under ASan; 4 of 40 under valgrind: quick.h);
 * KITH_SIM_SEQS=2000 for a long run. A failure prints its seed and step. Vaults at KITH_KDF_TEST, in /dev/shm
 * when there is one (no fsync cost). Invented names only. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "casework/conflicts.h"
#include "casework/devices.h"
#include "vault/blob.h"
#include "vault/bundle.h"
#include "vault/field.h"
#include "vault/sync.h"
#include "vault/vault.h"

#include "quick.h"

#define PASS "hq words"
#define NDEV 3
#define MAXV 4096
#define MAXMAIL 64

static uint64_t rng;
static size_t tot_accepted, tot_refused, tot_conflicts, tot_versions, tot_gaps, tot_upgrades, tot_revseen;
static uint64_t seed_now;
static int step_now;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

#define CHECK(cond, ...)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "sync sim: seed %llu step %d: ", (unsigned long long)seed_now,       \
				step_now);                                                                   \
			fprintf(stderr, __VA_ARGS__);                                                        \
			fprintf(stderr, "\n");                                                               \
			fail();                                                                              \
		}                                                                                            \
	} while (0)

/* A version: (id, version, device) as sync.h keys it. */
struct ver {
	uint8_t k[52];
};

static int cmp_ver(const void *a, const void *b)
{
	return memcmp(a, b, 52);
}

struct set {
	struct ver *v;
	size_t n, cap;
};

static void set_add(struct set *s, const uint8_t *id, uint32_t version, const uint8_t *dev)
{
	struct ver x;
	memcpy(x.k, id, 16);
	for (int i = 0; i < 4; i++)
		x.k[16 + i] = (uint8_t)(version >> (24 - 8 * i));
	memcpy(x.k + 20, dev, 32);
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->v[i].k, x.k, 52))
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	s->v[s->n++] = x;
}

struct mail {
	struct kith_sbuf bytes;
	int to;	  /* -1 headquarters, else a device */
	int from; /* -1 headquarters, else a device */
	int64_t created;
	int64_t seq_lo, seq_hi; /* the sender's batches it carries (format 3; 0: none) */
	struct set vers;	/* what it carries */
};

struct dev {
	char path[128];
	char name[8];
	char pass[16];
	struct kith_vault *v;
	int dead;	    /* panicked */
	int64_t revoked_at; /* 0: active */
	uint8_t spk[32];
	int64_t hq_seq; /* the last of its batches headquarters holds */
	unsigned format;
};

struct sim {
	char dir[64];
	char hq_path[128];
	struct kith_vault *hq;
	uint8_t hq_spk[32];
	struct dev d[NDEV];
	struct mail mail[MAXMAIL];
	size_t nmail;
	struct set expect; /* at headquarters: every version of a valid bundle delivered */
	int64_t now;
	size_t refused, accepted, conflicts_seen, gaps, deliveries, upgrades, revocations_seen;
	unsigned hq_format;
};

static struct kith_vault *open_v(const char *path, const char *pass)
{
	struct kith_err err;
	struct kith_vault *v = NULL;
	int rc = kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, &err);
	CHECK(rc == KITH_OK, "open %s: %s", path, err.msg);
	return v;
}

static void rm_vault(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[200];
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static void sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, sizeof *s);
	s->hq_format = seed % 4 == 0 ? 1 : 2;
	unsigned dev_format = seed % 4 == 0 || seed % 4 == 2 ? 1 : 2;
	snprintf(s->dir, sizeof s->dir, "%s/kith-sim-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->hq_path, sizeof s->hq_path, "%s/hq.kith", s->dir);
	struct kith_err err;
	struct kith_vault_create_opts o = {.kdf = KITH_KDF_TEST, .format = s->hq_format};
	assert_int_equal(kith_vault_create(s->hq_path, PASS, strlen(PASS), &o, &err), KITH_OK);
	s->hq = open_v(s->hq_path, PASS);
	o.format = dev_format;
	memcpy(s->hq_spk, kith_crypto_keys_sign_pk(kith_vault_keys_borrow(s->hq)), 32);
	/* the clock starts at the real one: a batch's `at` is the writing vault's
	 * clock, and field vaults refuse batches dated at or after their device's
	 * revocation; the sim's clock runs ahead of it (1-3 s a step) */
	s->now = (int64_t)time(NULL);
	char dir[sizeof s->dir]; /* a copy: d lies inside *s too (-Wrestrict) */
	memcpy(dir, s->dir, sizeof dir);
	for (int i = 0; i < NDEV; i++) {
		struct dev *d = &s->d[i];
		snprintf(d->path, sizeof d->path, "%s/f%d.kith", dir, i);
		snprintf(d->name, sizeof d->name, "f%d", i);
		snprintf(d->pass, sizeof d->pass, "field %d words", i);
		d->format = dev_format;
		struct kith_sbuf inv = KITH_SBUF_INIT;
		char code[KITH_FIELD_CODE_TEXT];
		int rc = kith_devices_add(s->hq, d->name, s->now, &inv, code, &err);
		CHECK(rc == KITH_OK, "device add: %s", err.msg);
		struct kith_field_invite *fi = NULL;
		rc = kith_field_invite_open(&fi, inv.buf, inv.len, code, strlen(code), &err);
		CHECK(rc == KITH_OK, "invite open: %s", err.msg);
		rc = kith_vault_create_field(d->path, d->pass, strlen(d->pass), &o, fi, &err);
		CHECK(rc == KITH_OK, "join: %s", err.msg);
		kith_field_invite_free(fi);
		kith_sbuf_release(&inv);
		d->v = open_v(d->path, d->pass);
		memcpy(d->spk, kith_crypto_keys_sign_pk(kith_vault_keys_borrow(d->v)), 32);
	}
	assert_int_equal(kith_vault_refresh(s->hq, &err), KITH_OK);
}

static void sim_free(struct sim *s)
{
	kith_vault_close(s->hq);
	rm_vault(s->hq_path);
	for (int i = 0; i < NDEV; i++) {
		kith_vault_close(s->d[i].v);
		rm_vault(s->d[i].path);
	}
	for (size_t i = 0; i < s->nmail; i++) {
		kith_sbuf_release(&s->mail[i].bytes);
		free(s->mail[i].vers.v);
	}
	free(s->expect.v);
	rmdir(s->dir);
}

static const char *const syl[] = {"Han",  "Jo", "Pak",	"Ri",  "Mi", "Sun",
				  "Yong", "Ae", "Chol", "Hui", "Ok", "Ju"};

static void put_case(struct kith_vault *v, const char *id)
{
	char name[48];
	snprintf(name, sizeof name, "%s %s-%s", syl[rnd(12)], syl[rnd(12)], syl[rnd(12)]);
	json_t *body = json_pack("{s:{s:s, s:s}, s:{s:b}, s:s}", "person", "name", name, "sex",
				 rnd(2) ? "female" : "male", "consent", "services", 1, "notes", syl[rnd(12)]);
	struct kith_err err;
	struct kith_vault_batch *b = NULL;
	struct kith_vault_put_opts po = {.id = id};
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	int rc = kith_vault_put(b, "case", body, &po, NULL, NULL, &err);
	CHECK(rc == KITH_OK, "put: %s", err.msg);
	rc = kith_vault_batch_commit(b, &err);
	CHECK(rc == KITH_OK, "commit: %s", err.msg);
	json_decref(body);
}

static void post(struct sim *s, struct kith_sbuf *bytes, int from, int to,
		 const struct kith_bundle_sent *sent)
{
	if (s->nmail == MAXMAIL) { /* the oldest is lost */
		kith_sbuf_release(&s->mail[0].bytes);
		free(s->mail[0].vers.v);
		memmove(&s->mail[0], &s->mail[1], (MAXMAIL - 1) * sizeof s->mail[0]);
		s->nmail--;
	}
	struct mail *m = &s->mail[s->nmail++];
	memset(m, 0, sizeof *m);
	m->bytes = *bytes;
	m->from = from;
	m->to = to;
	m->created = sent->created;
	m->seq_lo = sent->seq_lo;
	m->seq_hi = sent->seq_hi;
	for (size_t i = 0; i < sent->n; i++)
		set_add(&m->vers, sent->vers[i].id, sent->vers[i].version, sent->vers[i].device);
}

/* Headquarters' versions by devices (not its own): rows and kept conflicts. */
static void hq_actual(struct sim *s, struct set *out)
{
	sqlite3 *db = kith_store_sqlite(kith_vault_store_borrow(s->hq));
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT id, version, device FROM \"rows\"", -1, &st, NULL);
	assert_int_equal(rc, SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (memcmp(sqlite3_column_blob(st, 2), s->hq_spk, 32) != 0)
			set_add(out, sqlite3_column_blob(st, 0), (uint32_t)sqlite3_column_int64(st, 1),
				sqlite3_column_blob(st, 2));
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT id, version, device FROM conflicts", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			set_add(out, sqlite3_column_blob(st, 0), (uint32_t)sqlite3_column_int64(st, 1),
				sqlite3_column_blob(st, 2));
	}
	sqlite3_finalize(st);
}

static void check_hq(struct sim *s)
{
	struct set a = {0};
	hq_actual(s, &a);
	if (a.n)
		qsort(a.v, a.n, sizeof *a.v, cmp_ver);
	if (s->expect.n)
		qsort(s->expect.v, s->expect.n, sizeof *s->expect.v, cmp_ver);
	CHECK(a.n == s->expect.n, "headquarters holds %zu versions of devices, the valid bundles %zu", a.n,
	      s->expect.n);
	for (size_t i = 0; i < a.n; i++)
		CHECK(!memcmp(a.v[i].k, s->expect.v[i].k, 52), "version %zu differs from the union sent", i);
	/* a record that two devices wrote at one version is flagged, and only such */
	char(*ids)[33] = NULL;
	size_t nids = 0;
	struct kith_err err;
	assert_int_equal(kith_conflicts_ids(s->hq, &ids, &nids, &err), KITH_OK);
	for (size_t i = 0; i < a.n; i++) {
		int collide = 0; /* two devices at one version of this record */
		for (size_t j = 0; j < a.n; j++)
			for (size_t k = j + 1; k < a.n; k++)
				if (!memcmp(a.v[i].k, a.v[j].k, 16) && !memcmp(a.v[j].k, a.v[k].k, 20))
					collide = 1;
		char hex[33];
		sodium_bin2hex(hex, sizeof hex, a.v[i].k, 16);
		CHECK(kith_conflicts_has(ids, nids, hex) == collide,
		      "record %s: conflict flag %d, expected %d", hex, !collide, collide);
		for (size_t j = 0; j < a.n; j++)
			if (j != i && !memcmp(a.v[i].k, a.v[j].k, 20))
				s->conflicts_seen++; /* a version with another at its place */
	}
	free(ids);
	free(a.v);
}

static void deliver(struct sim *s, size_t i, int keep)
{
	struct mail m = s->mail[i];
	if (!keep) {
		memmove(&s->mail[i], &s->mail[i + 1], (s->nmail - i - 1) * sizeof s->mail[0]);
		s->nmail--;
	}
	struct kith_vault *v = m.to < 0 ? s->hq : s->d[m.to].v;
	if (m.to >= 0 && s->d[m.to].dead)
		goto out;
	/* the carrier may damage it */
	uint8_t *bytes = (uint8_t *)m.bytes.buf;
	size_t len = m.bytes.len;
	struct kith_sbuf copy = KITH_SBUF_INIT;
	int tampered = 0;
	uint32_t t = rnd(10);
	if (t == 0 && len > 1) {
		assert_int_equal(kith_sbuf_add(&copy, bytes, len), 0);
		copy.buf[rnd((uint32_t)len)] ^= (char)(1u << rnd(8));
		bytes = (uint8_t *)copy.buf;
		tampered = 1;
	} else if (t == 1) {
		len = rnd((uint32_t)len);
		tampered = 1;
	}
	int revoked = m.from >= 0 && s->d[m.from].revoked_at && m.created >= s->d[m.from].revoked_at;
	/* headquarters takes a device's batches in the order of its log */
	int gap = m.to < 0 && m.seq_lo && m.seq_lo > s->d[m.from].hq_seq + 1;
	/* a format-1 field vault cannot hold batches: told to upgrade */
	int old = m.to >= 0 && s->d[m.to].format < 2 && s->hq_format >= 2;
	struct kith_bundle_result res;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_devices_import_bundle(v, bytes, len, &res, &err);
	if (!tampered && !(revoked && m.to < 0) && (gap || old)) {
		CHECK(rc != KITH_OK, "a bundle %s was accepted",
		      gap ? "after a gap in the device's log" : "of batches by a format-1 vault");
		CHECK(strstr(err.msg, res.bundle) != NULL, "the refusal does not name the bundle: %s",
		      err.msg);
		CHECK(strstr(err.msg, gap ? "an earlier bundle is missing" : "run `kith upgrade`") != NULL,
		      "the refusal does not say why: %s", err.msg);
		s->gaps++;
	} else if (tampered || (revoked && m.to < 0)) {
		CHECK(rc != KITH_OK, "a %s bundle was accepted", tampered ? "tampered" : "revoked");
		CHECK(err.msg[0] && err.where[0], "a refusal without a reason");
		if (!tampered)
			CHECK(strstr(err.msg, s->d[m.from].name) != NULL,
			      "the refusal does not name the device: %s", err.msg);
		s->refused++;
	} else {
		CHECK(rc == KITH_OK, "a valid bundle from %d to %d was refused: %s: %s", m.from, m.to,
		      err.where, err.msg);
		s->accepted++;
		if (m.to < 0 && m.seq_hi > s->d[m.from].hq_seq)
			s->d[m.from].hq_seq = m.seq_hi;
		if (m.to >= 0) { /* every device revoked before the bundle was made is listed as revoked */
			struct kith_device_info *dl = NULL;
			size_t nl = 0;
			rc = kith_devices_list(v, &dl, &nl, &err);
			CHECK(rc == KITH_OK, "device list of f%d: %s", m.to, err.msg);
			for (int j = 0; j < NDEV; j++) {
				if (!s->d[j].revoked_at || s->d[j].revoked_at > m.created)
					continue;
				char hex[17];
				sodium_bin2hex(hex, sizeof hex, s->d[j].spk, 8);
				int shown = 0;
				for (size_t q = 0; q < nl; q++)
					shown |= !strcmp(dl[q].device_id, hex) &&
						 dl[q].revoked_at == s->d[j].revoked_at &&
						 dl[q].revocation_valid;
				CHECK(shown, "f%d does not list f%d as revoked", m.to, j);
				s->revocations_seen++;
			}
			free(dl);
		}
		if (m.to < 0)
			for (size_t k = 0; k < m.vers.n; k++)
				set_add(&s->expect, m.vers.v[k].k,
					(uint32_t)m.vers.v[k].k[16] << 24 |
					    (uint32_t)m.vers.v[k].k[17] << 16 |
					    (uint32_t)m.vers.v[k].k[18] << 8 | m.vers.v[k].k[19],
					m.vers.v[k].k + 20);
	}
	kith_sbuf_release(&copy);
	rc = kith_vault_refresh(v, &err);
	CHECK(rc == KITH_OK, "refresh: %s", err.msg);
	/* the receiver opens afresh: every batch it took verifies (signature,
	 * chain, every version present), every version reads (one delivery in
	 * four, each unlock costing what an unlock costs) */
	if (++s->deliveries % 4 == 0) {
		const char *path = m.to < 0 ? s->hq_path : s->d[m.to].path;
		struct kith_vault *w = open_v(path, m.to < 0 ? PASS : s->d[m.to].pass);
		struct kith_vault_info in;
		kith_vault_info(w, &in);
		CHECK(in.integrity == 0, "%s: %s", path, in.integrity ? kith_vault_integrity(w, 0) : "");
		CHECK(in.damaged == 0 && in.unreadable == 0, "%s: %zu damaged, %zu unreadable records", path,
		      in.damaged, in.unreadable);
		CHECK(in.format == (int)(m.to < 0 ? s->hq_format : s->d[m.to].format), "%s: format %d", path,
		      in.format);
		kith_vault_close(w);
	}
	if (m.to < 0)
		check_hq(s);
out:
	if (!keep) {
		kith_sbuf_release(&m.bytes);
		free(m.vers.v);
	}
}

static void export_from(struct sim *s, int di)
{
	struct dev *d = &s->d[di];
	struct kith_conflicts_export_opts o = {.all = rnd(6) == 0};
	struct kith_sbuf buf = KITH_SBUF_INIT;
	struct kith_bundle_sent sent;
	struct kith_err err;
	int rc = kith_conflicts_export(d->v, &o, s->now, &buf, &sent, &err);
	CHECK(rc == KITH_OK, "export: %s", err.msg);
	rc = kith_bundle_mark_sent(d->v, &sent, &err);
	CHECK(rc == KITH_OK, "mark sent: %s", err.msg);
	post(s, &buf, di, -1, &sent);
	kith_bundle_sent_release(&sent);
}

static void send_to(struct sim *s, int di)
{
	size_t n = 0;
	const struct kith_record_view *cases = kith_vault_records(s->hq, "case", &n);
	if (!n)
		return;
	/* mostly the same few cases, so that devices edit them apart */
	const char *ref = cases[rnd(n < 3 ? (uint32_t)n : 3)].ref;
	struct kith_conflicts_export_opts o = {.to = s->d[di].name, .refs = &ref, .nrefs = 1};
	struct kith_sbuf buf = KITH_SBUF_INIT;
	struct kith_bundle_sent sent;
	struct kith_err err;
	int rc = kith_conflicts_export(s->hq, &o, s->now, &buf, &sent, &err);
	if (s->d[di].revoked_at) {
		CHECK(rc == KITH_E_AUTH, "a bundle to a revoked device was made");
		kith_sbuf_release(&buf);
		return;
	}
	CHECK(rc == KITH_OK, "send to f%d: %s", di, err.msg);
	rc = kith_bundle_mark_sent(s->hq, &sent, &err);
	CHECK(rc == KITH_OK, "mark sent: %s", err.msg);
	post(s, &buf, -1, di, &sent);
	kith_bundle_sent_release(&sent);
}

static void run_one(uint64_t seed, int steps)
{
	seed_now = seed;
	rng = seed * 0x9E3779B97F4A7C15ull + 1;
	struct sim s;
	step_now = -1;
	sim_init(&s, seed);
	struct kith_err err;
	for (step_now = 0; step_now < steps; step_now++) {
		s.now += 1 + rnd(3);
		int di = (int)rnd(NDEV);
		struct dev *d = &s.d[di];
		uint32_t op = rnd(100);
		if (op < 22) { /* a new case */
			if (!d->dead)
				put_case(d->v, NULL);
		} else if (op < 40) { /* an edit of a case the device reads */
			size_t n = 0;
			const struct kith_record_view *cases =
			    d->dead ? NULL : kith_vault_records(d->v, "case", &n);
			if (n) {
				char id[33];
				/* a case headquarters sent, when there is one */
				size_t pick = rnd((uint32_t)n);
				for (size_t k = 0; k < n; k++)
					if (strcmp(cases[k].device, d->v ? cases[pick].device : "") != 0 &&
					    rnd(2)) {
						pick = k;
						break;
					}
				snprintf(id, sizeof id, "%s", cases[pick].id);
				put_case(d->v, id);
			}
		} else if (op < 55) {
			if (!d->dead)
				export_from(&s, di);
		} else if (op < 65) {
			send_to(&s, di);
		} else if (op < 92) { /* the carrier: delivers, duplicates, reorders, drops */
			if (s.nmail) {
				size_t i = rnd((uint32_t)s.nmail);
				uint32_t c = rnd(10);
				if (c == 0) { /* dropped */
					kith_sbuf_release(&s.mail[i].bytes);
					free(s.mail[i].vers.v);
					memmove(&s.mail[i], &s.mail[i + 1],
						(s.nmail - i - 1) * sizeof s.mail[0]);
					s.nmail--;
				} else {
					deliver(&s, i, c == 1);
				}
			}
		} else if (op < 96) { /* panic on a field device */
			if (!d->dead && rnd(3) == 0) {
				kith_vault_close(d->v);
				d->v = NULL;
				int rc = kith_vault_panic(d->path, &err);
				CHECK(rc == KITH_OK, "panic: %s", err.msg);
				d->dead = 1;
			}
		} else if (op < 98 && d->format < 2 && s.hq_format >= 2 && !d->dead) {
			/* a format-1 field device is upgraded: it reads as before, and its
			 * bundles (now of its batches) go on to headquarters */
			struct kith_vault_info before, after;
			kith_vault_info(d->v, &before);
			kith_vault_close(d->v);
			d->v = NULL;
			struct kith_vault_upgraded up;
			int rc = kith_vault_upgrade_with(d->path, d->pass, strlen(d->pass), &up, &err);
			CHECK(rc == KITH_OK, "upgrade of f%d: %s", di, err.msg);
			char old[160];
			snprintf(old, sizeof old, "%s.format1", d->path);
			rm_vault(old);
			d->format = 2;
			d->v = open_v(d->path, d->pass);
			kith_vault_info(d->v, &after);
			CHECK(after.format == 2 && after.integrity == 0,
			      "f%d after its upgrade: format %d, %s", di, after.format,
			      after.integrity ? kith_vault_integrity(d->v, 0) : "");
			CHECK(after.records == before.records && after.rows == before.rows &&
				  after.damaged == before.damaged && up.resealed + up.kept <= after.rows,
			      "f%d after its upgrade: %zu records of %zu versions, before %zu of %zu", di,
			      after.records, after.rows, before.records, before.rows);
			s.upgrades++;
		} else if (!d->revoked_at && rnd(3) == 0) {
			int rc = kith_devices_revoke(s.hq, d->name, s.now, &err);
			CHECK(rc == KITH_OK, "revoke: %s", err.msg);
			d->revoked_at = s.now;
			assert_int_equal(kith_vault_refresh(s.hq, &err), KITH_OK);
		}
	}
	/* the end: every bundle still in the post arrives once (the carrier may still damage it) */
	while (s.nmail) {
		struct mail *m = &s.mail[0];
		(void)m;
		deliver(&s, 0, 0);
	}
	tot_accepted += s.accepted;
	tot_refused += s.refused;
	tot_gaps += s.gaps;
	tot_upgrades += s.upgrades;
	tot_revseen += s.revocations_seen;
	tot_conflicts += s.conflicts_seen;
	tot_versions += s.expect.n;
	sim_free(&s);
}

static void test_sim(void **state)
{
	(void)state;
	const char *e = getenv("KITH_SIM_SEED");
	int steps = getenv("KITH_SIM_STEPS") ? atoi(getenv("KITH_SIM_STEPS")) : test_quick() ? 40 : 120;
	if (e) {
		run_one(strtoull(e, NULL, 10), steps);
		return;
	}
#if defined(__SANITIZE_ADDRESS__)
	int full = 30; /* under ASan (several times slower): fewer sequences of the same length */
#else
	int full = 100;
#endif
	int seqs = getenv("KITH_SIM_SEQS") ? atoi(getenv("KITH_SIM_SEQS")) : test_quick() ? 4 : full;
	for (int i = 1; i <= seqs; i++)
		run_one((uint64_t)i, steps);
	printf("sync sim: %d sequences of %d steps: %zu bundles applied, %zu refused (damaged or revoked), "
	       "%zu refused by order or format, %zu versions at headquarters in the end, %zu conflicting "
	       "versions checked, %zu format-1 field devices upgraded on the way, %zu revocations checked "
	       "on devices\n",
	       seqs, steps, tot_accepted, tot_refused, tot_gaps, tot_versions, tot_conflicts, tot_upgrades,
	       tot_revseen);
}

int main(void)
{
	if (kith_process_init() != KITH_OK)
		return 1;
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_sim)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
