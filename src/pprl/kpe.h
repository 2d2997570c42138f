/*
 * kpe — the encoding file (.kpe): one organization's encodings, signed.
 *
 * Layout (little-endian; docs/pprl.md "File format" is the reference):
 *   0    8  magic "KITHPPRL"
 *   8    4  schema version (KITH_KPE_SCHEMA)
 *   12   4  header bytes (KITH_KPE_HEADER)
 *   16   2  bits per filter (1024)
 *   18   2  flags: 1 folded, 2 surname token (weak), 4 weak settings allowed
 *   20   4  flip probability, parts per million
 *   24  16  key id of the secret (encode.h kith_pprl_key_id)
 *   40  32  the organization's Ed25519 public key
 *   72  64  the organization's name (UTF-8, NUL-padded; [A-Za-z0-9_.-] and non-ASCII)
 *   136  8  records n
 *   144 16  zero
 *   160     n filters of 128 bytes (word w of a filter: bytes 8w..8w+7)
 *   end-64  Ed25519 signature of "kith pprl v1" || BLAKE2b-256(bytes 0 .. end-64)
 *
 * A record's row number (1-based, in file order) is the only way back to it:
 * the file holds no id, name, date or place.
 *
 * Ownership: struct kith_kpe is plain data; kith_kpe_release frees its
 * filters. The signing key is borrowed (guarded memory, the caller's).
 */
#ifndef KITH_PPRL_KPE_H
#define KITH_PPRL_KPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "pprl/encode.h"

#define KITH_KPE_SCHEMA                                                                                      \
	6u /* 6: the birth keyed by unordered pairs of the name's syllables (5: by the given syllables; the  \
	      name's syllables also in place, without liaison, and under their vowel's and final's other     \
	      class, the given name's order; 4: the birth keyed by the given-name syllables; 3: the birth    \
	      alone in its region; 2: other names and unordered name tokens; older schemas are not linked    \
	      with 6) */
#define KITH_KPE_HEADER 160u
#define KITH_KPE_SIG 64u
#define KITH_KPE_NAME_MAX 63u
#define KITH_KPE_MAX_RECORDS 20000000u
#define KITH_KPE_MAX_FILE ((size_t)KITH_KPE_HEADER + (size_t)KITH_KPE_MAX_RECORDS * 128u + KITH_KPE_SIG)

#define KITH_KPE_F_FOLDED 0x1u
#define KITH_KPE_F_SURNAME 0x2u
#define KITH_KPE_F_WEAK 0x4u

struct kith_kpe {
	char org[KITH_KPE_NAME_MAX + 1];
	uint8_t key_id[KITH_PPRL_KEYID_BYTES];
	uint8_t signer[32];
	unsigned flags;
	double flip;
	size_t n;
	uint64_t *filters; /* n × KITH_PPRL_WORDS, 64-byte aligned */
};

/* Checks an organization name (1..63 bytes, letters, digits, '_', '.', '-'
 * or UTF-8 beyond ASCII; not "count"). KITH_OK or KITH_E_INVALID. */
int kith_kpe_check_org(const char *org, struct kith_err *err) KITH_WUR;

/* Writes the file image of e, signed with sign_sk (crypto_sign_SECRETKEYBYTES;
 * e->signer must be its public key), to out (appended). KITH_OK,
 * KITH_E_INVALID (bad org name, too many records), KITH_E_NOMEM, KITH_E_CRYPTO. */
int kith_kpe_write(const struct kith_kpe *e, const uint8_t *sign_sk, struct kith_sbuf *out,
		   struct kith_err *err) KITH_WUR;

/*
 * Parses and verifies a file image data[0..len) named `name` (errors say
 * NAME: ...). Refuses: another magic (not an encoding file), another schema
 * version, a header of another size, another filter size, a size that does
 * not match the record count, a bad org name, nonzero reserved bytes, a
 * signature that does not verify — KITH_E_INVALID or KITH_E_CORRUPT (the
 * signature); KITH_E_LIMIT (too many records); KITH_E_NOMEM. *out is set only
 * on success.
 */
int kith_kpe_parse(struct kith_kpe *out, const uint8_t *data, size_t len, const char *name,
		   struct kith_err *err) KITH_WUR;

/* Reads and parses the file at path (capped at KITH_KPE_MAX_FILE). */
int kith_kpe_read(struct kith_kpe *out, const char *path, struct kith_err *err) KITH_WUR;

void kith_kpe_release(struct kith_kpe *e);

/*
 * Checks an encoding's organization and signing key against a trust file
 * data[0..len) named `name`: one line per organization, "ORG HEXKEY" (the
 * 64 hexadecimal digits `kith pprl keygen --sign-key` printed), blank lines
 * and lines starting with '#' ignored, at most 1 MiB. KITH_OK when e->org is
 * listed with e->signer; KITH_E_AUTH when it is listed with another key or
 * not listed; KITH_E_INVALID for a bad line (NAME:LINE), an organization
 * listed twice; KITH_E_LIMIT.
 */
int kith_kpe_trust_check(const struct kith_kpe *e, const char *data, size_t len, const char *name,
			 struct kith_err *err) KITH_WUR;

#endif
