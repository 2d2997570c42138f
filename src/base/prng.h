/*
 * Seeded pseudo-random numbers for simulation, sampling and synthetic data —
 * never for secrets (keys, nonces and tokens come from libsodium).
 *
 * Two generators, both reproducible from a 64-bit seed on every platform:
 *   - kith_prng: xoshiro256** (Blackman & Vigna), its state seeded by four
 *     splitmix64 outputs; a long stream for one sequential task;
 *   - kith_prng_mix: the splitmix64 finalizer, a stateless hash of a counter,
 *     for "stream number i of seed s" in parallel work, where each task must
 *     draw the same numbers whichever thread runs it.
 *
 * A struct kith_prng is plain data: copy it, keep one per thread.
 */
#ifndef KITH_BASE_PRNG_H
#define KITH_BASE_PRNG_H

#include <stdint.h>

struct kith_prng {
	uint64_t s[4];
};

/* Seeds the generator: the same seed gives the same stream. */
void kith_prng_seed(struct kith_prng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t kith_prng_next(struct kith_prng *r);

/* Uniform in [0, 1), 53 bits of precision. */
double kith_prng_unit(struct kith_prng *r);

/* Uniform in [0, n), unbiased (the top partial range is rejected); n > 0. */
uint64_t kith_prng_below(struct kith_prng *r, uint64_t n);

/* splitmix64's output for state x: x + golden gamma, then the finalizer. */
uint64_t kith_prng_mix(uint64_t x);

#endif
