/*
 * plot — a self-contained SVG chart of a panel of population estimates: one
 * row per model, its point estimate and interval, the observed total as a
 * reference line, a logarithmic axis when the estimates span more than a
 * factor of ten. Rows without an estimate (no MLE, not identifiable) are
 * listed with their status instead of a number. The SVG uses no scripts,
 * fonts or external references (it can be served under kith's strict
 * Content-Security-Policy) and escapes every label.
 *
 * Ownership: rows and labels are borrowed for the call; the SVG is appended
 * to the caller's buffer.
 */
#ifndef KITH_STATS_PLOT_H
#define KITH_STATS_PLOT_H

#include <stddef.h>

#include "base/sbuf.h"
#include "base/status.h"

struct kith_plot_row {
	const char *label;  /* model name */
	const char *status; /* shown instead of an estimate when n_hat is NaN */
	double n_hat;	    /* NaN: no estimate */
	double lo, hi;	    /* NaN: no interval; hi may be +inf (an open interval) */
	int highlight;	    /* a selected model: drawn in the accent colour */
};

/*
 * Appends an SVG document to out. title is shown at the top (borrowed,
 * escaped); observed (> 0) draws the reference line. Returns KITH_OK,
 * KITH_E_INVALID (no rows, more than 10000 rows), KITH_E_NOMEM.
 */
int kith_plot_svg(struct kith_sbuf *out, const struct kith_plot_row *rows, size_t n, const char *title,
		  double observed, struct kith_err *err) KITH_WUR;

#endif
