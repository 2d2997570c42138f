/*
 * dataset — the records of a linkage run, prepared for comparison.
 *
 * Records come from CSV files (kith_dataset_add_csv: columns recognized by
 * name or mapped and declared in a struct kith_linkcfg) or one at a time
 * (kith_dataset_add_record: the vault's cases, tests). Every value is checked
 * and normalized once, on the way in: names are encoded by the names engine
 * (any script) and folded for Jaro–Winkler, sex and province are mapped to
 * the record vocabularies, dates are parsed with their precision, an age
 * given in a year becomes an approximate birth year. After
 * kith_dataset_finish the dataset is read-only and may be shared by threads.
 *
 * The compared fields are, in this order: name (the name and every other
 * name, best pair), sex, birth, origin, then the declared fields in
 * configuration order; a field no record has is dropped. Last, in dedupe mode
 * over records of two lists or more, "list": whether the two records come
 * from one list ("same", the lower level: a list seldom records one person
 * twice) or from two ("other"). A pair's comparison
 * vector packs one level per field in 4 bits (kith_dataset_gamma): 0 is the
 * lowest agreement, n_levels-1 the highest, KITH_DATASET_MISSING when either
 * side lacks the value.
 *
 * Ownership: the dataset owns every string and encoded name (wiped on free);
 * views it returns (ids, field descriptions, source names) are borrowed until
 * kith_dataset_free. Input strings are borrowed for the call only.
 */
#ifndef KITH_LINK_DATASET_H
#define KITH_LINK_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "link/linkcfg.h"

#define KITH_DATASET_MISSING 15u
#define KITH_DATASET_MAX_NAMES 8 /* the name and up to 7 other names */
#define KITH_DATASET_ID_MAX 256	 /* bytes of an id */
#define KITH_DATASET_MAX_RECORDS 50000000u

struct kith_dataset;

enum kith_dataset_kind {
	KITH_DS_NAME,
	KITH_DS_SEX,
	KITH_DS_BIRTH,
	KITH_DS_ORIGIN,
	KITH_DS_EXACT,
	KITH_DS_FUZZY,
	KITH_DS_DATE,
	KITH_DS_LIST, /* the two records' lists (dedupe over two lists or more): same, other */
};

/* A compared field, borrowed from the dataset. */
struct kith_dataset_field {
	const char *name; /* "name", "sex", "birth", "origin", or the declared column */
	enum kith_dataset_kind kind;
	int n_levels;					  /* levels 0 .. n_levels-1, missing aside */
	const char *level_names[KITH_LINKCFG_MAX_LEVELS]; /* by level; [0] is the lowest */
	int tf;	   /* a term-frequency adjustment applies (kith_dataset_tf_bits) */
	int fixed; /* the weights are fixed by the configuration */
	double weights[KITH_LINKCFG_MAX_LEVELS]; /* fixed log2 Bayes factors by level */
	size_t present;				 /* records with a value */
};

/* One record handed in directly (vault cases, tests). Strings are UTF-8,
 * NUL-terminated, NULL or "" when missing. */
struct kith_dataset_input {
	const char *id;				   /* required, unique */
	const char *source;			   /* the list; NULL: "default" */
	const char *names[KITH_DATASET_MAX_NAMES]; /* the name first, then other names */
	size_t n_names;
	const char *sex;			     /* female/male/other/unknown, f/m, 여/남 ... */
	const char *birth;			     /* "YYYY", "YYYY-MM", "YYYY-MM-DD", "YYYYMMDD" */
	int age;				     /* with age_in_year: an approximate birth year */
	int age_in_year;			     /* 0: no age */
	const char *origin;			     /* a province (any spelling) or a place */
	const char *fields[KITH_LINKCFG_MAX_FIELDS]; /* declared fields, in configuration order */
};

/* Creates an empty dataset for `cfg` (copied). KITH_OK, KITH_E_NOMEM. */
int kith_dataset_new(struct kith_dataset **out, const struct kith_linkcfg *cfg,
		     struct kith_err *err) KITH_WUR;

/*
 * Adds every row of a CSV text data[0..len) named `name` (errors say
 * NAME:LINE:COLUMN). The header must have an id column; every other column
 * must be recognized (id, source, name, other_names — ';'-separated —, sex,
 * birth_year, birth_date, origin, age, age_in_year), mapped by a role, declared
 * as a field, or ignored in the configuration; otherwise KITH_E_INVALID names
 * the column. Without a source column the list is `default_source` (NULL:
 * NAME without folders and extension). All or nothing: on failure no row of
 * this file stays in the dataset. Returns KITH_OK, KITH_E_INVALID (bad CSV, a
 * bad value, an id used twice — the message gives the first line —, a missing
 * id), KITH_E_LIMIT (too many records, a value too long), KITH_E_NOMEM.
 */
int kith_dataset_add_csv(struct kith_dataset *ds, const char *data, size_t len, const char *name,
			 const char *default_source, struct kith_err *err) KITH_WUR;

/* Adds one record. Errors as kith_dataset_add_csv with err->where naming the
 * input field ("sex", "birth", "names[1]", "fields[0]", "id"). All or nothing. */
int kith_dataset_add_record(struct kith_dataset *ds, const struct kith_dataset_input *in,
			    struct kith_err *err) KITH_WUR;

/*
 * Freezes the dataset: drops fields no record has, builds term frequencies.
 * A field declared in the configuration that no input had is an error
 * (KITH_E_INVALID naming it). KITH_OK, KITH_E_INVALID (also: no records),
 * KITH_E_NOMEM. After success only the const functions below may be called.
 */
int kith_dataset_finish(struct kith_dataset *ds, struct kith_err *err) KITH_WUR;

/* Frees the dataset and wipes its strings. NULL allowed. */
void kith_dataset_free(struct kith_dataset *ds);

size_t kith_dataset_count(const struct kith_dataset *ds);
const char *kith_dataset_id(const struct kith_dataset *ds, size_t i);
/* Record index of `id`, or -1. */
long kith_dataset_find(const struct kith_dataset *ds, const char *id);
uint32_t kith_dataset_source(const struct kith_dataset *ds, size_t i);
size_t kith_dataset_n_sources(const struct kith_dataset *ds);
const char *kith_dataset_source_name(const struct kith_dataset *ds, uint32_t s);
/* Records of each source (array of kith_dataset_n_sources counts, borrowed). */
const size_t *kith_dataset_source_sizes(const struct kith_dataset *ds);

/* The normalized values of record i, for encoders that need the values
 * themselves (pprl): pointers borrowed until kith_dataset_free. */
struct kith_name;
struct kith_dataset_values {
	const struct kith_name *names[KITH_DATASET_MAX_NAMES]; /* the name first */
	size_t n_names;
	int sex;		    /* 0 missing, 1 female, 2 male, 3 other */
	int birth_year;		    /* 0: missing */
	int birth_month, birth_day; /* 0: not given */
	int birth_approx;	    /* 1: a year computed from an age */
	const char *origin;	    /* province id, or the folded place; NULL: missing (not terminated) */
	size_t origin_len;
	int origin_province; /* 1: origin is a province id */
};
void kith_dataset_values(const struct kith_dataset *ds, size_t i, struct kith_dataset_values *out);

/* The compared fields (after finish); *n is set. */
const struct kith_dataset_field *kith_dataset_fields(const struct kith_dataset *ds, size_t *n);

/* The level of field f in packed comparison vector g. */
static inline unsigned kith_dataset_level(uint64_t g, size_t f)
{
	return (unsigned)(g >> (4 * f)) & 15u;
}

/* The comparison vector of records a and b. Thread-safe after finish. */
uint64_t kith_dataset_gamma(const struct kith_dataset *ds, size_t a, size_t b);

/*
 * The term-frequency adjustment in bits (log2) of field f for the pair
 * (a, b) whose comparison vector is g: nonzero only for a tf field at an
 * agreeing level (name: similar or exact with the same surname; exact or fuzzy
 * fields: exact), log2(mean share / share of the value), clamped to
 * ±cfg.tf_max. Korean surnames use the census shares of the names engine;
 * other values their frequency in the dataset.
 */
double kith_dataset_tf_bits(const struct kith_dataset *ds, size_t a, size_t b, uint64_t g, size_t f);

/* A readable similarity of field f for the pair (for explanations; never a
 * value): "0.934", "1985 vs 1986", "same", "missing". */
void kith_dataset_describe(const struct kith_dataset *ds, size_t a, size_t b, size_t f, char *out,
			   size_t outsz);

/* A name's blocking key with this bit set is a late key (the letter skeletons', many per name and
 * shared by every namesake), the others have it clear: a rule keeps the bit in its combined keys, so
 * that late keys sort after the others and a pair that shares an ordinary key is found through it. */
#define KITH_DATASET_KEY_LATE (1ULL << 63)

/*
 * Blocking values of record i for one rule component: writes up to `max`
 * nonzero 64-bit keys and returns how many (0: the record lacks the value).
 * For the year components, keys[0] is the year itself. Names give every key of
 * every name (deduplicated; KITH_DATASET_KEY_LATE set on the skeletons' keys
 * only). A component naming a column that is not a
 * declared field of the right type returns KITH_E_INVALID (checked by
 * kith_dataset_check_rule first).
 */
size_t kith_dataset_block_values(const struct kith_dataset *ds, size_t i, const struct kith_linkcfg_comp *c,
				 uint64_t *keys, size_t max);

/* Checks that a rule's components exist in this dataset: KITH_OK or
 * KITH_E_INVALID with a message naming the rule and component. */
int kith_dataset_check_rule(const struct kith_dataset *ds, const struct kith_linkcfg_rule *r,
			    struct kith_err *err) KITH_WUR;

/* Whether the dataset has values for role-based field `kind` (after finish). */
int kith_dataset_has(const struct kith_dataset *ds, enum kith_dataset_kind kind);

/* The configuration the dataset was made with (borrowed). */
const struct kith_linkcfg *kith_dataset_config(const struct kith_dataset *ds);

/* Bytes held (for the memory report). */
size_t kith_dataset_bytes(const struct kith_dataset *ds);

#endif
