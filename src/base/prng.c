/*
 * xoshiro256** and splitmix64: see prng.h.
 */
#include "base/prng.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t kith_prng_mix(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t kith_prng_splitmix(uint64_t *state)
{
	uint64_t z = kith_prng_mix(*state);
	*state += 0x9E3779B97F4A7C15ULL;
	return z;
}

uint64_t kith_prng_splitmix_below(uint64_t *state, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
	do
		x = kith_prng_splitmix(state);
	while (x >= lim);
	return x % n;
}

void kith_prng_seed(struct kith_prng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		r->s[i] = kith_prng_mix(seed);
		seed += 0x9E3779B97F4A7C15ULL;
	}
}

uint64_t kith_prng_next(struct kith_prng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double kith_prng_unit(struct kith_prng *r)
{
	return (double)(kith_prng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t kith_prng_below(struct kith_prng *r, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
	do
		x = kith_prng_next(r);
	while (x >= lim);
	return x % n;
}
