/*
 * jamo — Hangul letters, syllable levels and the surname lookups over the
 * generated tables (the coarse classes for blocking keys are inline, in
 * jamo.h).
 */
#include "names/jamo.h"

#include "names/hanja.h"
#include "names/tables.h"

size_t jamo_put(unsigned s, char out[3])
{
	unsigned c = JAMO_BASE + s;
	out[0] = (char)(0xE0 | (c >> 12));
	out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[2] = (char)(0x80 | (c & 0x3F));
	return 3;
}

const struct kith_names_surname *kith_names_surname_find(unsigned s0, unsigned s1p)
{
	size_t lo = 0, hi = kith_names_n_surnames;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct kith_names_surname *e = &kith_names_surnames[mid];
		if (e->s0 < s0 || (e->s0 == s0 && e->s1 < s1p))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < kith_names_n_surnames && kith_names_surnames[lo].s0 == s0 &&
	    kith_names_surnames[lo].s1 == s1p)
		return &kith_names_surnames[lo];
	return NULL;
}

const struct kith_names_surname *kith_names_surname_north(unsigned s0)
{
	for (size_t i = 0; i < kith_names_n_surnames; i++)
		if (kith_names_surnames[i].north == s0 + 1)
			return &kith_names_surnames[i];
	return NULL;
}

const struct kith_names_hanja *kith_names_hanja_find(uint32_t cp)
{
	size_t lo = 0, hi = kith_names_n_hanja;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kith_names_hanja[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kith_names_n_hanja && kith_names_hanja[lo].cp == cp ? &kith_names_hanja[lo] : NULL;
}

int jamo_surname_fins_ok(void)
{
	for (unsigned s = 0; s < JAMO_NSYL; s++)
		if (kith_names_surname_of[s] && !(BIT(jamo_T(s)) & JAMO_SURNAME_FINS))
			return 0;
	return 1;
}
