/*
 * summary — the estimate for a reader: a few plain sentences, in English or
 * Korean, before any table. "About 10,400 people (likely between 9,000 and
 * 12,100); 4,400 were on at least one of the lists of EXH, ABA, OSCE and
 * HRW." Then how far the models that fit the lists about as well disagree,
 * the plausible range, and what the lists say about people who are harder to
 * reach than others (hetero.h).
 *
 * Rounding: every estimate and limit of a sentence to the same unit, that of
 * the main estimate's third significant digit (10356.5 with 8994.3 and
 * 12110.4 read "10,400", "9,000" and "12,100"), counts of people observed
 * exactly, thousands separated by commas in both languages.
 *
 * The main figure is the BIC choice; when it has no number, the stepwise,
 * the AIC or the latent-class estimate, in that order.
 *
 * Ownership: reads the result; appends to a caller's buffer.
 */
#ifndef KITH_STATS_SUMMARY_H
#define KITH_STATS_SUMMARY_H

#include <stddef.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "stats/estimate.h"

/*
 * Appends the summary of r in lang ("en" or "ko"; NULL means "en") to out,
 * ending with a newline. Returns KITH_OK, KITH_E_INVALID (another language),
 * KITH_E_NOMEM.
 */
int kith_estimate_summary(const struct kith_estimate_result *r, const char *lang, struct kith_sbuf *out,
			  struct kith_err *err) KITH_WUR;

/* The row of the main figure (the BIC choice, else stepwise, AIC, latent
 * classes), or NULL when none has a number. Borrowed from r. */
const struct kith_estimate_row *kith_estimate_main_row(const struct kith_estimate_result *r);

/* x rounded to a multiple of unit (0 means: to three significant digits of x),
 * with thousands separators, into buf ("10,400"; "-" for NaN; "no upper
 * limit" / "상한 없음" for +inf). */
void kith_summary_round(double x, double unit, const char *lang, char *buf, size_t size);

/* The unit of three significant digits of x (1 below 1,000). */
double kith_summary_unit(double x);

#endif
