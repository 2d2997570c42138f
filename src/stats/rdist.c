/*
 * rdist — exact random variates on xoshiro256** (see rdist.h for the methods
 * and their sources).
 */
#include "stats/rdist.h"

#include <math.h>
#include <string.h>

void kith_rdist_seed(struct kith_rdist *r, uint64_t seed)
{
	kith_prng_seed(&r->p, seed);
	r->inv[0] = 0;
	for (int i = 1; i < 64; i++)
		r->inv[i] = 1.0 / i;
	/* the ziggurat's boxes (Marsaglia & Tsang 2000, their zigset) */
	const double m1 = 2147483648.0, vn = 9.91256303526217e-3;
	double dn = 3.442619855899, tn = dn;
	double q = vn / exp(-0.5 * dn * dn);
	r->kn[0] = (uint32_t)((dn / q) * m1);
	r->kn[1] = 0;
	r->wn[0] = q / m1;
	r->wn[127] = dn / m1;
	r->fn[0] = 1.0;
	r->fn[127] = exp(-0.5 * dn * dn);
	for (int i = 126; i >= 1; i--) {
		dn = sqrt(-2 * log(vn / dn + exp(-0.5 * dn * dn)));
		r->kn[i + 1] = (uint32_t)((dn / tn) * m1);
		tn = dn;
		r->fn[i] = exp(-0.5 * dn * dn);
		r->wn[i] = dn / m1;
	}
}

double kith_rdist_unit(struct kith_rdist *r)
{
	return ((double)(kith_prng_next(&r->p) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double kith_rdist_normal(struct kith_rdist *r)
{
	const double rr = 3.442619855899;
	for (;;) {
		uint64_t u = kith_prng_next(&r->p);
		unsigned iz = (unsigned)(u & 127);
		int32_t hz = (int32_t)(uint32_t)(u >> 32);
		uint32_t ahz = hz < 0 ? (uint32_t)(-(int64_t)hz) : (uint32_t)hz;
		double x = (double)hz * r->wn[iz];
		if (ahz < r->kn[iz])
			return x;
		if (iz == 0) { /* the tail beyond rr */
			double y;
			do {
				x = -log(kith_rdist_unit(r)) / rr;
				y = -log(kith_rdist_unit(r));
			} while (y + y < x * x);
			return hz > 0 ? rr + x : -rr - x;
		}
		if (r->fn[iz] + kith_rdist_unit(r) * (r->fn[iz - 1] - r->fn[iz]) < exp(-0.5 * x * x))
			return x;
	}
}

/* Marsaglia & Tsang for a >= 1 */
static double gamma_mt(struct kith_rdist *r, double a)
{
	double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
	for (;;) {
		double x, v;
		do {
			x = kith_rdist_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		double u = kith_rdist_unit(r), x2 = x * x;
		if (u < 1 - 0.0331 * x2 * x2)
			return d * v;
		if (log(u) < 0.5 * x2 + d * (1 - v + log(v)))
			return d * v;
	}
}

double kith_rdist_gamma(struct kith_rdist *r, double a)
{
	if (a >= 1)
		return gamma_mt(r, a);
	return gamma_mt(r, a + 1) * pow(kith_rdist_unit(r), 1 / a);
}

double kith_rdist_log_gamma(struct kith_rdist *r, double a)
{
	if (a >= 1)
		return log(gamma_mt(r, a));
	return log(gamma_mt(r, a + 1)) + log(kith_rdist_unit(r)) / a;
}

double kith_rdist_beta(struct kith_rdist *r, double a, double b)
{
	if (a == 1 && b == 1)
		return kith_rdist_unit(r);
	double x = kith_rdist_gamma(r, a), y = kith_rdist_gamma(r, b);
	return x / (x + y);
}

/* log k! - Stirling's approximation of it: the remainder of Stirling's series */
static double stirling_rest(double k)
{
	if (k < 10)
		return lgamma(k + 1) - ((k + 0.5) * log(k + 1) - (k + 1) + 0.91893853320467274178);
	double k1 = k + 1, k2 = k1 * k1;
	return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k2) / k2) / k1;
}

/* inversion from 0, p <= 0.5, n p < 10 */
static uint64_t binomial_inv(struct kith_rdist *r, uint64_t n, double p)
{
	double q = 1 - p, s = p / q, a = ((double)n + 1) * s;
	double r0;
	if (n <= 256) { /* q^n by squaring: no libm call for the common small n */
		double b = q;
		r0 = 1;
		for (uint64_t e = n; e; e >>= 1, b *= b)
			if (e & 1)
				r0 *= b;
	} else {
		r0 = exp((double)n * log1p(-p));
	}
	for (;;) {
		double u = kith_rdist_unit(r), f = r0;
		uint64_t x = 0;
		for (;;) {
			if (u <= f)
				return x;
			u -= f;
			x++;
			if (x > n)
				break; /* rounding left mass over: draw again */
			f *= a * (x < 64 ? r->inv[x] : 1.0 / (double)x) - s;
		}
	}
}

/* BTRD, p <= 0.5, n p >= 10 */
static uint64_t binomial_btrd(struct kith_rdist *r, uint64_t n, double p)
{
	double nd = (double)n;
	double m = floor((nd + 1) * p), rr = p / (1 - p), nr = (nd + 1) * rr;
	double npq = nd * p * (1 - p), spq = sqrt(npq);
	double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = nd * p + 0.5;
	double alpha = (2.83 + 5.1 / b) * spq, vr = 0.92 - 4.2 / b, urvr = 0.86 * vr;
	for (;;) {
		double v = kith_rdist_unit(r), u;
		if (v <= urvr) {
			u = v / vr - 0.43;
			return (uint64_t)floor((2 * a / (0.5 - fabs(u)) + b) * u + c);
		}
		if (v >= vr) {
			u = kith_rdist_unit(r) - 0.5;
		} else {
			u = v / vr - 0.93;
			u = (u < 0 ? -0.5 : 0.5) - u;
			v = kith_rdist_unit(r) * vr;
		}
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + c);
		if (k < 0 || k > nd)
			continue;
		v = v * alpha / (a / (us * us) + b);
		double km = fabs(k - m);
		if (km <= 15) {
			double f = 1;
			if (m < k)
				for (double i = m + 1; i <= k; i++)
					f *= nr / i - rr;
			else if (m > k)
				for (double i = k + 1; i <= m; i++)
					v *= nr / i - rr;
			if (v <= f)
				return (uint64_t)k;
			continue;
		}
		v = log(v);
		double rho = (km / npq) * (((km / 3 + 0.625) * km + 1.0 / 6) / npq + 0.5);
		double t = -km * km / (2 * npq);
		if (v < t - rho)
			return (uint64_t)k;
		if (v > t + rho)
			continue;
		double nm = nd - m + 1;
		double h = (m + 0.5) * log((m + 1) / (rr * nm)) + stirling_rest(m) + stirling_rest(nd - m);
		double nk = nd - k + 1;
		if (v <= h + (nd + 1) * log(nm / nk) + (k + 0.5) * log(nk * rr / (k + 1)) - stirling_rest(k) -
			     stirling_rest(nd - k))
			return (uint64_t)k;
	}
}

uint64_t kith_rdist_binomial(struct kith_rdist *r, uint64_t n, double p)
{
	if (n == 0 || !(p > 0))
		return 0;
	if (!(p < 1))
		return n;
	int flip = p > 0.5;
	double pp = flip ? 1 - p : p;
	uint64_t x = (double)n * pp < 10 ? binomial_inv(r, n, pp) : binomial_btrd(r, n, pp);
	return flip ? n - x : x;
}

uint64_t kith_rdist_poisson(struct kith_rdist *r, double mu)
{
	if (!(mu > 0))
		return 0;
	if (mu < 10) {
		double l = exp(-mu), prod = kith_rdist_unit(r);
		uint64_t k = 0;
		while (prod > l) {
			k++;
			prod *= kith_rdist_unit(r);
		}
		return k;
	}
	double slam = sqrt(mu), loglam = log(mu);
	double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
	double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
	for (;;) {
		double u = kith_rdist_unit(r) - 0.5, v = kith_rdist_unit(r);
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + mu + 0.43);
		if (us >= 0.07 && v <= vr)
			return (uint64_t)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -mu + k * loglam - lgamma(k + 1))
			return (uint64_t)k;
	}
}

/* n people one by one over the categories order[from..k-1] (weights summing
 * to about sum), added to out */
static void categorical(struct kith_rdist *r, uint64_t n, const double *w, size_t from, size_t k,
			const unsigned *order, double sum, unsigned *out)
{
	for (uint64_t t = 0; t < n; t++) {
		double u = kith_rdist_unit(r) * sum, acc = 0;
		size_t i = from, c = 0;
		for (; i < k; i++) {
			c = order ? order[i] : i;
			acc += w[c];
			if (u < acc)
				break;
		}
		if (i == k) /* rounding: the last category with weight */
			for (size_t j = k; j-- > from;) {
				c = order ? order[j] : j;
				if (w[c] > 0)
					break;
			}
		out[c]++;
	}
}

void kith_rdist_multinomial(struct kith_rdist *r, uint64_t n, const double *w, size_t k,
			    const unsigned *order, unsigned *out)
{
	memset(out, 0, k * sizeof *out);
	double sum = 0;
	for (size_t i = 0; i < k; i++)
		sum += w[i];
	uint64_t rest = n;
	for (size_t i = 0; i < k && rest; i++) {
		/* a few people left: one by one costs less than the binomials of
		 * the categories left (each an exp and a log at least) */
		if (rest <= 2) {
			categorical(r, rest, w, i, k, order, sum, out);
			return;
		}
		size_t c = order ? order[i] : i;
		if (!(w[c] > 0))
			continue;
		uint64_t x = i + 1 == k || w[c] >= sum ? rest : kith_rdist_binomial(r, rest, w[c] / sum);
		out[c] = (unsigned)x;
		rest -= x;
		sum -= w[c];
	}
	if (rest) { /* rounding left people over: the last category with weight */
		for (size_t j = k; j-- > 0;) {
			size_t c = order ? order[j] : j;
			if (w[c] > 0) {
				out[c] += (unsigned)rest;
				break;
			}
		}
	}
}
