/*
 * unseen — the splits no linkage could see, undone in expectation for a
 * given rate (unseen.h has the model).
 *
 * For a true person of lists S (|S| >= 2), the records kept together are a
 * set T of S with probability (1 - beta)^|T| beta^(|S| - |T|); when |T| >= 2
 * they are one person of T, and each other record a person of its own list.
 * So an observed pattern T with |T| >= 2 comes only from the patterns that
 * contain it:
 *   y_T = sum over S ⊇ T of mu_S (1 - beta)^|T| beta^(|S| - |T|),
 * solved for mu_T from the largest patterns down; a list's singletons take
 * the rest of that list's records:
 *   y_j = mu_j + sum over S ∋ j, |S| >= 2 of mu_S (beta + (1 - beta) beta^(|S| - 1)).
 */
#include "stats/unseen.h"

#include <math.h>
#include <stdint.h>

static unsigned bits(uint32_t x)
{
	unsigned c = 0;
	for (; x; x &= x - 1)
		c++;
	return c;
}

int kith_unseen_unsplit(const double *counts, unsigned k, double beta, double *out)
{
	if (k < 2 || k > 16 || !isfinite(beta) || beta < 0 || beta > KITH_UNSEEN_MAX_RATE)
		return KITH_E_INVALID;
	uint32_t n = 1u << k;
	for (uint32_t p = 1; p < n; p++)
		if (!isfinite(counts[p]) || counts[p] < 0)
			return KITH_E_INVALID;
	out[0] = 0;
	/* patterns of two lists or more, largest first: every superset is done before */
	for (unsigned size = k; size >= 2; size--) {
		for (uint32_t t = 1; t < n; t++) {
			if (bits(t) != size)
				continue;
			double kept = pow(1 - beta, (double)size), y = counts[t];
			/* supersets S of t: t plus a non-empty subset of the lists not in t */
			uint32_t rest = (n - 1) & ~t;
			for (uint32_t a = rest; a; a = (a - 1) & rest)
				y -= out[t | a] * kept * pow(beta, (double)bits(a));
			out[t] = y > 0 ? y / kept : 0;
		}
	}
	for (unsigned j = 0; j < k; j++) {
		uint32_t t = 1u << j;
		double y = counts[t];
		for (uint32_t s = 1; s < n; s++) {
			unsigned c = bits(s);
			if (c >= 2 && (s & t))
				y -= out[s] * (beta + (1 - beta) * pow(beta, (double)(c - 1)));
		}
		out[t] = y > 0 ? y : 0;
	}
	return KITH_OK;
}
