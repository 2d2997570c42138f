/*
 * linkcfg — the configuration of a linkage run: which CSV column plays which
 * role, the extra fields to compare (exact, fuzzy or date, with term-frequency
 * adjustment and optional fixed weights), the blocking rules, and the model
 * settings. It is read from a small `key = value` file (docs/linkage.md,
 * "Configuration") that is treated as hostile input: every error names the
 * file and line.
 *
 *   # FEBRL 4
 *   id = rec_id                         # roles: id source name other_names sex
 *   field.given_name = fuzzy            #   birth_year birth_date origin age age_in_year
 *   field.surname = fuzzy tf
 *   field.date_of_birth = date
 *   field.postcode = exact weights=6,-2 # fixed log2 Bayes factors, top level first
 *   ignore = address_2 street_number
 *   block = field:surname               # one rule per line; components are ANDed
 *   block = prefix:given_name:3 year:date_of_birth~1
 *   mode = link                         # dedupe (all pairs) | link (across lists only)
 *   threshold = auto                    # or a probability; review_threshold likewise
 *   guard_threshold = 0.5               # clustering guard (cluster.h)
 *   rivals = auto                       # weight of rival links (link.h); off, or a number
 *   triads = auto                       # kappa of a third record's evidence (triad.h); off, or a number
 *   max_pairs = 50000000
 *
 * Ownership: struct kith_linkcfg is a plain value (no pointers) owned by the
 * caller; nothing in it is allocated.
 */
#ifndef KITH_LINK_LINKCFG_H
#define KITH_LINK_LINKCFG_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KITH_LINKCFG_MAX_FIELDS 12 /* compared fields in all, roles included */
#define KITH_LINKCFG_MAX_RULES 16
#define KITH_LINKCFG_MAX_COMPONENTS 4 /* per blocking rule */
#define KITH_LINKCFG_MAX_LEVELS 8
#define KITH_LINKCFG_MAX_IGNORE 64
#define KITH_LINKCFG_MAX_ROLE_COLUMNS 4
#define KITH_LINKCFG_NAME_MAX 64  /* a column name, with NUL */
#define KITH_LINKCFG_RULE_MAX 256 /* a rule's text, with NUL */
#define KITH_LINKCFG_FILE_MAX (64u * 1024u)
#define KITH_LINKCFG_DEFAULT_THRESHOLD 0.9
#define KITH_LINKCFG_DEFAULT_MAX_PAIRS 50000000ULL
#define KITH_LINKCFG_DEFAULT_U_SAMPLES 1000000ULL
#define KITH_LINKCFG_DEFAULT_TF_MAX 4.0

/* The columns kith recognizes by name (and that `role = COLUMN` can map). */
enum kith_linkcfg_role {
	KITH_ROLE_ID,
	KITH_ROLE_SOURCE,
	KITH_ROLE_NAME,
	KITH_ROLE_OTHER_NAMES,
	KITH_ROLE_SEX,
	KITH_ROLE_BIRTH_YEAR,
	KITH_ROLE_BIRTH_DATE,
	KITH_ROLE_ORIGIN,
	KITH_ROLE_AGE,
	KITH_ROLE_AGE_IN_YEAR,
	KITH_ROLE_COUNT
};

/* The name of a role ("id", "birth_year", ...), static. */
const char *kith_linkcfg_role_name(enum kith_linkcfg_role r);

enum kith_linkcfg_type {
	KITH_LINKCFG_EXACT = 1, /* levels: same, different */
	KITH_LINKCFG_FUZZY = 2, /* levels: exact, >= t1, >= t2, else (Jaro–Winkler of folded text) */
	KITH_LINKCFG_DATE = 3,	/* levels: exact, typo, same year, year +-1, else */
};

/* The number of comparison levels (missing aside) of a declared type. */
int kith_linkcfg_type_levels(enum kith_linkcfg_type t);

struct kith_linkcfg_field {
	char column[KITH_LINKCFG_NAME_MAX];
	enum kith_linkcfg_type type;
	int tf;					 /* term-frequency adjustment of the exact level */
	double levels[2];			 /* fuzzy thresholds t1 > t2; 0: 0.92, 0.80 */
	int n_weights;				 /* 0: estimated; else == levels of the type */
	double weights[KITH_LINKCFG_MAX_LEVELS]; /* fixed log2 Bayes factors, top level first */
};

enum kith_linkcfg_comp_kind {
	KITH_BLOCK_NAME = 1,   /* any names-engine key of any of the names */
	KITH_BLOCK_SURNAME,    /* the surname key */
	KITH_BLOCK_FULLNAME,   /* the names engine's whole-name key of any of the names */
	KITH_BLOCK_BIRTH_YEAR, /* birth year, with an optional window ~W */
	KITH_BLOCK_SEX,
	KITH_BLOCK_ORIGIN,
	KITH_BLOCK_SOURCE,
	KITH_BLOCK_FIELD,  /* field:COL  the folded value of a declared field */
	KITH_BLOCK_PREFIX, /* prefix:COL:N  its first N characters */
	KITH_BLOCK_YEAR,   /* year:COL[~W]  the year of a declared date field */
};

struct kith_linkcfg_comp {
	enum kith_linkcfg_comp_kind kind;
	char column[KITH_LINKCFG_NAME_MAX]; /* FIELD, PREFIX, YEAR */
	int prefix;			    /* PREFIX: 1..16 characters */
	int window;			    /* BIRTH_YEAR, YEAR: 0..10 years */
};

/* A blocking rule: pairs that agree on every component (the year components
 * within their window). No component at all ("all") pairs every record. */
struct kith_linkcfg_rule {
	char text[KITH_LINKCFG_RULE_MAX];
	size_t n_comp;
	struct kith_linkcfg_comp comp[KITH_LINKCFG_MAX_COMPONENTS];
};

enum kith_linkcfg_mode {
	KITH_LINKCFG_DEDUPE = 0, /* every pair of records */
	KITH_LINKCFG_LINK = 1,	 /* only pairs of records from different lists */
};

struct kith_linkcfg {
	/* role -> columns ("" = the column named as the role); several columns of
	 * one role are joined with a space (other_names: each is another name) */
	char roles[KITH_ROLE_COUNT][KITH_LINKCFG_MAX_ROLE_COLUMNS][KITH_LINKCFG_NAME_MAX];
	struct kith_linkcfg_field fields[KITH_LINKCFG_MAX_FIELDS];
	size_t n_fields;
	char ignore[KITH_LINKCFG_MAX_IGNORE][KITH_LINKCFG_NAME_MAX];
	size_t n_ignore;
	struct kith_linkcfg_rule rules[KITH_LINKCFG_MAX_RULES];
	size_t n_rules; /* 0: the default rules (kith_linkcfg_default_rules) */
	enum kith_linkcfg_mode mode;
	double threshold;	 /* match probability for a link; 0 (auto): chosen from the model (link.h) */
	double review_threshold; /* lower bound of the review tier; 0 (auto): chosen from the model */
	double guard_threshold;	 /* clustering guard (cluster.h); 0: 0.5 */
	double rivals;		 /* weight of rival links (link.h); 0: KITH_LINK_RIVALS, < 0: off */
	double triads;	    /* kappa of a third record's evidence (triad.h); 0: KITH_TRIAD_KAPPA, < 0: off */
	uint64_t max_pairs; /* cap on pairs per rule and in all; 0: 50 million */
	uint64_t u_samples; /* random pairs for u; 0: 20 per record, 100,000 to a million */
	uint64_t seed;	    /* sampling seed; 0 is a seed like any other */
	double tf_max;	    /* cap in bits of a term-frequency adjustment; 0: 4 */
	double name_levels[2]; /* name similarity levels (0: the engine's threshold and 0.15 less) */
	/* Training on a sample (large data): with train_records > 0 or training
	 * rules, m and the prior are estimated by EM on the pairs that the
	 * training rules find among a random sample of train_records records
	 * (default KITH_LINKCFG_DEFAULT_TRAIN_RECORDS), and the model then scores
	 * the pairs of the blocking rules over all records. A uniform sample of
	 * records keeps m, u and the prior as they are over all records, so strict
	 * blocking rules (cheap at a million records) need not be the loose rules
	 * that EM needs (docs/linkage.md). */
	uint64_t train_records;
	struct kith_linkcfg_rule train_rules[KITH_LINKCFG_MAX_RULES];
	size_t n_train_rules; /* 0: the default rules */
};

#define KITH_LINKCFG_DEFAULT_TRAIN_RECORDS 50000

/* Sets *c to the defaults (all zero: see the fields). */
void kith_linkcfg_init(struct kith_linkcfg *c);

/*
 * Parses a configuration text data[0..len) named `name` (for errors) into *c,
 * on top of what *c holds (call kith_linkcfg_init first). Returns KITH_OK,
 * KITH_E_INVALID (err->where = "NAME:LINE", the message names the key and
 * what is wrong, never quoting a value that could be a name), KITH_E_LIMIT
 * (file or line too long, too many fields, rules or columns). On failure *c
 * is unchanged.
 */
int kith_linkcfg_parse(struct kith_linkcfg *c, const char *data, size_t len, const char *name,
		       struct kith_err *err) KITH_WUR;

/* Reads and parses a configuration file (at most KITH_LINKCFG_FILE_MAX bytes).
 * Statuses of kith_linkcfg_parse plus KITH_E_NOTFOUND and KITH_E_IO. */
int kith_linkcfg_load(struct kith_linkcfg *c, const char *path, struct kith_err *err) KITH_WUR;

/* Parses one blocking rule ("name birth_year~1", "field:postcode", "all")
 * into *r. KITH_OK or KITH_E_INVALID (message says which component). */
int kith_linkcfg_rule_parse(struct kith_linkcfg_rule *r, const char *text, struct kith_err *err) KITH_WUR;

/* The declared field for CSV column `column` (ASCII case-insensitive), or NULL. */
const struct kith_linkcfg_field *kith_linkcfg_field_find(const struct kith_linkcfg *c, const char *column);

#endif
