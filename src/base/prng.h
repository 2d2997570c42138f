/*
 * Seeded pseudo-random numbers for simulation, sampling and synthetic data —
 * never for secrets (keys, nonces and tokens come from libsodium).
 *
 * Two generators, both reproducible from a 64-bit seed on every platform:
 *   - kith_prng: xoshiro256** (Blackman & Vigna), its state seeded by four
 *     splitmix64 outputs; a long stream for one sequential task;
 *   - kith_prng_mix: the splitmix64 finalizer, a stateless hash of a counter,
 *     for "stream number i of seed s" in parallel work, where each task must
 *     draw the same numbers whichever thread runs it;
 *   - kith_prng_splitmix: splitmix64 as a generator (a 64-bit state that
 *     advances by the golden gamma), for short streams per task where a seed
 *     of one word is the whole state (link's u sampling and training sample,
 *     pprl's sampling, casework's simulation draws).
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

/* The next output of the splitmix64 generator whose state is *state:
 * kith_prng_mix(*state), and *state advances by the golden gamma. */
uint64_t kith_prng_splitmix(uint64_t *state);

/* Uniform in [0, n) from the splitmix64 generator, unbiased (the top partial
 * range is rejected); n > 0. */
uint64_t kith_prng_splitmix_below(uint64_t *state, uint64_t n);

#endif
