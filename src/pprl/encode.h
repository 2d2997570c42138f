/*
 * encode — keyed, hardened Bloom-filter encodings (cryptographic long-term
 * keys, CLK) of one person's record, so that organizations can find their
 * overlap without sharing names.
 *
 * A record becomes one filter of KITH_PPRL_BITS bits. What goes in is what
 * the names engine makes of a name — the coarse letter classes of every
 * syllable of its reading (names.h kith_names_codes), in which every
 * romanization of a letter falls — so that 방미선, Pang Mi-sŏn and Bang Mi Sun
 * set most of the same bits; names that are not Korean give the bigrams of
 * their folded text. Every token that joins syllables is unordered, so a
 * name written given name first meets the same name surname first; the
 * record's other names (aliases, other spellings) add their tokens. Sex and the origin follow; the
 * birth (the exact year unless it came from an age, every year it may be, month and day) has a
 * region of the filter of its own (KITH_PPRL_BIRTH_BITS), so that the linkage can tell a birth that
 * disagrees from one that is missing; each of its tokens is joined with each given-name syllable
 * of the record (its key), so that the birth region alone groups no records by birth year. Each token sets
 * bits at positions drawn from a keyed BLAKE2b of the token under a key of its field (crypto_kdf subkeys of
 * the shared secret): positions are independent (no double hashing, which is attackable).
 *
 * Hardening (docs/pprl.md says why and what it costs):
 *   - no token of the surname alone: the surname enters only joined with a
 *     given-name syllable or in the bag of the whole name, so the bits of 김 are not
 *     one frequent pattern that a frequency attack could align;
 *   - per-field keys (salting): a token of one field never sets the bits of
 *     the same text in another;
 *   - XOR-folding: a filter of 2 × KITH_PPRL_BITS bits is folded in halves,
 *     so no bit belongs to one token;
 *   - random bit flips (BLIP): each bit is replaced by a fair random bit with
 *     probability `flip` (default 0.02), a per-bit ε = ln((2 − flip)/flip).
 * Weaker settings (no fold, no flips, flip below KITH_PPRL_FLIP_MIN, a
 * surname token, flips drawn from a given seed) are refused unless allow_weak is set.
 *
 * Ownership: a struct kith_pprl_key is opaque, in guarded memory, and wiped
 * by kith_pprl_key_free; every other pointer is borrowed.
 */
#ifndef KITH_PPRL_ENCODE_H
#define KITH_PPRL_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_PPRL_BITS 1024u
#define KITH_PPRL_WORDS (KITH_PPRL_BITS / 64u)
/* The filter's two regions: bits [0, MAIN) carry the name, sex and origin;
 * bits [MAIN, BITS) the birth (year, the years it may be, month, day, each
 * joined with a given-name syllable), so that the linkage can tell a birth
 * that disagrees from one that is missing. */
#define KITH_PPRL_BIRTH_BITS 256u
#define KITH_PPRL_MAIN_BITS (KITH_PPRL_BITS - KITH_PPRL_BIRTH_BITS)
#define KITH_PPRL_KEYID_BYTES 16u
#define KITH_PPRL_SECRET_MIN 16u    /* bytes of secret, at least */
#define KITH_PPRL_SECRET_MAX 4096u  /* bytes read of a secret file, at most */
#define KITH_PPRL_FLIP_DEFAULT 0.02 /* probability that a bit is replaced by a random one */
#define KITH_PPRL_FLIP_MIN 0.01	    /* below: weak (needs allow_weak) */
#define KITH_PPRL_MAX_OTHER 3u	    /* other names encoded, at most */
#define KITH_PPRL_FLIP_MAX 0.25	    /* above: the encodings no longer link */

/* Weaker settings, as flags (each needs allow_weak). */
#define KITH_PPRL_WEAK_NOFOLD 0x1u  /* one filter of KITH_PPRL_BITS bits, not folded */
#define KITH_PPRL_WEAK_SURNAME 0x2u /* a token of the surname alone */

/* Encoding parameters; zero means the defaults. */
struct kith_pprl_params {
	double flip;	     /* 0: KITH_PPRL_FLIP_DEFAULT; < 0: no flips (weak) */
	unsigned weak;	     /* KITH_PPRL_WEAK_* */
	int allow_weak;	     /* accept the settings above */
	const uint8_t *seed; /* 32 bytes: deterministic flips (tests, benchmarks; weak); NULL: random */
};

/* Checks p. KITH_OK, or KITH_E_INVALID naming the weak setting and the flag
 * that would allow it. */
int kith_pprl_params_check(const struct kith_pprl_params *p, struct kith_err *err) KITH_WUR;

/* The flip probability p means (0 when there are none). */
double kith_pprl_params_flip(const struct kith_pprl_params *p);

struct kith_pprl_key;

/* Derives the keys from secret[0..len) (at least KITH_PPRL_SECRET_MIN bytes,
 * at most KITH_PPRL_SECRET_MAX; surrounding whitespace is part of it — the
 * caller trims a trailing newline). KITH_OK, KITH_E_INVALID (too short or
 * long), KITH_E_NOMEM. */
int kith_pprl_key_new(struct kith_pprl_key **out, const uint8_t *secret, size_t len,
		      struct kith_err *err) KITH_WUR;
void kith_pprl_key_free(struct kith_pprl_key *k);

/* The key id: a keyed hash of a constant, equal for equal secrets and
 * revealing nothing else. Written in every encoding file. */
void kith_pprl_key_id(const struct kith_pprl_key *k, uint8_t id[KITH_PPRL_KEYID_BYTES]);

/* One record, normalized (link/dataset.h kith_dataset_values gives these). */
struct kith_name;
struct kith_pprl_input {
	const struct kith_name *name; /* NULL: no name */
	/* other names (aliases, other spellings): their tokens join the name's */
	const struct kith_name *other[KITH_PPRL_MAX_OTHER];
	size_t n_other;
	int sex;		    /* 0 missing, 1 female, 2 male, 3 other */
	int birth_year;		    /* 0: missing */
	int birth_approx;	    /* 1: from an age (only the two-year buckets are encoded) */
	int birth_month, birth_day; /* 0: not given */
	const char *origin;	    /* province id or folded place; NULL: missing */
	size_t origin_len;
};

/*
 * Encodes one record into filter[] (KITH_PPRL_WORDS words). `index` is the
 * record's position (it picks the deterministic flips when p->seed is set).
 * Thread-safe: k and p are only read. KITH_OK or KITH_E_CRYPTO.
 */
int kith_pprl_encode(const struct kith_pprl_key *k, const struct kith_pprl_params *p,
		     const struct kith_pprl_input *in, uint64_t index,
		     uint64_t filter[KITH_PPRL_WORDS]) KITH_WUR;

/* Dice coefficient of two filters, in [0, 1] (0 when both are empty). */
double kith_pprl_dice(const uint64_t a[KITH_PPRL_WORDS], const uint64_t b[KITH_PPRL_WORDS]);

#endif
