/*
 * review — ordering and filtering the duplicate review queue: see review.h.
 */
#include "casework/review.h"

#include "base/str.h"

#include <stdlib.h>

struct item {
	json_t *l;
	double score; /* -1: none */
	long long at;
	size_t pos;
};

static int cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	if ((a->score < 0) != (b->score < 0))
		return a->score < 0 ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int kith_review_order(const json_t *links, const struct kith_review_query *q, json_t **out,
		      struct kith_err *err)
{
	static const struct kith_review_query every = {0};
	if (!q)
		q = &every;
	double lo = q->min_score, hi = q->max_score > 0 ? q->max_score : 1;
	if (!(lo >= 0 && lo <= 1))
		return kith_err_set(err, KITH_E_INVALID, "min_score", "a score between 0 and 1");
	if (!(hi >= 0 && hi <= 1) || lo > hi)
		return kith_err_set(err, KITH_E_INVALID, "max_score", "a score between the minimum and 1");
	size_t n = json_array_size(links), m = 0;
	struct item *it = malloc((n ? n : 1) * sizeof *it);
	json_t *o = json_array();
	if (!it || !o) {
		free(it);
		json_decref(o);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(links, i);
		const json_t *s = json_object_get(l, "score");
		double sc = json_is_number(s) ? json_number_value(s) : -1;
		if (sc < 0 ? lo > 0 : (sc < lo || sc > hi))
			continue;
		if (q->text && *q->text) {
			int hit = 0;
			size_t k;
			const json_t *c;
			json_array_foreach(json_object_get(l, "cases"), k, c) hit |=
			    kith_str_contains_nocase(json_string_value(json_object_get(c, "ref")), q->text) ||
			    kith_str_contains_nocase(json_string_value(json_object_get(c, "name")), q->text);
			if (!hit)
				continue;
		}
		it[m++] = (struct item){l, sc, json_integer_value(json_object_get(l, "at")), i};
	}
	qsort(it, m, sizeof *it, cmp);
	for (size_t i = 0; i < m; i++)
		if (json_array_append(o, it[i].l)) {
			free(it);
			json_decref(o);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
	free(it);
	*out = o;
	return KITH_OK;
}
