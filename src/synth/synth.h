/*
 * synth — a generator of fictional, labelled data for linkage, estimation
 * and family tracing.
 *
 * A true population of invented people (Korean names built from syllable
 * tables with surnames drawn by the 2015 South Korean census shares, mostly
 * women, mostly from North Hamgyong and Ryanggang, birth dates) is recorded by
 * K lists. Capture is heterogeneous (each person has a visibility drawn from a
 * log-normal) and dependent (a shelter refers people to the resettlement
 * office; people hidden by the church in China are less often caught by the
 * Thai police). Each list writes names its own way — Hangul with North or
 * South initial sounds (리/이, 림/임, 량/양, 로/노, 류/유), Revised
 * Romanization, McCune–Reischauer with and without breves, the North Korean
 * style or common English spellings, in Korean or Western order, hyphenated
 * or not — and makes mistakes: typos, birth years off by one, ages instead of
 * birth years, missing fields, now and then the same person twice.
 *
 * With families, some women are mothers of children separated from them in
 * Yanbian around 2003; the children are recorded years later, under other
 * spellings and sometimes another given name, with ages instead of birth
 * years; their mothers' tracing requests are written as "trace" records.
 *
 * Everything is deterministic for a given seed and options. Every name is
 * invented from syllables; any likeness to a real person is chance.
 *
 * Outputs (each FILE* may be NULL to skip it; the caller owns them):
 *   records   id,source,name,other_names,sex,birth_year,birth_date,origin,age,age_in_year
 *   truth     record,person
 *   families  mother,child,separation_place,separation_year,trace
 *   traces    JSON Lines of "trace" records (valid per record.h)
 *   cases     JSON Lines of "case" records, one per record, ref = record id
 */
#ifndef KITH_LINK_SYNTH_H
#define KITH_LINK_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/status.h"

#define KITH_SYNTH_MAX_LISTS 16
#define KITH_SYNTH_MAX_PEOPLE 20000000u

struct kith_synth_opts {
	uint64_t people; /* 0: 1000 */
	unsigned lists;	 /* 0: 4; at most KITH_SYNTH_MAX_LISTS */
	uint64_t seed;
	int families; /* add mothers and separated children, and tracing requests */
};

struct kith_synth_summary {
	uint64_t people;   /* the true population */
	uint64_t recorded; /* people on at least one list */
	uint64_t records;
	uint64_t per_list[KITH_SYNTH_MAX_LISTS];
	uint64_t true_pairs; /* pairs of records of one person */
	uint64_t families;   /* mother-child pairs */
	uint64_t traces;     /* tracing requests written */
	char list_names[KITH_SYNTH_MAX_LISTS][32];
	unsigned lists;
};

/*
 * Generates the data and writes the requested outputs. Returns KITH_OK,
 * KITH_E_INVALID (lists or people out of range), KITH_E_NOMEM, KITH_E_IO (a
 * write failed; err says which output). Outputs may hold partial data after
 * a failure: the caller writes to temporary files and renames on success.
 */
int kith_synth_write(const struct kith_synth_opts *o, FILE *records, FILE *truth, FILE *families,
		     FILE *traces, FILE *cases, struct kith_synth_summary *sum,
		     struct kith_err *err) KITH_WUR;

#endif
