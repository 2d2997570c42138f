/*
 * summary — the plain-language sentences of an estimate (see summary.h).
 */
#include "stats/summary.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* v >= 0, integral, with commas every three digits. */
static void commas(double v, char *buf, size_t size)
{
	char raw[64];
	snprintf(raw, sizeof raw, "%.0f", v);
	size_t n = strlen(raw), o = 0;
	for (size_t i = 0; i < n && o + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
}

double kith_summary_unit(double x)
{
	if (!(x >= 1000) || !isfinite(x))
		return 1;
	return pow(10, floor(log10(x)) - 2);
}

void kith_summary_round(double x, double unit, const char *lang, char *buf, size_t size)
{
	int ko = lang && strcmp(lang, "ko") == 0;
	if (isnan(x) || x < 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (!isfinite(x)) {
		snprintf(buf, size, "%s", ko ? "상한 없음" : "no upper limit");
		return;
	}
	if (!(unit > 0))
		unit = kith_summary_unit(x);
	commas(round(x / unit) * unit, buf, size);
}

const struct kith_estimate_row *kith_estimate_main_row(const struct kith_estimate_result *R)
{
	size_t order[4] = {R->sel_bic, R->sel_stepwise, R->sel_aic, R->sel_lcm};
	for (int i = 0; i < 4; i++)
		if (order[i] != KITH_ESTIMATE_NONE && isfinite(R->rows[order[i]].n_hat))
			return &R->rows[order[i]];
	return NULL;
}

/* "EXH, ABA, OSCE and HRW" / "EXH, ABA, OSCE, HRW" (names as given). */
static int list_names(const struct kith_estimate_result *R, int ko, struct kith_sbuf *out)
{
	int rc = 0;
	for (unsigned j = 0; j < R->k && !rc; j++) {
		const char *sep = j == 0 ? "" : (!ko && j + 1 == R->k) ? " and " : ", ";
		rc = kith_sbuf_addf(out, "%s%s", sep, R->lists[j]);
	}
	return rc;
}

int kith_estimate_summary(const struct kith_estimate_result *R, const char *lang, struct kith_sbuf *out,
			  struct kith_err *err)
{
	if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "ko") != 0)
		return kith_err_set(err, KITH_E_INVALID, NULL, "language must be en or ko");
	int ko = lang && strcmp(lang, "ko") == 0;
	char obs[32], est[32], lo[32], hi[32];
	commas(R->observed, obs, sizeof obs);
	const struct kith_estimate_row *m = kith_estimate_main_row(R);
	int rc = 0;
	double unit = m ? kith_summary_unit(m->n_hat) : 1;
	if (m) {
		kith_summary_round(m->n_hat, unit, lang, est, sizeof est);
		if (isfinite(m->lo)) {
			kith_summary_round(m->lo, unit, lang, lo, sizeof lo);
			kith_summary_round(m->hi, unit, lang, hi, sizeof hi);
			rc = kith_sbuf_addf(out,
					    ko && isfinite(m->hi)
						? "약 %s명 (%s명에서 %s명 사이일 가능성이 높음). "
					    : ko ? "약 %s명 (%s명 이상일 가능성이 높음, %s). "
						 : "About %s people (likely between %s and %s). ",
					    est, lo, hi);
		} else {
			rc = kith_sbuf_addf(out, ko ? "약 %s명. " : "About %s people. ", est);
		}
	} else {
		rc = kith_sbuf_adds(out, ko ? "이 명단들로는 전체 수를 추정할 수 없습니다. "
					    : "These lists do not support an estimate of the total. ");
	}
	if (!rc)
		rc = kith_sbuf_addf(
		    out, ko ? "%s명이 %u개 명단(" : "%s were on at least one of the %u lists of ", obs, R->k);
	if (!rc)
		rc = list_names(R, ko, out);
	if (!rc)
		rc = kith_sbuf_adds(out, ko ? ") 중 적어도 하나에 있었습니다." : ".");
	if (!rc && !isnan(R->range_lo) && m) {
		kith_summary_round(R->range_lo, unit, lang, lo, sizeof lo);
		kith_summary_round(R->range_hi, unit, lang, hi, sizeof hi);
		rc = kith_sbuf_addf(
		    out,
		    ko ? " 자료와 비슷하게 잘 맞는 모형들과 자료가 배제하지 못하는 것을 모두 고려하면 "
			 "%s명에서 %s%s 사이입니다."
		       : " Taking every model that fits the lists about as well, and what the lists "
			 "cannot rule out, the total lies between %s and %s%s.",
		    lo, hi, ko && isfinite(R->range_hi) ? "명" : "");
	}
	if (!rc && R->hetero_run && m) {
		char words[768];
		kith_hetero_words(&R->hetero, ko ? "ko" : "en", words, sizeof words);
		rc = kith_sbuf_addf(out, " %s", words);
	}
	if (!rc)
		rc = kith_sbuf_addc(out, '\n');
	if (rc)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	return KITH_OK;
}
