/*
 * The vault side of `kith estimate --vault V [--stratify FIELD]`: who is on
 * which list, from the vault's cases after record linkage.
 *
 * A person is a set of cases joined by
 *   - the confirmed links of the review flow (`kith link confirm`, `kith link
 *     merge`: src/link/linkvault.h), and
 *   - the clusters of the linkage engine run on the vault's cases with the
 *     default configuration (the same persons `kith link --vault V` prints),
 *     except that two cases named together by a rejected or undone link are
 *     not joined by the engine: a reviewer's "no" wins over the model.
 * A list is a recording organization (source.organization); a case without
 * one is counted on no list (a warning says how many). With --stratify FIELD
 * each person carries the value of FIELD (a dotted path into the case such as
 * person.sex or person.origin.province; a bare name is looked up at the top
 * then under person) found in their cases; cases without it do not vote, a
 * person with no value is in stratum "unknown", and a person whose cases hold
 * two different values is an error naming two case refs.
 *
 * Messages carry refs and counts only, never a name or a value of a field
 * other than the stratum names that the estimate prints anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "vault/vault.h"
#include "link/link.h"
#include "link/linkcfg.h"
#include "casework/linkvault.h"
#include "stats/table.h"

#define STRATUM_MAX 128 /* bytes of one stratum value */

int kith_cli_estimate_memberships(const char *cmd, const struct kith_cli_vault_args *va, const char *stratify,
				  struct kith_stats_memberships *out);

static size_t uf_find(size_t *p, size_t x)
{
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

static void uf_join(size_t *p, size_t a, size_t b)
{
	size_t ra = uf_find(p, a), rb = uf_find(p, b);
	if (ra != rb)
		p[ra > rb ? ra : rb] = ra > rb ? rb : ra;
}

/* A growing list of distinct strings; index of s, added when new. -1 on out of memory. */
struct names {
	char **v;
	size_t n, cap;
};

static long names_index(struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return (long)i;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 8;
		char **nv = realloc(ns->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		ns->v = nv;
		ns->cap = cap;
	}
	char *d = strdup(s);
	if (!d)
		return -1;
	ns->v[ns->n] = d;
	return (long)ns->n++;
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof *ns);
}

/* The value of a dotted path in a case body as text in buf; 0 when missing. */
static int field_value(const json_t *body, const char *path, char *buf, size_t bufsz)
{
	const json_t *x = body;
	char part[64];
	const char *p = path;
	while (x && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len >= sizeof part)
			return 0;
		memcpy(part, p, len);
		part[len] = '\0';
		x = json_object_get(x, part);
		p = dot ? dot + 1 : p + len;
	}
	if (!x || json_is_null(x))
		return 0;
	if (json_is_string(x)) {
		const char *s = json_string_value(x);
		if (!*s || strcmp(s, "unknown") == 0)
			return 0;
		snprintf(buf, bufsz, "%s", s);
	} else if (json_is_integer(x)) {
		snprintf(buf, bufsz, "%lld", (long long)json_integer_value(x));
	} else if (json_is_boolean(x)) {
		snprintf(buf, bufsz, "%s", json_is_true(x) ? "true" : "false");
	} else {
		return -1; /* an object, array or real: not a category */
	}
	return 1;
}

/* A bare name is looked up at the top, then under person. */
static int stratum_of(const json_t *body, const char *field, char *buf, size_t bufsz)
{
	int rc = field_value(body, field, buf, bufsz);
	if (rc == 0 && !strchr(field, '.')) {
		char path[96];
		snprintf(path, sizeof path, "person.%s", field);
		rc = field_value(body, path, buf, bufsz);
	}
	return rc;
}

/* Cases named together by a rejected or undone link: a list of (a, b) pairs of case indices. */
struct vetoes {
	size_t (*p)[2];
	size_t n, cap;
};

static int veto_add(struct vetoes *vt, size_t a, size_t b)
{
	if (vt->n == vt->cap) {
		size_t cap = vt->cap ? vt->cap * 2 : 16;
		size_t(*np)[2] = realloc(vt->p, cap * sizeof *np);
		if (!np)
			return KITH_E_NOMEM;
		vt->p = np;
		vt->cap = cap;
	}
	vt->p[vt->n][0] = a < b ? a : b;
	vt->p[vt->n][1] = a < b ? b : a;
	vt->n++;
	return KITH_OK;
}

static int veto_cmp(const void *x, const void *y)
{
	const size_t *a = x, *b = y;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

static int vetoed(const struct vetoes *vt, size_t a, size_t b)
{
	size_t key[2] = {a < b ? a : b, a < b ? b : a};
	return vt->n && bsearch(key, vt->p, vt->n, sizeof vt->p[0], veto_cmp) != NULL;
}

static long case_index(const struct kith_record_view *cs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cs[i].id, id) == 0)
			return (long)i;
	return -1;
}

static int collect_vetoes(const struct kith_vault *v, const struct kith_record_view *cs, size_t n_cases,
			  struct vetoes *vt)
{
	size_t nl;
	const struct kith_record_view *links = kith_vault_records(v, "link", &nl);
	for (size_t k = 0; k < nl; k++) {
		json_t *b = kith_record_view_json(&links[k]);
		if (!b)
			return KITH_E_NOMEM;
		const char *st = json_string_value(json_object_get(b, "status"));
		int rc = KITH_OK;
		if (st && (strcmp(st, "rejected") == 0 || strcmp(st, "undone") == 0)) {
			const json_t *arr = json_object_get(b, "cases");
			size_t m = json_array_size(arr);
			for (size_t i = 0; i < m && rc == KITH_OK; i++)
				for (size_t j = i + 1; j < m && rc == KITH_OK; j++) {
					const char *x = json_string_value(json_array_get(arr, i));
					const char *y = json_string_value(json_array_get(arr, j));
					long ci = x ? case_index(cs, n_cases, x) : -1;
					long cj = y ? case_index(cs, n_cases, y) : -1;
					if (ci >= 0 && cj >= 0 && ci != cj)
						rc = veto_add(vt, (size_t)ci, (size_t)cj);
				}
		}
		json_decref(b);
		if (rc)
			return rc;
	}
	if (vt->n)
		qsort(vt->p, vt->n, sizeof vt->p[0], veto_cmp);
	return KITH_OK;
}

/*
 * Joins into parent[] the cases the linkage engine puts together, unless
 * vetoed. Sets *joined to the number of joins made. Prints its own errors;
 * returns an exit code.
 */
static int engine_persons(const char *cmd, const struct kith_vault *v, size_t n_cases,
			  const struct vetoes *vt, size_t *parent, size_t *joined)
{
	*joined = 0;
	if (n_cases < 2)
		return KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_linkcfg *cfg = malloc(sizeof *cfg);
	if (!cfg)
		return kith_cli_fail(KITH_E_NOMEM, NULL);
	kith_linkcfg_init(cfg);
	struct kith_dataset *ds = NULL;
	size_t *cor = NULL;
	int rc = kith_link_vault_dataset(v, cfg, &ds, &cor, &err);
	free(cfg);
	if (rc) {
		fprintf(stderr, "kith %s: record linkage not run (%s): persons from confirmed links only\n",
			cmd, err.msg);
		return KITH_EXIT_OK;
	}
	struct kith_link_result r;
	struct kith_link_opts o;
	memset(&o, 0, sizeof o);
	rc = kith_link_run(ds, &o, &r, &err);
	if (rc == KITH_E_NOMEM) {
		kith_dataset_free(ds);
		free(cor);
		return kith_cli_fail(rc, &err);
	}
	if (rc) {
		fprintf(stderr, "kith %s: record linkage not run (%s): persons from confirmed links only\n",
			cmd, err.msg);
		kith_dataset_free(ds);
		free(cor);
		return KITH_EXIT_OK;
	}
	/* members of each cluster in record order (counting sort), each joined
	 * to the first unless a veto names it with an earlier member */
	size_t nr = r.clusters.n_records, nc = r.clusters.n_clusters;
	size_t *start = calloc(nc + 1, sizeof *start), *first = malloc((nr ? nr : 1) * sizeof *first);
	if (!start || !first) {
		free(start);
		free(first);
		kith_link_result_release(&r);
		kith_dataset_free(ds);
		free(cor);
		return kith_cli_fail(KITH_E_NOMEM, NULL);
	}
	for (size_t i = 0; i < nr; i++)
		start[r.clusters.cluster[i] + 1]++;
	for (size_t c = 0; c < nc; c++)
		start[c + 1] += start[c];
	for (size_t i = 0; i < nr; i++)
		first[start[r.clusters.cluster[i]]++] = i; /* start[c] ends at the next cluster's start */
	size_t lo = 0;
	for (size_t c = 0; c < nc; c++) {
		size_t hi = start[c];
		for (size_t k = lo + 1; k < hi; k++) {
			int ok = 1;
			for (size_t j = lo; j < k && ok && vt->n; j++)
				if (vetoed(vt, cor[first[j]], cor[first[k]]))
					ok = 0;
			if (ok) {
				uf_join(parent, cor[first[lo]], cor[first[k]]);
				(*joined)++;
			}
		}
		lo = hi;
	}
	free(start);
	free(first);
	kith_link_result_release(&r);
	kith_dataset_free(ds);
	free(cor);
	return KITH_EXIT_OK;
}

static int fill(const char *cmd, struct kith_vault *v, const char *stratify,
		struct kith_stats_memberships *out)
{
	struct kith_err err;
	kith_err_clear(&err);
	size_t n;
	const struct kith_record_view *cs = kith_vault_records(v, "case", &n);
	if (n == 0) {
		fprintf(stderr, "kith %s: the vault has no cases\n", cmd);
		return KITH_EXIT_USER;
	}
	/* persons from confirmed links */
	size_t *confirmed = NULL, n_conf = 0;
	int rc = kith_link_vault_persons(v, &confirmed, &n_conf, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	size_t *parent = malloc(n * sizeof *parent);
	size_t *rep = malloc(n * sizeof *rep); /* first case of each confirmed person */
	struct vetoes vt = {0};
	int ex = KITH_EXIT_OK;
	if (!parent || !rep || n_conf != n) {
		ex = kith_cli_fail(parent && rep ? KITH_E_INTERNAL : KITH_E_NOMEM, NULL);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		parent[i] = i;
		rep[i] = SIZE_MAX;
	}
	size_t by_links = 0;
	for (size_t i = 0; i < n; i++) {
		if (rep[confirmed[i]] == SIZE_MAX) {
			rep[confirmed[i]] = i;
		} else {
			uf_join(parent, rep[confirmed[i]], i);
			by_links++;
		}
	}
	if (collect_vetoes(v, cs, n, &vt)) {
		ex = kith_cli_fail(KITH_E_NOMEM, NULL);
		goto done;
	}
	size_t by_engine = 0;
	ex = engine_persons(cmd, v, n, &vt, parent, &by_engine);
	if (ex)
		goto done;

	/* number persons, lists and strata */
	struct names lists = {0}, strata = {0};
	size_t *person = rep; /* reused: person number of each root */
	for (size_t i = 0; i < n; i++)
		person[i] = SIZE_MAX;
	size_t n_persons = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = uf_find(parent, i);
		if (person[r] == SIZE_MAX)
			person[r] = n_persons++;
	}
	long *pstratum = stratify ? malloc(n_persons * sizeof *pstratum) : NULL;
	size_t *pcase = stratify ? malloc(n_persons * sizeof *pcase) : NULL; /* the case that set it */
	struct kith_stats_membership *m = malloc(n * sizeof *m);
	if (!m || (stratify && (!pstratum || !pcase))) {
		ex = kith_cli_fail(KITH_E_NOMEM, NULL);
		goto done_inner;
	}
	for (size_t p = 0; stratify && p < n_persons; p++)
		pstratum[p] = -1;
	size_t nm = 0, no_org = 0;
	for (size_t i = 0; i < n && ex == KITH_EXIT_OK; i++) {
		json_t *b = kith_record_view_json(&cs[i]);
		if (!b) {
			ex = kith_cli_fail(KITH_E_NOMEM, NULL);
			break;
		}
		size_t p = person[uf_find(parent, i)];
		if (stratify) {
			char val[STRATUM_MAX];
			int got = stratum_of(b, stratify, val, sizeof val);
			if (got < 0) {
				fprintf(stderr,
					"kith %s: case %s: %s is not a single value and cannot stratify\n",
					cmd, cs[i].ref, stratify);
				ex = KITH_EXIT_USER;
			} else if (got > 0) {
				long s = names_index(&strata, val);
				if (s < 0) {
					ex = kith_cli_fail(KITH_E_NOMEM, NULL);
				} else if (pstratum[p] < 0) {
					pstratum[p] = s;
					pcase[p] = i;
				} else if (pstratum[p] != s) {
					fprintf(stderr,
						"kith %s: cases %s and %s are one person but differ in %s: "
						"correct "
						"one, or undo their link (kith link persons --vault)\n",
						cmd, cs[pcase[p]].ref, cs[i].ref, stratify);
					ex = KITH_EXIT_USER;
				}
			}
		}
		const char *org =
		    json_string_value(json_object_get(json_object_get(b, "source"), "organization"));
		if (ex == KITH_EXIT_OK) {
			if (!org || !*org) {
				no_org++;
			} else {
				long l = names_index(&lists, org);
				if (l < 0) {
					ex = kith_cli_fail(KITH_E_NOMEM, NULL);
				} else {
					m[nm].person = p;
					m[nm].list = (unsigned)l;
					m[nm].stratum = 0;
					nm++;
				}
			}
		}
		json_decref(b);
	}
	if (ex == KITH_EXIT_OK && stratify) {
		/* persons without a value: stratum "unknown" */
		long unknown = -1;
		for (size_t p = 0; p < n_persons && ex == KITH_EXIT_OK; p++)
			if (pstratum[p] < 0) {
				if (unknown < 0)
					unknown = names_index(&strata, "unknown");
				if (unknown < 0)
					ex = kith_cli_fail(KITH_E_NOMEM, NULL);
				pstratum[p] = unknown;
			}
		for (size_t k = 0; k < nm; k++)
			m[k].stratum = (size_t)pstratum[m[k].person];
	}
	if (ex == KITH_EXIT_OK && lists.n < 2) {
		fprintf(
		    stderr,
		    "kith %s: the vault's cases come from %zu organization%s: estimation needs two lists or "
		    "more (source.organization)\n",
		    cmd, lists.n, lists.n == 1 ? "" : "s");
		ex = KITH_EXIT_USER;
	}
	if (ex == KITH_EXIT_OK) {
		if (no_org)
			fprintf(stderr,
				"kith %s: warning: %zu case%s without source.organization on no list\n", cmd,
				no_org, no_org == 1 ? "" : "s");
		fprintf(stderr,
			"kith %s: %zu cases, %zu persons (%zu joins from confirmed links, %zu from record "
			"linkage, "
			"%zu vetoed pairs), %zu lists\n",
			cmd, n, n_persons, by_links, by_engine, vt.n, lists.n);
		out->m = m;
		out->n = nm;
		out->list_names = lists.v;
		out->n_lists = (unsigned)lists.n;
		out->stratum_names = stratify ? strata.v : NULL;
		out->n_strata = stratify ? strata.n : 0;
		m = NULL;
		memset(&lists, 0, sizeof lists);
		if (stratify)
			memset(&strata, 0, sizeof strata);
	}
done_inner:
	free(m);
	free(pstratum);
	free(pcase);
	names_free(&lists);
	names_free(&strata);
done:
	free(vt.p);
	free(rep);
	free(parent);
	free(confirmed);
	return ex;
}

int kith_cli_estimate_memberships(const char *cmd, const struct kith_cli_vault_args *va, const char *stratify,
				  struct kith_stats_memberships *out)
{
	memset(out, 0, sizeof *out);
	if (stratify && (!*stratify || strlen(stratify) > 90))
		return kith_cli_usage(
		    cmd, "--stratify takes a field of the case (person.sex, person.origin.province)");
	struct kith_vault *v = NULL;
	int ex = kith_cli_open_vault(cmd, va, &v);
	if (ex)
		return ex;
	kith_cli_report_damage(v);
	ex = fill(cmd, v, stratify, out);
	kith_vault_close(v);
	return ex;
}
