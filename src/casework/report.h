/*
 * report (casework) — the vault's persons as a table of field values for
 * `kith report` and the web report page, with consent enforced here, once.
 *
 * A person is a set of cases as persons.h forms them (confirmed links, then
 * record linkage unless a reviewer kept two cases apart). Only the cases
 * whose consent.reporting is true contribute; a person none of whose cases
 * has it is not counted, and is counted in left_out. Each requested field
 * takes, for each person, the values found in their counted cases:
 *
 *   sex                  person.sex
 *   origin               person.origin.province
 *   org                  source.organization (a person recorded by several: each)
 *   year                 the year of source.date (registration, CTDC's yearOfRegistration)
 *   year_of_crossing     the year of journey[0].date
 *   age_band             the CTDC band (0-8, 9-17, 18-20, ..., 48+) of the age at
 *                        source.date from person.birth
 *   status               status
 *   needs                needs (several)
 *   services             services[].type (several)
 *   incident_type        incidents[].type (several)
 *   means_of_control     incidents[].means (several)
 *   exploitation, labour, sexual_exploitation, country_of_exploitation
 *                        incidents[].exploitation / .labour / .sexual_exploitation / .country
 *   recruiter_relation   incidents[].perpetrators[].relation
 *   any other name       a dotted path of the case ("person.languages", "incidents[].place" is
 *                        refused: free text is never counted)
 *
 * A single-valued field (sex, origin, year, age_band, status) whose counted
 * cases disagree for one person is "unknown" for that person, and counted in
 * the info (conflicts). Values are vocabulary ids, or their labels with lang
 * "en"/"ko" (kith_record_vocab_label). Multi-valued fields join their values
 * with ';' (report.h).
 *
 * Ownership: *out is a struct kith_report_table (stats/report.h): free it with
 * kith_report_table_free.
 */
#ifndef KITH_CASEWORK_REPORT_H
#define KITH_CASEWORK_REPORT_H

#include <stddef.h>

#include "base/status.h"
#include "stats/report.h"
#include "vault/vault.h"

struct kith_casework_report_info {
	size_t cases;	   /* current cases */
	size_t persons;	   /* counted */
	size_t no_consent; /* cases without reporting consent */
	size_t left_out;   /* persons not counted (no case with reporting consent) */
	size_t conflicts;  /* person x field values made unknown because their cases disagree */
};

/*
 * Fills *out with one row per counted person and one column per field.
 * lang NULL gives vocabulary ids (the CTDC export), "en"/"ko" labels.
 * KITH_OK; KITH_E_INVALID (no cases, an unknown or free-text field, more than
 * 32 fields, a bad language), KITH_E_NOMEM, KITH_E_DB. Outputs only on success.
 */
int kith_casework_report_persons(struct kith_vault *v, const char *const *fields, size_t n_fields,
				 const char *lang, struct kith_report_table *out,
				 struct kith_casework_report_info *info, struct kith_err *err) KITH_WUR;

/* The fields kith_casework_report_persons knows by name, NULL-terminated. */
const char *const *kith_casework_report_fields(void);

#endif
