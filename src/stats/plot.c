/*
 * plot — SVG forest plot of population estimates (see plot.h).
 */
#include "stats/plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ROW_H 22
#define LABEL_W 230
#define PLOT_W 520
#define VALUE_W 190
#define TOP 56
#define BOTTOM 48

struct axis {
	double lo, hi;
	int logscale;
};

static double xpos(const struct axis *a, double v)
{
	double f;
	if (a->logscale)
		f = (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	else
		f = (v - a->lo) / (a->hi - a->lo);
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return LABEL_W + f * PLOT_W;
}

/* A readable number: 1234.5 -> "1,234.5"-like, without locale. */
static void fmt_num(double v, char *buf, size_t sz)
{
	if (!isfinite(v)) {
		snprintf(buf, sz, v > 0 ? "unbounded" : "-");
		return;
	}
	if (fabs(v) >= 1e7)
		snprintf(buf, sz, "%.3g", v);
	else if (fabs(v) >= 1000)
		snprintf(buf, sz, "%.0f", v);
	else
		snprintf(buf, sz, "%.1f", v);
}

int kith_plot_svg(struct kith_sbuf *out, const struct kith_plot_row *rows, size_t n, const char *title,
		  double observed, struct kith_err *err)
{
	if (n == 0 || n > 10000)
		return kith_err_set(err, KITH_E_INVALID, NULL, "%zu rows to plot; 1 to 10000 are allowed", n);
	double mn = HUGE_VAL, mx = 0;
	for (size_t i = 0; i < n; i++) {
		const struct kith_plot_row *r = &rows[i];
		double v[3] = {r->n_hat, r->lo, r->hi};
		for (int j = 0; j < 3; j++)
			if (isfinite(v[j]) && v[j] > 0) {
				mn = fmin(mn, v[j]);
				mx = fmax(mx, v[j]);
			}
	}
	if (observed > 0) {
		mn = fmin(mn, observed);
		mx = fmax(mx, observed);
	}
	struct axis ax = {0, 1, 0};
	if (mx > 0 && isfinite(mn)) {
		ax.logscale = mx / mn > 10;
		if (ax.logscale) {
			ax.lo = pow(10, floor(log10(mn)));
			ax.hi = pow(10, ceil(log10(mx)));
		} else {
			double span = mx - mn;
			if (span <= 0)
				span = fmax(mx * 0.1, 1);
			ax.lo = fmax(0, mn - 0.05 * span);
			ax.hi = mx + 0.05 * span;
		}
	}
	size_t width = LABEL_W + PLOT_W + VALUE_W, height = TOP + n * ROW_H + BOTTOM;
	int rc = kith_sbuf_addf(out,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" height=\"%zu\" "
				"viewBox=\"0 0 %zu %zu\" font-family=\"sans-serif\" font-size=\"12\">\n"
				"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
				"<text x=\"12\" y=\"24\" font-size=\"15\" font-weight=\"bold\">",
				width, height, width, height);
	if (!rc)
		rc = kith_sbuf_add_html(out, title ? title : "population estimates");
	if (!rc)
		rc = kith_sbuf_addf(out,
				    "</text>\n<text x=\"12\" y=\"42\" fill=\"#555555\">%s axis; bars are "
				    "intervals; an arrow marks an unbounded upper limit</text>\n",
				    ax.logscale ? "logarithmic" : "linear");
	/* grid and ticks */
	double ticks[64];
	int nt = 0;
	if (ax.logscale) {
		for (double v = ax.lo; v <= ax.hi * 1.0001 && nt < 64; v *= 10)
			ticks[nt++] = v;
	} else {
		double span = ax.hi - ax.lo, step = pow(10, floor(log10(span / 5)));
		if (span / step > 10)
			step *= 2;
		if (span / step > 10)
			step *= 2.5;
		for (double v = ceil(ax.lo / step) * step; v <= ax.hi && nt < 64; v += step)
			ticks[nt++] = v;
	}
	double y0 = TOP - 6, y1 = TOP + (double)n * ROW_H;
	for (int i = 0; i < nt && !rc; i++) {
		char b[32];
		fmt_num(ticks[i], b, sizeof b);
		double x = xpos(&ax, ticks[i]);
		rc = kith_sbuf_addf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n"
		    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555555\">%s</text>\n",
		    x, y0, x, y1, x, y1 + 16, b);
	}
	if (!rc && observed > 0) {
		double x = xpos(&ax, observed);
		char b[32];
		fmt_num(observed, b, sizeof b);
		rc = kith_sbuf_addf(
		    out,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999999\" "
		    "stroke-dasharray=\"4 3\"/>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		    "fill=\"#555555\">observed %s</text>\n",
		    x, y0, x, y1, x, y1 + 32, b);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const struct kith_plot_row *r = &rows[i];
		double y = TOP + (double)i * ROW_H + ROW_H / 2.0;
		const char *col = r->highlight ? "#b5401d" : "#1f4e79";
		if (i % 2 == 0)
			rc = kith_sbuf_addf(
			    out, "<rect x=\"0\" y=\"%.1f\" width=\"%zu\" height=\"%d\" fill=\"#f6f6f6\"/>\n",
			    y - ROW_H / 2.0, width, ROW_H);
		if (!rc)
			rc = kith_sbuf_addf(out, "<text x=\"12\" y=\"%.1f\"%s>", y + 4,
					    r->highlight ? " font-weight=\"bold\"" : "");
		if (!rc)
			rc = kith_sbuf_add_html(out, r->label ? r->label : "");
		if (!rc)
			rc = kith_sbuf_adds(out, "</text>\n");
		if (rc)
			break;
		if (!isfinite(r->n_hat)) {
			rc = kith_sbuf_addf(out, "<text x=\"%d\" y=\"%.1f\" fill=\"#888888\">", LABEL_W + 4,
					    y + 4);
			if (!rc)
				rc = kith_sbuf_add_html(out, r->status ? r->status : "no estimate");
			if (!rc)
				rc = kith_sbuf_adds(out, "</text>\n");
			continue;
		}
		if (isfinite(r->lo)) {
			double xl = xpos(&ax, r->lo);
			double xh = isfinite(r->hi) ? xpos(&ax, r->hi) : LABEL_W + PLOT_W;
			rc = kith_sbuf_addf(
			    out,
			    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			    "stroke-width=\"2\"/>\n",
			    xl, y, xh, y, col);
			if (!rc && !isfinite(r->hi))
				rc = kith_sbuf_addf(out, "<path d=\"M%.1f %.1f l-7 -4 v8 z\" fill=\"%s\"/>\n",
						    xh, y, col);
		}
		if (!rc)
			rc = kith_sbuf_addf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
					    xpos(&ax, r->n_hat), y, col);
		char a[32], b[32], c[32];
		fmt_num(r->n_hat, a, sizeof a);
		fmt_num(r->lo, b, sizeof b);
		fmt_num(r->hi, c, sizeof c);
		if (!rc) {
			if (isfinite(r->lo))
				rc = kith_sbuf_addf(out, "<text x=\"%d\" y=\"%.1f\">%s (%s, %s)</text>\n",
						    LABEL_W + PLOT_W + 10, y + 4, a, b, c);
			else
				rc = kith_sbuf_addf(out, "<text x=\"%d\" y=\"%.1f\">%s</text>\n",
						    LABEL_W + PLOT_W + 10, y + 4, a);
		}
	}
	if (!rc)
		rc = kith_sbuf_adds(out, "</svg>\n");
	if (rc)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	return KITH_OK;
}
