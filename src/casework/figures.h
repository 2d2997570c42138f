/*
 * figures — the vault's figures for publication and for the estimate, as one
 * call each, for `kith report --vault`, `kith estimate --vault` and the web
 * page "Figures" (src/web/api.c: POST /api/report, POST /api/estimate).
 *
 * Both calls enforce consent here (report.h, persons.h): only cases whose
 * consent.reporting is true are counted, and the output says how many were
 * left out. The CLI and the web render what these return, and nothing else,
 * so that the same vault and options give the same figures on both.
 *
 * This header exposes no type of the stats area (the web may not use it):
 * results are opaque, read as JSON, text or SVG.
 *
 * Ownership: outputs are the caller's (kith_figures_estimate_free, json_decref,
 * the caller's buffer). Messages carry counts, refs and organization names,
 * never a person's name.
 */
#ifndef KITH_CASEWORK_FIGURES_H
#define KITH_CASEWORK_FIGURES_H

#include <stddef.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"

struct kith_vault;
struct kith_estimate_opts;

/* ---- reports */

struct kith_figures_report_opts {
	const char *by[2]; /* one or two fields (kith_figures_report_fields); unused for ctdc */
	size_t n_by;
	const char *format; /* table, csv, hxl, svg, html, json or ctdc; NULL: table */
	const char *lang;   /* en (NULL) or ko */
	unsigned threshold; /* 0: 11 */
	unsigned k;	    /* ctdc: 0 means 11 */
	const char *title;  /* NULL: "Persons by FIELD" */
};

struct kith_figures_report_info {
	size_t cases;	   /* current cases */
	size_t persons;	   /* counted */
	size_t no_consent; /* cases without reporting consent */
	size_t left_out;   /* persons not counted: no case with reporting consent */
	size_t conflicts;  /* person x field values made unknown: their cases disagree */
	/* ctdc only */
	size_t exported, values_withheld, records_dropped;
	unsigned k;
};

/*
 * Renders the report of the vault's persons in o->format into out.
 * KITH_OK; KITH_E_INVALID (a field, a format, a language, a threshold; no
 * cases), KITH_E_NOMEM, KITH_E_DB. On failure out holds nothing new.
 */
int kith_figures_report(struct kith_vault *v, const struct kith_figures_report_opts *o, struct kith_sbuf *out,
			struct kith_figures_report_info *info, struct kith_err *err) KITH_WUR;

/* The fields a report can count by (NULL-terminated; casework/report.h). */
const char *const *kith_figures_report_fields(void);

/* The file name suffix and MIME type of a format ("csv", "text/csv; charset=utf-8");
 * NULL for an unknown format. */
const char *kith_figures_report_ext(const char *format);
const char *kith_figures_report_mime(const char *format);

/* ---- the estimate */

struct kith_figures_estimate_opts {
	const char *stratify; /* a field of the case, or NULL */
	/* the list mapping as CSV "organization,list" (persons.h), or NULL: derived */
	const char *lists;
	size_t lists_len;
	const char *lists_name; /* names the mapping in errors ("lists.csv") */
	/* the estimate's options (stats/estimate.h), or NULL: defaults with seed 1234 */
	const struct kith_estimate_opts *est;
	/* without est: progress of the estimate (stage "models", "bootstrap" or
	 * "latent classes"), called on the computing thread */
	void (*progress)(void *pctx, const char *stage, size_t done, size_t total);
	void *pctx;
};

struct kith_figures_estimate;

/*
 * Persons and memberships of the vault (persons.h), then the estimate of the
 * total and, with a stratifying field, of each stratum. KITH_OK with *out;
 * errors of kith_persons_listmap_parse, kith_persons_memberships and the
 * estimate of the total (a stratum's failure is kept and said, not fatal).
 */
int kith_figures_estimate_run(struct kith_vault *v, const struct kith_figures_estimate_opts *o,
			      struct kith_figures_estimate **out, struct kith_err *err) KITH_WUR;
void kith_figures_estimate_free(struct kith_figures_estimate *e);

/*
 * The same in two steps, so that a server holds its vault only for the
 * first: prepare reads the vault (persons, memberships, tables; the errors of
 * kith_persons_* above); compute runs the estimates and needs no vault (it
 * may run on another thread; o's strings need not outlive prepare, o->est
 * must outlive compute). After a
 * failed compute, free e.
 */
int kith_figures_estimate_prepare(struct kith_vault *v, const struct kith_figures_estimate_opts *o,
				  struct kith_figures_estimate **out, struct kith_err *err) KITH_WUR;
int kith_figures_estimate_compute(struct kith_figures_estimate *e, struct kith_err *err) KITH_WUR;

/*
 * The result as `kith estimate --vault --json` prints it: without strata the
 * total's result with "counted" (what was counted and left out) inside it;
 * with strata {"total", "strata": [{"stratum", "result"|"error"}], "counted",
 * "coverage"} (coverage by stratum, docs/estimate.md).
 * NULL when out of memory.
 */
json_t *kith_figures_estimate_json(const struct kith_figures_estimate *e);

/* What was counted, the lists and what was left out, in lang (en or ko), as
 * lines of text (the CLI prints them before any figure). */
int kith_figures_estimate_counted_text(const struct kith_figures_estimate *e, const char *lang,
				       struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* The plain-language summary (stats/summary.h) of stratum i (0: the total) in
 * lang; KITH_E_NOTFOUND when that stratum has no estimate. */
int kith_figures_estimate_summary(const struct kith_figures_estimate *e, size_t i, const char *lang,
				  struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* The full text of stratum i as `kith estimate` prints it: the summary in
 * lang, then the table of models. KITH_E_NOTFOUND when it has no estimate. */
int kith_figures_estimate_text(const struct kith_figures_estimate *e, size_t i, const char *lang,
			       struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* Coverage by stratum (with two strata or more; nothing otherwise), in lang
 * (en or ko): for each stratum the people observed over its main model's
 * estimate, the share of its people the lists reached, and the posterior of
 * the latent-class model with the stratifying field as a covariate (stats/
 * lcm.h); whether the lists reached the strata unequally (a ratio of shares
 * of 1.25 or more: capture depends on the field, and the total alone
 * underestimates). The same figures are "coverage" in
 * kith_figures_estimate_json. */
int kith_figures_estimate_coverage(const struct kith_figures_estimate *e, const char *lang,
				   struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

/* The chart of the total's models (SVG with a legend, stats/plot.h). */
int kith_figures_estimate_svg(const struct kith_figures_estimate *e, struct kith_sbuf *out,
			      struct kith_err *err) KITH_WUR;

/* Strata: 1 + the number of strata; the name of stratum i ("total" for 0);
 * why stratum i has no estimate, or NULL. */
size_t kith_figures_estimate_count(const struct kith_figures_estimate *e);
const char *kith_figures_estimate_name(const struct kith_figures_estimate *e, size_t i);
const char *kith_figures_estimate_error(const struct kith_figures_estimate *e, size_t i);

#endif
