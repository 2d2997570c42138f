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
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/estimate.h"
#include "stats/sim.h"

int main(int argc, char **argv)
{
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
