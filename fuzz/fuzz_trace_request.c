/*
 * fuzz_trace_request — a tracing request as `kith trace add` and the web UI
 * hand it in: the importer (kind "trace"), then what src/link/trace does with
 * a body the schema accepted: kith_trace_check (ages, relation against birth
 * years) and matching against a small fixed set of cases (places folded and
 * looked up in the gazetteer, names encoded, windows from ages). Properties
 * beyond "no crash": a request the checks refuse is never matched; every candidate's score is in [0, 1] and
 * its weight is the sum of its parts; candidates come best first; a case without tracing consent is never a
 * candidate.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/caseio.h"
#include "casework/trace.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const cases_json[] = {
    "{\"ref\":\"M-1\",\"person\":{\"name\":\"Pak Sunja\",\"sex\":\"female\",\"birth\":\"1970\"},"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"K-1\",\"person\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\",\"age_at_intake\":19},"
    "\"source\":{\"date\":\"2015\"},\"journey\":[{\"place\":\"Yanji\",\"region\":\"Jilin\"}],"
    "\"family\":[{\"relation\":\"mother\",\"name\":\"Pak "
    "Sunja\"},{\"relation\":\"father\",\"case\":\"Z-1\"}],"
    "\"consent\":{\"tracing\":true}}",
    "{\"ref\":\"N-1\",\"person\":{\"name\":\"Pak Chulsu\",\"sex\":\"male\",\"birth\":\"1996\"},"
    "\"consent\":{\"tracing\":false}}",
    "{\"ref\":\"D-1\",\"person\":{\"name\":\"Ri Okhui\",\"sex\":\"female\",\"birth\":\"1996\","
    "\"origin\":{\"place\":\"Hoeryong\"}},\"consent\":{\"tracing\":true}}",
};
#define N_CASES (sizeof cases_json / sizeof cases_json[0])

static struct kith_trace_cases *cs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (kith_process_init())
		return 1;
	json_t *c[N_CASES];
	for (size_t i = 0; i < N_CASES; i++)
		if (!(c[i] = json_loads(cases_json[i], 0, NULL)))
			abort();
	if (kith_trace_cases_new(&cs, c, N_CASES, NULL))
		abort();
	for (size_t i = 0; i < N_CASES; i++)
		json_decref(c[i]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cs && LLVMFuzzerInitialize(NULL, NULL))
		abort();
	json_t **bodies = NULL;
	size_t n = 0;
	if (kith_caseio_parse_max(KITH_CASEIO_AUTO, "trace", (const char *)data, size, "fuzz", 16, &bodies,
				  &n, NULL) != KITH_OK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int checked = kith_trace_check(bodies[i], NULL, NULL);
		struct kith_trace_result *r = NULL;
		struct kith_trace_opts o = {.include_rejected = 1};
		if (kith_trace_match_body(cs, bodies[i], &o, &r, NULL) != KITH_OK)
			continue;
		if (checked != KITH_OK) /* matching refuses what the checks refuse */
			abort();
		for (size_t k = 0; k < r->n; k++) {
			const struct kith_trace_candidate *c = &r->c[k];
			if (!(c->score >= 0 && c->score <= 1) || !strcmp(c->ref, "N-1"))
				abort();
			if (k && r->c[k - 1].weight < c->weight)
				abort();
			double sum = 0;
			for (size_t p = 0; p < c->n_parts; p++)
				sum += c->parts[p].weight;
			if (fabs(sum - c->weight) > 1e-9)
				abort();
		}
		json_t *j = kith_trace_result_json(r);
		if (!j)
			abort();
		json_decref(j);
		kith_trace_result_free(r);
	}
	kith_caseio_free(bodies, n);
	return 0;
}
