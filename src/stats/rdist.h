/*
 * rdist — random variates for the samplers of the stats area (the latent-
 * class Gibbs sampler, simulations), drawn from base/prng's xoshiro256**.
 *
 * GSL's generators reach their bits through a function pointer per draw and
 * its binomial (BTPE, inversion with pow) dominated the latent-class sampler's
 * profile; these are the standard exact methods, written for that use:
 *   - normal: Marsaglia & Tsang's ziggurat (2000, J. Stat. Softw. 5(8)), 128
 *     boxes, its tables computed at seeding, the box index and the value from
 *     separate bits of one 64-bit draw;
 *   - gamma: Marsaglia & Tsang (2000) for shape >= 1, and
 *     Gamma(a) = Gamma(a + 1) U^(1/a) below 1 (its log for tiny shapes);
 *   - beta: from two gammas (Beta(1, 1) is a uniform);
 *   - binomial: inversion from 0 while n min(p, 1-p) < 10, else Hormann's
 *     BTRD (1993, "The generation of binomial random variates", J. Stat.
 *     Comput. Simul. 46) with its Stirling-series acceptance test;
 *   - Poisson: multiplication below a mean of 10, else Hormann's PTRS
 *     (1993, Insurance: Math. Econ. 12);
 *   - multinomial: conditional binomials, stopping when nobody is left.
 * Each is exact (no table or approximation of the distribution). The state is
 * plain data: one per thread, copied freely; the same seed gives the same
 * draws on every platform that has the same libm.
 */
#ifndef KITH_STATS_RDIST_H
#define KITH_STATS_RDIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/prng.h"

struct kith_rdist {
	struct kith_prng p;
	/* the ziggurat's tables */
	uint32_t kn[128];
	double wn[128], fn[128];
	double inv[64]; /* 1 / i: the binomial inversion's steps without a division */
};

void kith_rdist_seed(struct kith_rdist *r, uint64_t seed);

/* Uniform in (0, 1): never 0 or 1. */
double kith_rdist_unit(struct kith_rdist *r);
/* Standard normal. */
double kith_rdist_normal(struct kith_rdist *r);
/* Gamma(a, 1), a > 0. */
double kith_rdist_gamma(struct kith_rdist *r, double a);
/* log of a Gamma(a, 1) draw, finite even when the draw underflows (a tiny). */
double kith_rdist_log_gamma(struct kith_rdist *r, double a);
/* Beta(a, b), a, b > 0. */
double kith_rdist_beta(struct kith_rdist *r, double a, double b);
/* Binomial(n, p); p outside (0, 1) gives 0 or n. */
uint64_t kith_rdist_binomial(struct kith_rdist *r, uint64_t n, double p);
/* Poisson(mu), 0 <= mu < 2^62. */
uint64_t kith_rdist_poisson(struct kith_rdist *r, double mu);
/*
 * Multinomial(n, w / sum(w)) over k categories into out (k counts); w >= 0
 * with a positive sum. The categories are visited in the order of `order`
 * (k indices, or NULL for 0..k-1): put the likeliest first and the draw
 * stops sooner.
 */
void kith_rdist_multinomial(struct kith_rdist *r, uint64_t n, const double *w, size_t k,
			    const unsigned *order, unsigned *out);

#endif
