/* bench_hetero — the plausible range of `kith estimate` on populations with
 * individual capture heterogeneity (issue 15): N = 3,000, four lists with base
 * probabilities 0.10, 0.15, 0.20, 0.25, each person's probabilities multiplied
 * by a factor drawn uniformly from [0.4, 1.6] (src/stats/sim.h). For every
 * seed: the whole panel as `kith estimate --no-boot` runs it (latent classes
 * with the default chains), whether the true N lies in the sensitivity range
 * (defensible point estimates), in the latent-class 95% interval and in the
 * plausible range, and the range's width against the truth.
 *
 *   bench_hetero [SEEDS [FIRST]]     default 20 seeds from 1
 *
 * With --covariate: two strata besides (each person in one at random) whose
 * capture is multiplied by M1 and M2 (default 1.5 and 0.5), a covariate that
 * drives capture; the panel of the pooled table with the latent-class model
 * with the covariate (stats/lcm.h) beside the pooled latent-class model:
 * how often each 95% interval holds the true total, and their widths.
 *
 *   bench_hetero --covariate [SEEDS [FIRST [M1 M2]]]   default 20 seeds from 101
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stats/estimate.h"
#include "stats/sim.h"

static int covariate(int argc, char **argv)
{
	int seeds = argc > 0 ? atoi(argv[0]) : 20, first = argc > 1 ? atoi(argv[1]) : 101;
	double mult[2] = {argc > 3 ? atof(argv[2]) : 1.5, argc > 3 ? atof(argv[3]) : 0.5};
	int in_cov = 0, in_lcm = 0, in_range = 0, n = 0;
	double w_cov = 0, w_lcm = 0, w_range = 0;
	printf("strata multiplied by %.2f and %.2f\n%5s %6s %19s %19s %17s\n", mult[0], mult[1], "seed",
	       "seen", "LCM by covariate", "LCM pooled", "plausible range");
	for (int s = first; s < first + seeds; s++) {
		struct kith_stats_sim_opts so = {.seed = (uint64_t)s};
		struct kith_stats_table *t[2] = {NULL, NULL}, *all = NULL;
		size_t unseen[2];
		struct kith_err e;
		if (kith_stats_sim_strata(&so, 2, mult, t, unseen, &e) || !t[0] || !t[1]) {
			fprintf(stderr, "bench_hetero: %s\n", e.msg);
			return 1;
		}
		double c[16] = {0};
		for (int q = 0; q < 2; q++)
			for (int i = 1; i < 16; i++)
				c[i] += kith_stats_table_counts(t[q])[i];
		if (kith_stats_table_new(&all, 4, NULL, c, &e))
			return 1;
		double N = kith_stats_table_observed(all) + (double)(unseen[0] + unseen[1]);
		const char *names[2] = {"high", "low"};
		struct kith_estimate_opts eo = {.seed = 1,
						.no_boot = 1,
						.strata = (const struct kith_stats_table *const *)t,
						.strata_names = names,
						.n_strata = 2,
						.covariate = "stratum"};
		struct kith_estimate_result *R = NULL;
		if (kith_estimate_run(all, &eo, &R, &e)) {
			fprintf(stderr, "bench_hetero: %s\n", e.msg);
			return 1;
		}
		const struct kith_estimate_row *cv =
		    R->sel_lcm_cov != KITH_ESTIMATE_NONE ? &R->rows[R->sel_lcm_cov] : NULL;
		const struct kith_estimate_row *lc =
		    R->sel_lcm != KITH_ESTIMATE_NONE ? &R->rows[R->sel_lcm] : NULL;
		int a = cv && cv->lo <= N && N <= cv->hi, b = lc && lc->lo <= N && N <= lc->hi;
		int r = R->range_lo <= N && N <= R->range_hi;
		in_cov += a;
		in_lcm += b;
		in_range += r;
		n++;
		w_cov += cv ? (cv->hi - cv->lo) / N : NAN;
		w_lcm += lc ? (lc->hi - lc->lo) / N : NAN;
		w_range += (R->range_hi - R->range_lo) / N;
		printf("%5d %6.0f %5.0f (%5.0f,%5.0f)%s %5.0f (%5.0f,%5.0f)%s (%6.0f,%6.0f)%s\n", s,
		       kith_stats_table_observed(all), cv ? cv->n_hat : NAN, cv ? cv->lo : NAN,
		       cv ? cv->hi : NAN, a ? " " : "*", lc ? lc->n_hat : NAN, lc ? lc->lo : NAN,
		       lc ? lc->hi : NAN, b ? " " : "*", R->range_lo, R->range_hi, r ? " " : "*");
		kith_estimate_free(R);
		kith_stats_table_free(all);
		kith_stats_table_free(t[0]);
		kith_stats_table_free(t[1]);
	}
	printf("true N inside the 95%% interval: latent classes with the covariate %d/%d, pooled latent "
	       "classes (the peer) %d/%d; the plausible range %d/%d\n",
	       in_cov, n, in_lcm, n, in_range, n);
	printf("mean width / truth: with the covariate %.1f%%, pooled %.1f%% (%.2fx), plausible range "
	       "%.1f%%\n",
	       100 * w_cov / n, 100 * w_lcm / n, w_cov / w_lcm, 100 * w_range / n);
	return 0;
}

int main(int argc, char **argv)
{
	if (kith_process_init())
		return 3;
	if (argc > 1 && !strcmp(argv[1], "--covariate"))
		return covariate(argc - 2, argv + 2);
	int seeds = argc > 1 ? atoi(argv[1]) : 20, first = argc > 2 ? atoi(argv[2]) : 1;
	int in_sens = 0, in_lcm = 0, in_range = 0, shown = 0, cannot = 0, small = 0;
	double w_range = 0, w_sens = 0, w_lcm = 0, worst_hi = HUGE_VAL, worst_lo = HUGE_VAL;
	printf("%5s %6s %7s %7s %17s %17s %17s %6s %s\n", "seed", "seen", "Mt", "LCM", "LCM 95%",
	       "sensitivity", "plausible range", "width", "heterogeneity");
	for (int s = first; s < first + seeds; s++) {
		struct kith_stats_sim_opts so = {.seed = (uint64_t)s};
		struct kith_stats_table *t = NULL;
		size_t unseen = 0;
		struct kith_err e;
		if (kith_stats_sim_het(&so, &t, &unseen, &e)) {
			fprintf(stderr, "bench_hetero: %s\n", e.msg);
			return 1;
		}
		double N = kith_stats_table_observed(t) + (double)unseen;
		struct kith_estimate_opts eo = {.seed = 1, .no_boot = 1};
		struct kith_estimate_result *R = NULL;
		if (kith_estimate_run(t, &eo, &R, &e)) {
			fprintf(stderr, "bench_hetero: %s\n", e.msg);
			return 1;
		}
		double mt = NAN;
		for (size_t i = 0; i < R->n_rows; i++)
			if (strcmp(R->rows[i].name, "Mt") == 0)
				mt = R->rows[i].n_hat;
		const struct kith_estimate_row *lcm = &R->rows[R->sel_lcm];
		double slo = R->rows[R->lowest].n_hat, shi = R->rows[R->highest].n_hat;
		in_sens += slo <= N && N <= shi;
		in_lcm += lcm->lo <= N && N <= lcm->hi;
		int ok = R->range_lo <= N && N <= R->range_hi;
		in_range += ok;
		w_range += (R->range_hi - R->range_lo) / N;
		w_sens += (shi - slo) / N;
		w_lcm += (lcm->hi - lcm->lo) / N;
		worst_hi = fmin(worst_hi, R->range_hi / N);
		worst_lo = fmin(worst_lo, N / R->range_lo);
		shown += R->hetero.verdict == KITH_HETERO_SHOWN;
		cannot += R->hetero.verdict == KITH_HETERO_CANNOT_TELL;
		small += R->hetero.verdict == KITH_HETERO_SMALL;
		static const char *vw[] = {"shown", "cannot tell", "small"};
		printf("%5d %6.0f %7.0f %7.0f (%6.0f, %6.0f) (%6.0f, %6.0f) (%6.0f, %6.0f) %5.1f%% %s%s\n", s,
		       R->observed, mt, lcm->n_hat, lcm->lo, lcm->hi, slo, shi, R->range_lo, R->range_hi,
		       100 * (R->range_hi - R->range_lo) / N, vw[R->hetero.verdict], ok ? "" : "  MISSED");
		kith_estimate_free(R);
		kith_stats_table_free(t);
	}
	printf("\ntrue N inside: plausible range %d/%d, sensitivity range %d/%d, latent-class 95%% interval "
	       "%d/%d\n",
	       in_range, seeds, in_sens, seeds, in_lcm, seeds);
	printf("mean width / truth: plausible range %.1f%% (%.2fx the latent-class interval's %.1f%%, "
	       "%.2fx the sensitivity range's %.1f%%)\n",
	       100 * w_range / seeds, w_range / w_lcm, 100 * w_lcm / seeds, w_range / w_sens,
	       100 * w_sens / seeds);
	printf("closest margins: upper end %.3f x truth, truth %.3f x lower end\n", worst_hi, worst_lo);
	printf("verdicts: shown %d, cannot tell %d, small %d\n", shown, cannot, small);
	return in_range == seeds ? 0 : 2;
}
