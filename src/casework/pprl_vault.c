/*
 * pprl_vault — the consenting cases of a vault as a dataset for encoding
 * (see pprl_vault.h).
 */
#include "casework/pprl_vault.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "record/record.h"
#include "vault/vault.h"
#include "link/linkcfg.h"

static const char *str_at(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

int kith_pprl_vault_dataset(const struct kith_vault *v, struct kith_dataset **out,
			    struct kith_pprl_vault_counts *counts, struct kith_err *err)
{
	struct kith_pprl_vault_counts c = {0};
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	struct kith_linkcfg cfg;
	kith_linkcfg_init(&cfg);
	struct kith_dataset *ds;
	int rc = kith_dataset_new(&ds, &cfg, err);
	if (rc)
		return rc;
	c.cases = n;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *b = kith_record_view_json(&cs[i]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, cs[i].ref, "out of memory");
			break;
		}
		if (!kith_record_consent_allows(b, "reporting")) {
			c.no_consent++;
			json_decref(b);
			continue;
		}
		const json_t *p = json_object_get(b, "person");
		struct kith_dataset_input in;
		memset(&in, 0, sizeof in);
		in.id = cs[i].ref;
		in.source = "vault";
		in.n_names = kith_record_case_names(b, in.names, KITH_DATASET_MAX_NAMES);
		in.sex = str_at(p, "sex");
		in.birth = str_at(p, "birth");
		const json_t *age = json_object_get(p, "age_at_intake");
		const char *sdate = str_at(json_object_get(b, "source"), "date");
		if (!in.birth && json_is_integer(age) && sdate && strlen(sdate) >= 4) {
			in.age = (int)json_integer_value(age);
			in.age_in_year = (int)strtol(sdate, NULL, 10);
		}
		const json_t *origin = json_object_get(p, "origin");
		in.origin = str_at(origin, "province");
		if (in.origin && strcmp(in.origin, "unknown") == 0)
			in.origin = NULL;
		if (!in.origin)
			in.origin = str_at(origin, "place");
		struct kith_err e;
		kith_err_clear(&e);
		rc = kith_dataset_add_record(ds, &in, &e);
		if (rc == KITH_E_INVALID || rc == KITH_E_LIMIT) { /* a name without letters: without names */
			in.n_names = 0;
			rc = kith_dataset_add_record(ds, &in, &e);
		}
		json_decref(b);
		if (rc == KITH_E_INVALID || rc == KITH_E_LIMIT) {
			c.unusable++;
			rc = KITH_OK;
			continue;
		}
		if (rc)
			rc = kith_err_set(err, rc, cs[i].ref, "%s", e.msg);
		else
			c.taken++;
	}
	if (!rc && c.taken == 0)
		rc = kith_err_set(
		    err, KITH_E_INVALID, NULL,
		    "no case may be encoded: %zu cases, %zu without consent to use in statistics, %zu "
		    "with nothing to encode",
		    c.cases, c.no_consent, c.unusable);
	if (!rc)
		rc = kith_dataset_finish(ds, err);
	if (rc) {
		kith_dataset_free(ds);
		return rc;
	}
	*out = ds;
	*counts = c;
	return KITH_OK;
}
