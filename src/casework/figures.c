/*
 * figures — reports and the estimate from a vault, one call each for the CLI
 * and the web (see figures.h).
 */
#include "casework/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/persons.h"
#include "casework/report.h"
#include "stats/estimate.h"
#include "stats/report.h"
#include "stats/summary.h"
#include "stats/table.h"
#include "vault/vault.h"

/* ---------------------------------------------------------------- reports */

static const char *const ctdc_fields[] = {"year",
					  "sex",
					  "age_band",
					  "means_of_control",
					  "exploitation",
					  "labour",
					  "sexual_exploitation",
					  "recruiter_relation",
					  "country_of_exploitation"};

const char *const *kith_figures_report_fields(void)
{
	return kith_casework_report_fields();
}

static const struct {
	const char *format, *ext, *mime;
} formats[] = {
    {"table", "txt", "text/plain; charset=utf-8"}, {"csv", "csv", "text/csv; charset=utf-8"},
    {"hxl", "csv", "text/csv; charset=utf-8"},	   {"svg", "svg", "image/svg+xml"},
    {"html", "html", "text/html; charset=utf-8"},  {"json", "json", "application/json"},
    {"ctdc", "csv", "text/csv; charset=utf-8"},
};

const char *kith_figures_report_ext(const char *format)
{
	for (size_t i = 0; format && i < sizeof formats / sizeof formats[0]; i++)
		if (!strcmp(formats[i].format, format))
			return formats[i].ext;
	return NULL;
}

const char *kith_figures_report_mime(const char *format)
{
	for (size_t i = 0; format && i < sizeof formats / sizeof formats[0]; i++)
		if (!strcmp(formats[i].format, format))
			return formats[i].mime;
	return NULL;
}

int kith_figures_report(struct kith_vault *v, const struct kith_figures_report_opts *o, struct kith_sbuf *out,
			struct kith_figures_report_info *info, struct kith_err *err)
{
	memset(info, 0, sizeof *info);
	const char *format = o->format && *o->format ? o->format : "table";
	int fmt = kith_report_format_parse(format);
	if (fmt == -1)
		return kith_err_set(err, KITH_E_INVALID, "format",
				    "format must be table, csv, hxl, svg, html, json or ctdc");
	const char *lang = o->lang && *o->lang ? o->lang : "en";
	if (strcmp(lang, "en") && strcmp(lang, "ko"))
		return kith_err_set(err, KITH_E_INVALID, "lang", "language must be en or ko");
	if (fmt != -2 && (o->n_by < 1 || o->n_by > 2))
		return kith_err_set(err, KITH_E_INVALID, "by", "give one field or two to count by");
	struct kith_report_table t;
	memset(&t, 0, sizeof t);
	struct kith_casework_report_info ci;
	int rc = fmt == -2 ? kith_casework_report_persons(v, ctdc_fields,
							  sizeof ctdc_fields / sizeof ctdc_fields[0], NULL,
							  &t, &ci, err)
			   : kith_casework_report_persons(v, o->by, o->n_by, lang, &t, &ci, err);
	if (rc)
		return rc;
	info->cases = ci.cases;
	info->persons = ci.persons;
	info->no_consent = ci.no_consent;
	info->left_out = ci.left_out;
	info->conflicts = ci.conflicts;
	size_t mark = out->len;
	if (fmt == -2) {
		struct kith_disc_kanon_summary ks;
		rc = kith_report_ctdc(&t.d, o->k, out, &ks, err);
		if (!rc) {
			info->k = o->k ? o->k : KITH_DISC_K;
			info->exported = t.d.n_persons - ks.records_dropped;
			info->values_withheld = ks.values_starred;
			info->records_dropped = ks.records_dropped;
		}
	} else {
		struct kith_report_opts ro = {
		    .n_by = o->n_by, .threshold = o->threshold, .lang = lang, .title = o->title};
		ro.by[0] = o->by[0];
		ro.by[1] = o->n_by > 1 ? o->by[1] : NULL;
		struct kith_report *r = NULL;
		rc = kith_report_build(&t.d, &ro, &r, err);
		if (!rc)
			rc = kith_report_render(r, (enum kith_report_format)fmt, out, err);
		kith_report_free(r);
	}
	if (rc && out->len > mark) {
		out->len = mark;
		if (out->buf)
			out->buf[mark] = '\0';
	}
	kith_report_table_free(&t);
	return rc;
}

/* ---------------------------------------------------------------- estimate */

struct kith_figures_estimate {
	struct kith_persons_report rep;
	int mapped; /* a list mapping was given */
	const char *stratify;
	size_t n;			   /* 1 + strata */
	char **names;			   /* "total", strata (owned) */
	struct kith_estimate_result **res; /* NULL where no estimate */
	char (*why)[160];		   /* why not */
	char *stratify_copy;
	struct kith_stats_table **tabs; /* between prepare and compute */
	const struct kith_estimate_opts *est;
	void (*progress)(void *pctx, const char *stage, size_t done, size_t total);
	void *pctx;
};

void kith_figures_estimate_free(struct kith_figures_estimate *e)
{
	if (!e)
		return;
	kith_persons_report_release(&e->rep);
	for (size_t i = 0; i < e->n; i++) {
		if (e->names)
			free(e->names[i]);
		if (e->res)
			kith_estimate_free(e->res[i]);
	}
	free(e->names);
	free(e->res);
	free(e->why);
	free(e->stratify_copy);
	kith_stats_tables_free(e->tabs, e->n);
	free(e);
}

int kith_figures_estimate_prepare(struct kith_vault *v, const struct kith_figures_estimate_opts *o,
				  struct kith_figures_estimate **out, struct kith_err *err)
{
	*out = NULL;
	const char *stratify = o->stratify && *o->stratify ? o->stratify : NULL;
	struct kith_persons_listmap *map = NULL;
	int rc;
	if (o->lists) {
		rc = kith_persons_listmap_parse(o->lists, o->lists_len,
						o->lists_name ? o->lists_name : "lists", &map, err);
		if (rc)
			return rc;
	}
	struct kith_figures_estimate *e = calloc(1, sizeof *e);
	if (!e || (stratify && !(e->stratify_copy = strdup(stratify)))) {
		free(e);
		kith_persons_listmap_free(map);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	e->mapped = map != NULL;
	e->stratify = e->stratify_copy;
	e->est = o->est;
	e->progress = o->progress;
	e->pctx = o->pctx;
	struct kith_stats_memberships ms;
	struct kith_persons_opts po = {.stratify = stratify, .lists = map};
	rc = kith_persons_memberships(v, &po, &ms, &e->rep, err);
	kith_persons_listmap_free(map);
	if (rc) {
		free(e->stratify_copy);
		free(e);
		return rc;
	}
	rc =
	    kith_stats_table_from_memberships(&e->tabs, &e->n, ms.m, ms.n, (const char *const *)ms.list_names,
					      ms.n_lists, stratify ? ms.n_strata : 0, err);
	if (!rc) {
		e->names = calloc(e->n, sizeof *e->names);
		e->res = calloc(e->n, sizeof *e->res);
		e->why = calloc(e->n, sizeof *e->why);
		if (!e->names || !e->res || !e->why)
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; !rc && i < e->n; i++)
		if (!(e->names[i] = strdup(i == 0 ? "total" : ms.stratum_names[i - 1])))
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	kith_stats_memberships_release(&ms);
	if (rc) {
		kith_figures_estimate_free(e);
		return rc;
	}
	*out = e;
	return KITH_OK;
}

int kith_figures_estimate_compute(struct kith_figures_estimate *e, struct kith_err *err)
{
	struct kith_estimate_opts def = {.seed = 1234, .progress = e->progress, .pctx = e->pctx};
	const struct kith_estimate_opts *eo = e->est ? e->est : &def;
	/* the total also gets the latent-class model with the stratifying field
	 * as its covariate: the strata in which someone was recorded */
	struct kith_estimate_opts total_o = *eo;
	const struct kith_stats_table **st = NULL;
	const char **sn = NULL;
	if (e->stratify && e->n > 2) {
		st = calloc(e->n, sizeof *st);
		sn = calloc(e->n, sizeof *sn);
		if (!st || !sn) {
			free(st);
			free(sn);
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		}
		size_t ns = 0;
		for (size_t i = 1; i < e->n; i++)
			if (e->tabs[i]) {
				st[ns] = e->tabs[i];
				sn[ns++] = e->names[i];
			}
		total_o.strata = st;
		total_o.strata_names = sn;
		total_o.n_strata = ns;
		total_o.covariate = e->stratify;
	}
	int rc = KITH_OK;
	for (size_t i = 0; !rc && i < e->n; i++) {
		struct kith_err e1;
		kith_err_clear(&e1);
		struct kith_stats_table *use = NULL;
		int r1;
		if (!e->tabs[i]) {
			r1 = kith_err_set(&e1, KITH_E_INVALID, NULL, "no one recorded");
		} else {
			r1 = i == 0 ? KITH_OK : kith_stats_table_drop_empty(&use, e->tabs[i], &e1);
			if (!r1)
				r1 = kith_estimate_run(use ? use : e->tabs[i], i == 0 ? &total_o : eo,
						       &e->res[i], &e1);
		}
		kith_stats_table_free(use);
		if (r1 && (i == 0 || r1 == KITH_E_NOMEM)) {
			*err = e1;
			rc = r1;
		} else if (r1) {
			snprintf(e->why[i], sizeof e->why[i], "%s", e1.msg[0] ? e1.msg : kith_status_str(r1));
		}
	}
	free(st);
	free(sn);
	kith_stats_tables_free(e->tabs, e->n);
	e->tabs = NULL;
	return rc;
}

int kith_figures_estimate_run(struct kith_vault *v, const struct kith_figures_estimate_opts *o,
			      struct kith_figures_estimate **out, struct kith_err *err)
{
	*out = NULL;
	struct kith_figures_estimate *e = NULL;
	int rc = kith_figures_estimate_prepare(v, o, &e, err);
	if (!rc)
		rc = kith_figures_estimate_compute(e, err);
	if (rc) {
		kith_figures_estimate_free(e);
		return rc;
	}
	*out = e;
	return KITH_OK;
}

size_t kith_figures_estimate_count(const struct kith_figures_estimate *e)
{
	return e->n;
}

const char *kith_figures_estimate_name(const struct kith_figures_estimate *e, size_t i)
{
	return i < e->n ? e->names[i] : NULL;
}

const char *kith_figures_estimate_error(const struct kith_figures_estimate *e, size_t i)
{
	return i < e->n && !e->res[i] ? e->why[i] : NULL;
}

static json_t *coverage_json(const struct kith_figures_estimate *e);

static json_t *counted_json(const struct kith_persons_report *rep, int mapped)
{
	json_t *lists = json_array();
	for (size_t i = 0; lists && i < rep->n_spellings; i++)
		json_array_append_new(lists, json_pack("{s:s, s:s, s:I}", "list", rep->spellings[i].list,
						       "organization", rep->spellings[i].organization,
						       "cases", (json_int_t)rep->spellings[i].cases));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:s, s:s, s:o, s:{s:I, s:I, s:I}}", "cases",
			 (json_int_t)rep->cases, "persons", (json_int_t)rep->persons, "joins_confirmed",
			 (json_int_t)rep->by_links, "joins_linkage", (json_int_t)rep->by_engine,
			 "vetoed_pairs", (json_int_t)rep->vetoed, "linkage_ran", rep->engine_ran,
			 "linkage_note", rep->engine_ran ? "" : rep->engine_note, "list_mapping",
			 mapped ? "given" : "derived", "lists", lists, "left_out", "no_reporting_consent",
			 (json_int_t)rep->no_consent, "no_organization", (json_int_t)rep->no_org, "unmapped",
			 (json_int_t)rep->unmapped);
}

json_t *kith_figures_estimate_json(const struct kith_figures_estimate *e)
{
	struct kith_err err;
	kith_err_clear(&err);
	json_t *counted = counted_json(&e->rep, e->mapped);
	json_t *total = NULL;
	if (!counted || !e->res[0] || kith_estimate_json(e->res[0], &total, &err)) {
		json_decref(counted);
		return NULL;
	}
	if (!e->stratify) {
		json_object_set_new(total, "counted", counted);
		return total;
	}
	json_t *strata = json_array();
	json_t *cov = coverage_json(e);
	json_t *root = cov ? json_pack("{s:o, s:o, s:o, s:o}", "total", total, "strata", strata, "counted",
				       counted, "coverage", cov)
			   : NULL;
	if (!root)
		return NULL;
	for (size_t i = 1; i < e->n; i++) {
		json_t *j = NULL, *x;
		if (e->res[i]) {
			if (kith_estimate_json(e->res[i], &j, &err)) {
				json_decref(root);
				return NULL;
			}
			x = json_pack("{s:s, s:o}", "stratum", e->names[i], "result", j);
		} else {
			x = json_pack("{s:s, s:s}", "stratum", e->names[i], "error", e->why[i]);
		}
		if (!x || json_array_append_new(strata, x)) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int kith_figures_estimate_counted_text(const struct kith_figures_estimate *e, const char *lang,
				       struct kith_sbuf *out, struct kith_err *err)
{
	const struct kith_persons_report *rep = &e->rep;
	int ko = lang && !strcmp(lang, "ko");
	int rc =
	    ko ? kith_sbuf_addf(
		     out,
		     "볼트에서 센 것: 사례 %zu건, 사람 %zu명 (확인된 연결로 합친 것 %zu, 기록 연결로 "
		     "합친 것 %zu, 검토자가 따로 둔 쌍 %zu)\n목록 (%s):\n",
		     rep->cases, rep->persons, rep->by_links, rep->by_engine, rep->vetoed,
		     e->mapped ? "목록 대응표에서" : "기관 이름을 쓴 그대로")
	       : kith_sbuf_addf(out,
				"Counted from the vault: %zu cases, %zu persons (%zu joins from confirmed "
				"links, %zu from record linkage, %zu pairs kept apart by reviewers)\n"
				"Lists (%s):\n",
				rep->cases, rep->persons, rep->by_links, rep->by_engine, rep->vetoed,
				e->mapped ? "from the list mapping" : "each organization as written");
	for (size_t i = 0; !rc && i < rep->n_spellings; i++)
		rc = ko ? kith_sbuf_addf(out, "  %-24s <- \"%s\" (사례 %zu건)\n", rep->spellings[i].list,
					 rep->spellings[i].organization, rep->spellings[i].cases)
			: kith_sbuf_addf(out, "  %-24s <- \"%s\" (%zu case%s)\n", rep->spellings[i].list,
					 rep->spellings[i].organization, rep->spellings[i].cases,
					 plural(rep->spellings[i].cases));
	if (!rc && rep->no_consent)
		rc = ko ? kith_sbuf_addf(out,
					 "빠진 것: 통계 보고 동의가 없는 사례 %zu건 (consent.reporting이 "
					 "true가 아님)\n",
					 rep->no_consent)
			: kith_sbuf_addf(
			      out,
			      "Left out: %zu case%s without consent to reporting (consent.reporting "
			      "not true)\n",
			      rep->no_consent, plural(rep->no_consent));
	if (!rc && rep->no_org)
		rc = ko ? kith_sbuf_addf(out,
					 "빠진 것: 기관(source.organization)이 없는 사례 %zu건 (어느 "
					 "목록에도 없음)\n",
					 rep->no_org)
			: kith_sbuf_addf(out,
					 "Left out: %zu case%s without source.organization (on no list)\n",
					 rep->no_org, plural(rep->no_org));
	if (!rc && rep->unmapped)
		rc =
		    ko ? kith_sbuf_addf(out, "빠진 것: 목록 대응표에 없는 기관의 사례 %zu건\n", rep->unmapped)
		       : kith_sbuf_addf(out,
					"Left out: %zu case%s whose organization the list mapping does not "
					"name\n",
					rep->unmapped, plural(rep->unmapped));
	if (!rc && !rep->engine_ran)
		rc = ko ? kith_sbuf_addf(out,
					 "기록 연결이 실행되지 않았습니다 (%s): 확인된 연결만으로 사람을 "
					 "셉니다\n",
					 rep->engine_note)
			: kith_sbuf_addf(
			      out, "Record linkage did not run (%s): persons from confirmed links only\n",
			      rep->engine_note);
	if (rc)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	return KITH_OK;
}

int kith_figures_estimate_summary(const struct kith_figures_estimate *e, size_t i, const char *lang,
				  struct kith_sbuf *out, struct kith_err *err)
{
	if (i >= e->n || !e->res[i])
		return kith_err_set(err, KITH_E_NOTFOUND, NULL, "no estimate for this stratum");
	return kith_estimate_summary(e->res[i], lang, out, err);
}

int kith_figures_estimate_text(const struct kith_figures_estimate *e, size_t i, const char *lang,
			       struct kith_sbuf *out, struct kith_err *err)
{
	int rc = kith_figures_estimate_summary(e, i, lang, out, err);
	if (!rc && kith_sbuf_addc(out, '\n'))
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	if (!rc)
		rc = kith_estimate_text(e->res[i], out, err);
	return rc;
}

/* Coverage by stratum, computed once for the text, the JSON and the web. */
struct coverage {
	int any;				/* with 2 strata or more */
	double lo, hi;				/* lowest and highest share (HUGE_VAL / 0 when none) */
	double sum;				/* the strata's estimates added, when all have one */
	int all;				/* every stratum has an estimate */
	double total;				/* the total's main estimate */
	int unequal;				/* hi / lo >= 1.25 */
	const struct kith_estimate_result *cov; /* the total's run, if it has the covariate model */
};

static void coverage_of(const struct kith_figures_estimate *e, struct coverage *c)
{
	memset(c, 0, sizeof *c);
	c->lo = HUGE_VAL;
	c->all = 1;
	c->any = e->stratify && e->n > 2;
	for (size_t i = 1; c->any && i < e->n; i++) {
		const struct kith_estimate_row *mr = e->res[i] ? kith_estimate_main_row(e->res[i]) : NULL;
		double obs = e->res[i] ? e->res[i]->observed : NAN, est = mr ? mr->n_hat : NAN;
		if (!(est > 0)) {
			c->all = 0;
			continue;
		}
		c->lo = fmin(c->lo, obs / est);
		c->hi = fmax(c->hi, obs / est);
		c->sum += est;
	}
	const struct kith_estimate_row *m0 = e->res[0] ? kith_estimate_main_row(e->res[0]) : NULL;
	c->total = m0 ? m0->n_hat : NAN;
	c->unequal = c->hi > 0 && c->lo < HUGE_VAL && c->hi / c->lo >= 1.25;
	if (e->res[0] && e->res[0]->lcm_cov_run)
		c->cov = e->res[0];
}

/* the covariate model's posterior of stratum `name`, or NULL */
static const struct kith_lcm_stratum *cov_stratum(const struct coverage *c, const char *name)
{
	for (size_t i = 0; c->cov && i < c->cov->n_cov_strata; i++)
		if (!strcmp(c->cov->cov_names[i], name))
			return &c->cov->cov_strata[i];
	return NULL;
}

struct figures_words_args {
	const struct kith_figures_estimate *e;
	const struct coverage *c;
	int ko;
};

/* the closing sentence in a's language */
static int coverage_words(const struct figures_words_args *a, struct kith_sbuf *out)
{
	const struct coverage *c = a->c;
	const char *f = a->e->stratify;
	int rc = 0;
	if (!(c->hi > 0 && c->lo < HUGE_VAL))
		return 0;
	if (c->unequal)
		rc = a->ko
			 ? kith_sbuf_addf(out,
					  "목록들이 %s의 층을 고르게 만나지 못했습니다 (%.0f%%에서 %.0f%%): "
					  "기록될 가능성이 이것에 따라 달라지므로 전체 추정만으로는 적게 "
					  "셉니다",
					  f, 100 * c->lo, 100 * c->hi)
			 : kith_sbuf_addf(out,
					  "The lists reached the strata of %s unequally (%.0f%% to %.0f%%): "
					  "capture depends on it, so the total alone underestimates",
					  f, 100 * c->lo, 100 * c->hi);
	else
		rc = a->ko ? kith_sbuf_addf(out, "목록들이 %s의 층을 비슷하게 만났습니다 (%.0f%%에서 %.0f%%)",
					    f, 100 * c->lo, 100 * c->hi)
			   : kith_sbuf_addf(
				 out, "The lists reached the strata of %s about equally (%.0f%% to %.0f%%)",
				 f, 100 * c->lo, 100 * c->hi);
	if (!rc && c->all)
		rc = a->ko
			 ? kith_sbuf_addf(out, "; 층별 추정의 합은 %.0f, 전체 추정은 %.0f입니다", c->sum,
					  c->total > 0 ? c->total : NAN)
			 : kith_sbuf_addf(out, "; the strata's estimates add up to %.0f, the total's is %.0f",
					  c->sum, c->total > 0 ? c->total : NAN);
	if (!rc && c->cov && c->cov->sel_lcm_cov != KITH_ESTIMATE_NONE) {
		const struct kith_estimate_row *r = &c->cov->rows[c->cov->sel_lcm_cov];
		rc = a->ko
			 ? kith_sbuf_addf(out,
					  "; %s을(를) 공변량으로 둔 잠재계층 모형은 %.0f명 (%.0f에서 %.0f)",
					  f, r->n_hat, r->lo, r->hi)
			 : kith_sbuf_addf(out,
					  "; the latent-class model with %s as a covariate gives %.0f (%.0f "
					  "to %.0f)",
					  f, r->n_hat, r->lo, r->hi);
	}
	if (!rc)
		rc = kith_sbuf_adds(out, ".\n");
	return rc;
}

int kith_figures_estimate_coverage(const struct kith_figures_estimate *e, const char *lang,
				   struct kith_sbuf *out, struct kith_err *err)
{
	struct coverage c;
	coverage_of(e, &c);
	if (!c.any)
		return KITH_OK;
	int ko = lang && !strcmp(lang, "ko");
	int rc = ko ? kith_sbuf_addf(out, "%s별 도달률 (관찰 / 추정, 주 모형%s):\n", e->stratify,
				     c.cov ? "; 공변량 잠재계층 모형" : "")
		    : kith_sbuf_addf(out, "coverage by %s (observed / estimated, main model%s):\n",
				     e->stratify, c.cov ? "; latent classes with the covariate" : "");
	for (size_t i = 1; !rc && i < e->n; i++) {
		const struct kith_estimate_row *mr = e->res[i] ? kith_estimate_main_row(e->res[i]) : NULL;
		double obs = e->res[i] ? e->res[i]->observed : NAN, est = mr ? mr->n_hat : NAN;
		const struct kith_lcm_stratum *q = cov_stratum(&c, e->names[i]);
		if (!(est > 0))
			rc = ko ? kith_sbuf_addf(out, "  %-24s %8.0f명 관찰, 추정 없음", e->names[i],
						 isnan(obs) ? 0 : obs)
				: kith_sbuf_addf(out, "  %-24s %8.0f observed, no estimate", e->names[i],
						 isnan(obs) ? 0 : obs);
		else
			rc = kith_sbuf_addf(out, "  %-24s %8.0f of %8.0f  %5.1f%%", e->names[i], obs, est,
					    100 * obs / est);
		if (!rc && q)
			rc = kith_sbuf_addf(out, "   %8.0f (%.0f-%.0f)", q->median, q->lo, q->hi);
		if (!rc)
			rc = kith_sbuf_addc(out, '\n');
	}
	struct figures_words_args a = {e, &c, ko};
	if (!rc)
		rc = coverage_words(&a, out);
	if (!rc)
		rc = kith_sbuf_addc(out, '\n');
	return rc ? kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory") : KITH_OK;
}

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* the coverage as JSON ("coverage" of kith_figures_estimate_json), or null */
static json_t *coverage_json(const struct kith_figures_estimate *e)
{
	struct coverage c;
	coverage_of(e, &c);
	if (!c.any)
		return json_null();
	json_t *st = json_array();
	for (size_t i = 1; st && i < e->n; i++) {
		const struct kith_estimate_row *mr = e->res[i] ? kith_estimate_main_row(e->res[i]) : NULL;
		double obs = e->res[i] ? e->res[i]->observed : NAN, est = mr ? mr->n_hat : NAN;
		const struct kith_lcm_stratum *q = cov_stratum(&c, e->names[i]);
		json_t *lc = q ? json_pack("{s:o, s:[oo]}", "median", jnum(q->median), "ci95", jnum(q->lo),
					   jnum(q->hi))
			       : json_null();
		json_t *x = json_pack("{s:s, s:o, s:o, s:s?, s:o, s:o}", "stratum", e->names[i], "observed",
				      jnum(obs), "estimate", jnum(est), "model", mr ? mr->name : NULL,
				      "share", jnum(est > 0 ? obs / est : NAN), "lcm_covariate", lc);
		if (!x || json_array_append_new(st, x)) {
			json_decref(st);
			return NULL;
		}
	}
	struct kith_sbuf en = KITH_SBUF_INIT, ko = KITH_SBUF_INIT;
	struct figures_words_args a = {e, &c, 0}, b = {e, &c, 1};
	json_t *out = NULL;
	if (st && !coverage_words(&a, &en) && !coverage_words(&b, &ko)) {
		if (en.len && en.buf[en.len - 1] == '\n')
			en.buf[--en.len] = '\0';
		if (ko.len && ko.buf[ko.len - 1] == '\n')
			ko.buf[--ko.len] = '\0';
		int have = c.hi > 0 && c.lo < HUGE_VAL;
		const struct kith_estimate_row *cr = c.cov && c.cov->sel_lcm_cov != KITH_ESTIMATE_NONE
							 ? &c.cov->rows[c.cov->sel_lcm_cov]
							 : NULL;
		out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "field", e->stratify,
				"strata", st, "share_low", jnum(have ? c.lo : NAN), "share_high",
				jnum(have ? c.hi : NAN), "unequal",
				have ? json_boolean(c.unequal) : json_null(), "strata_sum",
				jnum(c.all ? c.sum : NAN), "total", jnum(c.total), "lcm_covariate",
				cr ? json_pack("{s:s, s:o, s:[oo]}", "model", cr->name, "n_hat",
					       jnum(cr->n_hat), "ci95", jnum(cr->lo), jnum(cr->hi))
				   : json_null(),
				"words_en", en.buf ? en.buf : "", "words_ko", ko.buf ? ko.buf : "");
		st = NULL;
	}
	json_decref(st);
	kith_sbuf_release(&en);
	kith_sbuf_release(&ko);
	return out;
}

int kith_figures_estimate_svg(const struct kith_figures_estimate *e, struct kith_sbuf *out,
			      struct kith_err *err)
{
	const struct kith_estimate_result *r = e->res[0];
	char title[160];
	snprintf(title, sizeof title, "Population estimates%s: %.0f observed on %u lists",
		 e->stratify ? " (all strata)" : "", r->observed, r->k);
	return kith_estimate_svg(r, title, out, err);
}
