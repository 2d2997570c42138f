/*
 * names — one person, every spelling: Korean names in Hangul, Hanja and every
 * romanization, encoded once and compared fast.
 *
 * A name (UTF-8, any script) is encoded into a fixed-size struct kith_name: its
 * syllables as Hangul (read from the romanization when the input is Latin, with
 * the alternative readings the romanization allows), the surname split off,
 * North/South initial-sound variants folded. Encoded names are compared with
 * kith_names_similarity (symmetric, in [0, 1]) and kith_names_query_score (a
 * partial query such as a surname alone against a full name); blocking keys
 * are small integers such that two spellings of one name share at least one.
 *
 * Ownership: every pointer is borrowed; struct kith_name is plain data owned
 * by the caller (it holds a name: wipe it with sodium_memzero when done if it
 * lived outside guarded memory). No function keeps state between calls; all
 * are safe to call from several threads at once.
 */
#ifndef KITH_NAMES_NAMES_H
#define KITH_NAMES_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "base/status.h"

#define KITH_NAMES_MAX_KEYS 8	  /* blocking keys per name, at most */
#define KITH_NAMES_MAX_QKEYS 18	  /* keys of a query, at most (kith_names_query_keys) */
#define KITH_NAMES_MAX_BYTES 4096 /* a longer input is refused (KITH_E_LIMIT) */
#define KITH_NAMES_MAX_SYL 12	  /* syllables kept of one name */
#define KITH_NAMES_MAX_ALT 3	  /* unused: a syllable holds sets of readings (kept for the contract) */

enum kith_names_system {
	KITH_NAMES_RR,	     /* Revised Romanization (South, 2000): Bang Miseon / Bang Mi-seon */
	KITH_NAMES_MR,	     /* McCune–Reischauer with diacritics: Pang Mi-sŏn */
	KITH_NAMES_MR_PLAIN, /* McCune–Reischauer without diacritics: Pang Mi-son */
	KITH_NAMES_NK,	     /* North Korean official: Pang Mi Son, kh/th/ph, syllables apart */
	KITH_NAMES_COMMON,   /* common English spellings: Lee, Park, Choi, Mi Sun Bang order kept */
};

/* One syllable as three sets of letters (bit masks over the 19 initials, 21
 * vowels and 28 finals of src/names/jamo.h): a syllable written in Hangul is a
 * single reading; one read from a romanization holds every reading the
 * spelling allows ("Sun": ㅅ/ㅆ, ㅓ/ㅜ/ㅡ, ㄴ). */
struct kith_name_syl {
	uint32_t ini, vow, fin;
};

#define KITH_NAMES_TEXT 48 /* bytes of folded text kept for names that are not Korean */

/* An encoded name. Plain data, at most 256 bytes; zero is "no name". The
 * fields are the names engine's own: other modules use the functions below. */
struct kith_name {
	struct kith_name_syl syl[KITH_NAMES_MAX_SYL]; /* surname first */
	uint8_t lv[KITH_NAMES_MAX_SYL];		      /* how common the best reading is, 0-9 */
	uint16_t exact;				      /* bit i: syllable i was written in Hangul */
	uint8_t n_syl;				      /* syllables */
	uint8_t n_sur;				      /* of which the surname (0: unknown) */
	uint8_t script;				      /* KITH_NAMES_SCRIPT_* of the input */
	uint8_t flags;				      /* KITH_NAMES_F_* */
	uint8_t alt_rot;			      /* the other order, when KITH_NAMES_F_AMBIG: rotation */
	uint8_t alt_sur;			      /* ... and its surname length */
	uint8_t pat[KITH_NAMES_MAX_SYL][2]; /* spelling pieces of a romanized given syllable (model) */
	int8_t post[KITH_NAMES_MAX_SYL];    /* its best reading's log-posterior, tenths of a nat */
	uint16_t liai;			    /* bit i: liaison widened syllable i's initial and i-1's final */
	uint16_t sur_pub; /* a romanized surname's spelling, as a list of surnames publishes it: entry + 1 */
	uint32_t latin_h; /* hash of the folded text */
	char text[KITH_NAMES_TEXT]; /* folded Latin (or other script) text, truncated */
};

enum {
	KITH_NAMES_SCRIPT_NONE,
	KITH_NAMES_SCRIPT_HANGUL,
	KITH_NAMES_SCRIPT_LATIN,
	KITH_NAMES_SCRIPT_MIXED,
	KITH_NAMES_SCRIPT_HANJA,
	KITH_NAMES_SCRIPT_OTHER
};

#define KITH_NAMES_F_WESTERN 0x01 /* written given name first */
#define KITH_NAMES_F_AMBIG 0x02	  /* the other order is plausible too */
#define KITH_NAMES_F_SURONLY 0x04 /* a surname alone */
#define KITH_NAMES_F_TRUNC 0x08	  /* more syllables than kept */
#define KITH_NAMES_F_PARTIAL 0x10 /* a word could not be read as Korean */
#define KITH_NAMES_F_TYPO 0x20	  /* read with a typo undone (scores at most KITH_NAMES_TYPO) */
#define KITH_NAMES_F_PUBSUR 0x40  /* ambiguous order, the surname word a spelling lists publish (names.c) */
#define KITH_NAMES_F_HYPHEN 0x80  /* a romanized word holds a hyphen between letters ("Dong-hyeok") */

#define KITH_NAMES_TYPO 0.92 /* the factor of a name read with a typo undone */

/* Encodes `len` bytes of `utf8`. KITH_OK; KITH_E_INVALID (invalid UTF-8, a
 * control character, empty or only punctuation: err says which, without the
 * name); KITH_E_LIMIT (more than KITH_NAMES_MAX_BYTES). *out is written only
 * on success. */
int kith_names_encode(struct kith_name *out, const char *utf8, size_t len, struct kith_err *err) KITH_WUR;

/* Similarity of two encoded names in [0, 1], symmetric: 1 for the same name in
 * any spelling, low for different people. */
double kith_names_similarity(const struct kith_name *a, const struct kith_name *b);

/* The score at and above which two names are taken as the same name. */
double kith_names_same_threshold(void);

/* How well a query (possibly partial: surname only, given name only) matches
 * a candidate name, in [0, 1]. Not symmetric. */
double kith_names_query_score(const struct kith_name *query, const struct kith_name *cand);

/* The parts of kith_names_query_score, each in [0, 1] with no factor for
 * the kind of query, for a caller that ranks partial queries by its own
 * weights (search). 0 where the query cannot be read so; prefix and given
 * are not computed (0) when whole is 1 or the query, read with a surname,
 * is at least as long as the candidate. */
struct kith_names_query_parts {
	double whole;  /* kith_names_similarity */
	double prefix; /* the surname, written first, and the start of the given name ("Kim Kang") */
	double given;  /* the query, in the order written, as the candidate's given name ("Myong Sim") */
	int token;     /* kith_names_query_score's match of a token (words of two letters or more) */
};
void kith_names_query_parts(const struct kith_name *q, const struct kith_name *c,
			    struct kith_names_query_parts *out);

/* Every word of q's folded text (one letter or more) is a word of c's, in
 * the same order: 1; 2 when q's first word is c's first word too; else 0. */
int kith_names_query_words(const struct kith_name *q, const struct kith_name *c);

/* A romanized query of two words or more read with its first word, of one
 * syllable, as the surname (every surname the grammar or a published
 * spelling gives it) and the rest as a given name, when the encoder read it
 * otherwise ("Kwan Yoo": 유관, "Nan Soo": 난수, "Sung Shi": 성 + 시, not 송):
 * 1 and *out; 0 when there is no such other reading (then *out is not
 * written). src/names/surfirst.c. */
int kith_names_surname_first(struct kith_name *out, const char *utf8, size_t len);

/* The readings of syllable y one per coarse class (the lowest letters of
 * each; ㄴ ㄹ ㅇ one class where `fold`, as the initial-sound rule reads
 * them), in the order of their letters: writes at most max to out[] and
 * returns how many classes there are, max + 1 when there are more than max
 * (out[] then holds the first max). */
size_t kith_names_class_readings(const struct kith_name_syl *y, int fold, struct kith_name_syl *out,
				 size_t max);

/* The blocking keys of each reading of a name of two syllables, a surname
 * and a given syllable, whose syllables hold letters of several coarse
 * classes ("Chai": 채 or 최; "Kwan": 관 or 권; "Yee": 이 or 예), one
 * reading a class (kith_names_keys keys the lowest only): a query of a
 * surname and the start of a given name reaches the longer names so
 * (최해희 for "Chai Hae"); and, when the given syllable may end in a final
 * that a longer name's keys move to the next syllable (ㄴ ㄹ ㅁ ㄱ before a
 * vowel: 선옥 keyed as 서녹), each reading without that final too (최선옥
 * for "Chae Son"). At most max keys, none twice; how many (0 for another
 * name). src/names/surfirst.c. */
size_t kith_names_prefix_keys(const struct kith_name *q, uint64_t *keys, size_t max);

/* The spelling pieces of every syllable of a romanized query, the initial
 * and the vowel piece of each as read in a given name (latin.c's table
 * entries + 1; 0: none), where the encoder keeps them only for the given
 * syllables it is sure of: not for a name of two words whose order is
 * ambiguous ("Kim Yong", "Chong Yong"), a syllable read as a surname, or
 * the initial of a given name. For kith_names_vault_prior. */
struct kith_names_pieces {
	uint8_t pat[KITH_NAMES_MAX_SYL][2];
	/* an initial written t, p or ch, which writes a plain consonant (ㄷ
	 * ㅂ ㅈ) and an aspirate (ㅌ ㅍ ㅊ) alike, weighed by its place and
	 * the system the name follows: tenths of a nat the plain reading
	 * costs, and the aspirate one (0: no cost) */
	uint8_t plain[KITH_NAMES_MAX_SYL], asp[KITH_NAMES_MAX_SYL];
};

/* The pieces of q, the encoding of utf8[0..len) (a name in Latin letters,
 * read as Korean without a typo): 1 and *out; 0 when they cannot be had
 * (*out then all 0). src/names/surfirst.c. */
int kith_names_query_pieces(struct kith_names_pieces *out, const char *utf8, size_t len,
			    const struct kith_name *q);

/* For search, where every name of the vault is as likely as another: the
 * factor that turns the score of a romanized query q against a Hangul name
 * c, syllables q[(q0 + k) mod q's length] and c[c0 + k] for k < n (q0
 * turns a query whose order is ambiguous to the other), from the probability of
 * the reading (which prefers a syllable common in names: "Chae" 재 before
 * 채) to the probability of the spelling given the name ("Chae" writes 채
 * in more systems than 재). 1 where the model does not apply. With pc (may
 * be NULL: the encoder's pieces only) also the syllables the encoder keeps
 * no pieces for, where the engine ranks the readings of a spelling by how
 * common each is in names ("Kim Yong": 영 before 용). surfirst.c. */
double kith_names_vault_prior(const struct kith_name *q, const struct kith_names_pieces *pc, size_t q0,
			      const struct kith_name *c, size_t c0, size_t n);

/* Writes the blocking keys of `n` to keys[] and returns how many (0 to
 * KITH_NAMES_MAX_KEYS). Two spellings of one name share at least one key. */
size_t kith_names_keys(const struct kith_name *n, uint64_t keys[KITH_NAMES_MAX_KEYS]);

/* The key of the whole name only (each reading's syllables in order, coarse
 * classes; the whole folded text for a name that is not Korean): fewer
 * spellings meet than through kith_names_keys, and far fewer namesakes —
 * for blocking large data. Returns how many (0 to 2). */
size_t kith_names_whole_keys(const struct kith_name *n, uint64_t keys[2]);

/* The coarse code of every syllable of one reading of n (alt 0: as read;
 * alt 1: the other order, when KITH_NAMES_F_AMBIG), surname first: initial,
 * vowel and final classes as ini*100 + vow*10 + fin, the classes in which
 * every spelling of a letter falls (the codes the blocking keys are made
 * of, except that the keys also move a final ㄱ before ㅇ by liaison, as
 * these move ㄴ ㄹ ㅁ). Returns the number of syllables (0: not a Korean name, or no other
 * order) and sets *n_sur. For encodings that must meet across spellings. */
size_t kith_names_codes(const struct kith_name *n, int alt, uint16_t codes[KITH_NAMES_MAX_SYL],
			size_t *n_sur);

/* Writes a key for each word (two bytes or more) of the name's folded text
 * ("nguyen", "lan"; Hangul words as written) and returns how many (0 to
 * KITH_NAMES_MAX_KEYS). A query's word keys meet a name that has that word. */
size_t kith_names_word_keys(const struct kith_name *n, uint64_t keys[KITH_NAMES_MAX_KEYS]);

/* The keys that reach every name a query may be part of: its blocking keys,
 * the key of the query read as a given name alone (it meets the given-name
 * key of kith_names_keys: "Myong Sim" reaches 리명심), and its word keys.
 * Returns how many (at most KITH_NAMES_MAX_QKEYS), no key twice. */
size_t kith_names_query_keys(const struct kith_name *q, uint64_t keys[KITH_NAMES_MAX_QKEYS]);

/* A key of the surname alone (North/South forms and spellings folded), 0 when
 * the name has no recognized Korean surname. */
uint64_t kith_names_surname_key(const struct kith_name *n);

/* The surname's share of the South Korean population (2015 census), in [0, 1];
 * 0 when unknown. For the linkage engine's term-frequency adjustment. */
double kith_names_surname_share(const struct kith_name *n);

/* Appends the romanization of a name given in Hangul (surname first) in
 * system `sys` to out. KITH_OK; KITH_E_INVALID (not Hangul, bad UTF-8);
 * KITH_E_LIMIT; KITH_E_NOMEM. On failure out is as it was. */
int kith_names_romanize(const char *utf8, size_t len, enum kith_names_system sys, struct kith_sbuf *out,
			struct kith_err *err) KITH_WUR;

/* One candidate Hangul reading of a romanized name. */
struct kith_names_reading {
	char hangul[64]; /* surname first, no space: "방미선" */
	double score;	 /* in [0, 1], best first */
	int western;	 /* 1 if the input was in Western order (given name first) */
};

/* Reads a romanized name into at most `max` Hangul readings, best first; sets
 * *n. KITH_OK; KITH_E_INVALID; KITH_E_LIMIT. */
int kith_names_read(const char *utf8, size_t len, struct kith_names_reading *out, size_t max, size_t *n,
		    struct kith_err *err) KITH_WUR;

#endif
