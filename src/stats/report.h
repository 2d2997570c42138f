/*
 * report — counts and cross-tables of persons for publication, with
 * disclosure control, and their renderings: a readable table, CSV,
 * HXL-tagged CSV, a CTDC record-level export, an SVG chart and a printable
 * HTML page, in English or Korean.
 *
 * Input is generic: one row per person (after record linkage, so that a
 * person counts once), one value per field; the caller (the casework layer)
 * has already left out the persons without reporting consent and says how
 * many (left_out), which every rendering reports. A value may list several
 * categories separated by ';' (needs, means of control); such a field
 * counts a person once in each of their categories, so its table is not
 * additive: its total is the number of persons, not the sum of the cells,
 * and only primary suppression applies (subtraction reveals nothing there).
 * An empty or NULL value is "unknown", a category of its own, shown last.
 * Fields and categories kith knows (sex, age_band, origin, year, org, needs,
 * status, ...) are shown under their English or Korean names; others as
 * given.
 *
 * Disclosure control (disclosure.h): counts from 1 to threshold - 1 are
 * withheld (default 11, as the CTDC's k = 11), with secondary suppression on
 * additive tables so that no withheld cell can be recovered from the totals;
 * the renderings mark withheld cells ("x" in text, empty in CSV and HXL, a
 * note) and say what was withheld and why. The CTDC export is record-level
 * and k-anonymous on its quasi-identifiers (kith_disc_kanon).
 *
 * HXL (Humanitarian Exchange Language 1.1): a header row of names, then a
 * row of hashtags: the first field's column gets the hashtag of its field
 * (sex and age bands become attributes of the count columns instead:
 * +f/+m/+i, +children/+adults and +age_A_B as the HXL dictionary suggests;
 * origin or province #adm1+name, organization #org+name, country
 * #country+name, year #date, status #status; any other field #x_<field>, an
 * extension tag as HXL allows); the count columns are #affected with the
 * second field's category as attributes, and +total for the total.
 *
 * Ownership: a struct kith_report is opaque and owns copies of every label;
 * free it with kith_report_free. Renderers append to a caller's buffer.
 */
#ifndef KITH_STATS_REPORT_H
#define KITH_STATS_REPORT_H

#include <stddef.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "stats/disclosure.h"

#define KITH_REPORT_MAX_CATEGORIES 200u

struct kith_report_data {
	size_t n_persons, n_fields;
	const char *const *field_names; /* n_fields, borrowed */
	const char *const *values;	/* n_persons * n_fields, row by row; NULL or "" is unknown */
	size_t left_out;		/* persons not counted (no reporting consent) */
	int consent_checked;		/* nonzero: the persons were filtered on reporting consent */
};

struct kith_report_opts {
	const char *by[2]; /* one or two field names */
	size_t n_by;
	unsigned threshold; /* 0 means 11; 1 means no suppression (never for publication) */
	const char *lang;   /* "en" (default) or "ko" */
	const char *title;  /* NULL means "Persons by FIELD" */
	const char *source; /* a line naming who produced it, or NULL */
};

enum kith_report_format {
	KITH_REPORT_TABLE = 0,
	KITH_REPORT_CSV,
	KITH_REPORT_HXL,
	KITH_REPORT_SVG,
	KITH_REPORT_HTML,
	KITH_REPORT_JSON,
};

struct kith_report;

/*
 * Counts d by the fields of o. Errors: KITH_E_INVALID (no such field, more
 * than two fields, the same field twice, more than 200 categories in a
 * field, a bad threshold or language), KITH_E_NOMEM, KITH_E_INTERNAL. *out
 * is set only on success.
 */
int kith_report_build(const struct kith_report_data *d, const struct kith_report_opts *o,
		      struct kith_report **out, struct kith_err *err) KITH_WUR;
void kith_report_free(struct kith_report *r);

/* Appends the rendering to out. KITH_OK, KITH_E_INVALID (a format), KITH_E_NOMEM. */
int kith_report_render(const struct kith_report *r, enum kith_report_format fmt, struct kith_sbuf *out,
		       struct kith_err *err) KITH_WUR;

/* "table", "csv", "hxl", "svg", "html", "json" (and "ctdc", which is not a
 * table rendering: -2) to a format; -1 when unknown. */
int kith_report_format_parse(const char *s);

/* Numbers of the built table (for the web page and tests). */
struct kith_report_counts {
	size_t rows, cols; /* categories of the first and second field (cols 1 with one field) */
	size_t persons;	   /* counted */
	size_t left_out;
	int additive; /* 0 when a field is multi-valued */
	struct kith_disc_summary withheld;
};
void kith_report_counts(const struct kith_report *r, struct kith_report_counts *c);
/* Category labels (borrowed), a cell's count and state (enum kith_disc_state). */
const char *kith_report_row_label(const struct kith_report *r, size_t i);
const char *kith_report_col_label(const struct kith_report *r, size_t j);
double kith_report_cell(const struct kith_report *r, size_t i, size_t j, int *state);

/*
 * The CTDC export: one row per person with the columns of the CTDC Global
 * K-anonymized Dataset (docs/report.md lists them; a test checks them against
 * tests/data/ctdc_global_kanon_columns.txt), from the fields kith knows
 * (year, org, sex, age_band, citizenship, country_of_exploitation,
 * means_of_control, exploitation, labour, sexual_exploitation,
 * recruiter_relation, abduction), unknown values empty, k-anonymous (k 0
 * means 11) on yearOfRegistration, gender, ageBroad, citizenship and
 * CountryOfExploitation: starred values are published empty, records in
 * groups smaller than k are left out. *sum says how many.
 * KITH_OK, KITH_E_INVALID, KITH_E_NOMEM.
 */
int kith_report_ctdc(const struct kith_report_data *d, unsigned k, struct kith_sbuf *out,
		     struct kith_disc_kanon_summary *sum, struct kith_err *err) KITH_WUR;

/*
 * A CSV of persons read into a struct kith_report_data: a header of field
 * names, one row per person (hostile input: core/csv.h's checks and caps, at
 * most 10^7 rows and 1,024 fields; errors as NAME:LINE:COLUMN). *out owns
 * every string; free it with kith_report_table_free. KITH_OK,
 * KITH_E_INVALID, KITH_E_LIMIT, KITH_E_NOMEM.
 */
struct kith_report_table {
	struct kith_report_data d;
	char **names, **values;
};
int kith_report_table_parse(struct kith_report_table *out, const char *data, size_t len, const char *name,
			    struct kith_err *err) KITH_WUR;
void kith_report_table_free(struct kith_report_table *t);

/* The CTDC columns in order, and their number. */
const char *const *kith_report_ctdc_columns(size_t *n);

#endif
