/*
 * kith estimate — how many people no list reached: multiple systems
 * estimation from the overlap of lists (src/stats/estimate.h does the work).
 *
 *   kith estimate [options] FILE          a contingency table or one row per person (CSV)
 *   kith estimate --vault PATH [--stratify FIELD] [options]
 *                                         the vault's linked cases, lists = recording organizations
 *
 * Prints a panel of models with intervals, the selected estimates and how far
 * the defensible ones disagree; --json prints the same as JSON, --plot FILE
 * writes an SVG chart. Progress of the bootstrap and the sampler goes to
 * stderr (on a terminal).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "base/io.h"
#include "base/sbuf.h"
#include "stats/estimate.h"
#include "stats/summary.h"
#include "stats/table.h"
#include "casework/persons.h"
#include "vault/vault.h"

int kith_cmd_estimate(int argc, char **argv);

static const char *const help =
    "usage: kith estimate [options] FILE\n"
    "       kith estimate --vault PATH [--lists MAPPING.csv] [--stratify FIELD] [options]\n"
    "\n"
    "Estimates how many people no list recorded, from the overlap of lists\n"
    "(multiple systems estimation), and shows every defensible model and how far\n"
    "they disagree.\n"
    "\n"
    "FILE is CSV: one 0/1 column per list and a last column `count`, one row per\n"
    "pattern (a '#' comment line is allowed); or one 0/1 column per list and no\n"
    "count, one row per person. '-' reads standard input.\n"
    "\n"
    "options:\n"
    "  --json              print JSON (lists, observed, models, selected, sensitivity)\n"
    "  --plot FILE         write an SVG chart of the estimates and intervals\n"
    "  --max-order N       highest interaction of the hierarchical models\n"
    "                      (default: number of lists - 1 up to 5 lists, else 2)\n"
    "  --all               show every hierarchical model, not only the best ones\n"
    "  --top N             hierarchical models shown per criterion (default 5)\n"
    "  --pthresh P         p-value threshold of the stepwise method (default 0.02)\n"
    "  --boot N            bootstrap replicates for the BCa interval (default 1000;\n"
    "                      0 = no bootstrap)\n"
    "  --seed N            seed of the bootstrap and the sampler (default 1234)\n"
    "  --threads N         threads (default: one per processor)\n"
    "  --level X           interval level (default 0.95)\n"
    "  --lcm-classes K     latent classes (default 10)\n"
    "  --lcm-iter N        sampler iterations per chain after burn-in (default 50000)\n"
    "  --lcm-burnin N      iterations discarded first (default 10000)\n"
    "  --lcm-thin N        keep every N-th iteration (default 10)\n"
    "  --lcm-chains N      chains, compared by R-hat (default 4)\n"
    "  --no-lcm            skip the latent-class model\n"
    "  --het-max SD        strongest person heterogeneity the plausible range\n"
    "                      considers (sd of the log-odds; default 0.5)\n"
    "  --lang en|ko        language of the summary sentences first (default en)\n"
    "  --no-het            no heterogeneity analysis (the range is the sensitivity\n"
    "                      and Chao's lower bound)\n"
    "  --vault PATH        estimate from the vault's cases (default $KITH_VAULT)\n"
    "  --passphrase-file FILE   read the vault passphrase from FILE\n"
    "  --stratify FIELD    with --vault: estimates per value of FIELD, and the total\n"
    "  --lists FILE        with --vault: which list each organization's cases are on,\n"
    "                      CSV \"organization,list\" (one row per spelling of\n"
    "                      source.organization); without it each spelling is its own\n"
    "                      list, and spellings written alike are refused\n"
    "\n"
    "From a vault only cases whose consent.reporting is true are counted; the lists,\n"
    "the organizations mapped to each and what was left out are shown first.\n"
    "  -h, --help          this help\n"
    "\n"
    "Models: M0, Mt, Mh/Mth with Chao, Poisson2, Darroch and Gamma3.5 heterogeneity\n"
    "(Rcapture), hierarchical log-linear models in Rcapture's notation \"[12,13,3]\"\n"
    "(lists numbered in column order) selected by AIC and BIC, the stepwise method\n"
    "of Chan, Silverman & Vincent (2021) and the latent-class model of\n"
    "Manrique-Vallier (2016). A model whose MLE does not exist is shown as no-mle.\n"
    "docs/estimate.md explains the methods.\n";

enum {
	OPT_JSON = 0x200,
	OPT_PLOT,
	OPT_MAXORDER,
	OPT_ALL,
	OPT_TOP,
	OPT_PTHRESH,
	OPT_BOOT,
	OPT_SEED,
	OPT_THREADS,
	OPT_LEVEL,
	OPT_HET_MAX,
	OPT_NO_HET,
	OPT_LANG,
	OPT_LCM_CLASSES,
	OPT_LCM_ITER,
	OPT_LCM_BURNIN,
	OPT_LCM_THIN,
	OPT_LCM_CHAINS,
	OPT_NO_LCM,
	OPT_STRATIFY,
	OPT_LISTS,
};

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_dbl(const char *s, double lo, double hi, double *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

struct prog {
	struct kith_cli_progress p;
	const char *stage;
	int active;
};

static void on_progress(void *pctx, const char *stage, size_t done, size_t total)
{
	struct prog *pg = pctx;
	if (!pg->active || pg->stage != stage) {
		if (pg->active)
			kith_cli_progress_done(&pg->p);
		kith_cli_progress_init(&pg->p, stage);
		pg->stage = stage;
		pg->active = 1;
	}
	kith_cli_progress_update(&pg->p, done, total);
}

static void progress_end(struct prog *pg)
{
	if (pg->active)
		kith_cli_progress_done(&pg->p);
	pg->active = 0;
	pg->stage = NULL;
}

/* Runs the estimate of one table; prints nothing. */
static int run_one(const struct kith_stats_table *t, const struct kith_estimate_opts *o,
		   struct kith_estimate_result **res, struct kith_err *err)
{
	return kith_estimate_run(t, o, res, err);
}

static int write_plot(const char *path, const struct kith_estimate_result *r, const char *title)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_estimate_svg(r, title, &sb, &err);
	if (!rc)
		rc = kith_io_write_atomic(path, sb.buf, sb.len, &err);
	kith_sbuf_release(&sb);
	return rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
}

static int print_text(const struct kith_estimate_result *r, const char *heading, const char *lang)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = KITH_OK;
	if (heading)
		rc = kith_sbuf_addf(&sb, "== %s\n", heading);
	if (!rc)
		rc = kith_estimate_summary(r, lang, &sb, &err);
	if (!rc)
		rc = kith_sbuf_addc(&sb, '\n');
	if (!rc)
		rc = kith_estimate_text(r, &sb, &err);
	if (rc) {
		kith_sbuf_release(&sb);
		return kith_cli_fail(rc, &err);
	}
	int ex = KITH_EXIT_OK;
	if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len || fflush(stdout)) {
		fprintf(stderr, "kith: cannot write to standard output\n");
		ex = KITH_EXIT_IO;
	}
	kith_sbuf_release(&sb);
	return ex;
}

static int from_file(const char *path, const struct kith_estimate_opts *o, int json, const char *plot,
		     const char *lang, struct prog *pg)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_stats_table *t = NULL;
	int rc = kith_stats_table_read(&t, path, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	struct kith_estimate_result *r = NULL;
	rc = run_one(t, o, &r, &err);
	progress_end(pg);
	kith_stats_table_free(t);
	if (rc)
		return kith_cli_fail(rc, &err);
	int ex;
	if (json) {
		json_t *j = NULL;
		rc = kith_estimate_json(r, &j, &err);
		ex = rc ? kith_cli_fail(rc, &err) : kith_cli_print_json(j);
		json_decref(j);
	} else {
		ex = print_text(r, NULL, lang);
	}
	if (ex == KITH_EXIT_OK && plot) {
		char title[160];
		snprintf(title, sizeof title, "Population estimates: %.0f observed on %u lists", r->observed,
			 r->k);
		ex = write_plot(plot, r, title);
	}
	kith_estimate_free(r);
	return ex;
}

/* Coverage by stratum: the share of each stratum's estimated people that the
 * lists reached. Unequal shares mean capture depends on the field, a
 * heterogeneity that the unstratified estimate does not see. */
static void print_coverage(const char *field, const char *const *names, size_t ntab, const double *obs,
			   const double *est)
{
	printf("coverage by %s (observed / estimated, main model):\n", field);
	double lo = HUGE_VAL, hi = 0, sum = 0;
	int all = 1;
	for (size_t i = 1; i < ntab; i++) {
		if (!(est[i] > 0)) {
			printf("  %-24s %8.0f observed, no estimate\n", names[i - 1],
			       isnan(obs[i]) ? 0 : obs[i]);
			all = 0;
			continue;
		}
		double share = obs[i] / est[i];
		printf("  %-24s %8.0f of %8.0f  %5.1f%%\n", names[i - 1], obs[i], est[i], 100 * share);
		lo = fmin(lo, share);
		hi = fmax(hi, share);
		sum += est[i];
	}
	if (hi > 0 && lo < HUGE_VAL && hi / lo >= 1.25)
		printf("The lists reached the strata of %s unequally (%.0f%% to %.0f%%): capture depends on "
		       "it, so the total alone underestimates%s",
		       field, 100 * lo, 100 * hi, all ? "" : ".\n");
	else if (hi > 0 && lo < HUGE_VAL)
		printf("The lists reached the strata of %s about equally (%.0f%% to %.0f%%)%s", field,
		       100 * lo, 100 * hi, all ? "" : ".\n");
	if (hi > 0 && lo < HUGE_VAL && all)
		printf("; the strata's estimates add up to %.0f, the total's is %.0f.\n", sum,
		       est[0] > 0 ? est[0] : NAN);
	putchar('\n');
}

/* What was counted, shown before any figure: the lists with the
 * organization spellings mapped to each, and the cases left out and why. */
static void print_counted(const struct kith_persons_report *rep, int mapped)
{
	printf("Counted from the vault: %zu cases, %zu persons (%zu joins from confirmed links, %zu from "
	       "record linkage, %zu pairs kept apart by reviewers)\n",
	       rep->cases, rep->persons, rep->by_links, rep->by_engine, rep->vetoed);
	printf("Lists (%s):\n", mapped ? "from the list mapping" : "each organization as written");
	for (size_t i = 0; i < rep->n_spellings; i++)
		printf("  %-24s <- \"%s\" (%zu case%s)\n", rep->spellings[i].list,
		       rep->spellings[i].organization, rep->spellings[i].cases,
		       rep->spellings[i].cases == 1 ? "" : "s");
	if (rep->no_consent)
		printf("Left out: %zu case%s without consent to reporting (consent.reporting not true)\n",
		       rep->no_consent, rep->no_consent == 1 ? "" : "s");
	if (rep->no_org)
		printf("Left out: %zu case%s without source.organization (on no list)\n", rep->no_org,
		       rep->no_org == 1 ? "" : "s");
	if (rep->unmapped)
		printf("Left out: %zu case%s whose organization the list mapping does not name\n",
		       rep->unmapped, rep->unmapped == 1 ? "" : "s");
	if (!rep->engine_ran)
		printf("Record linkage did not run (%s): persons from confirmed links only\n",
		       rep->engine_note);
	putchar('\n');
}

static json_t *counted_json(const struct kith_persons_report *rep, int mapped)
{
	json_t *lists = json_array();
	for (size_t i = 0; lists && i < rep->n_spellings; i++)
		json_array_append_new(lists, json_pack("{s:s, s:s, s:I}", "list", rep->spellings[i].list,
						       "organization", rep->spellings[i].organization,
						       "cases", (json_int_t)rep->spellings[i].cases));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:s, s:o, s:{s:I, s:I, s:I}}", "cases",
			 (json_int_t)rep->cases, "persons", (json_int_t)rep->persons, "joins_confirmed",
			 (json_int_t)rep->by_links, "joins_linkage", (json_int_t)rep->by_engine,
			 "vetoed_pairs", (json_int_t)rep->vetoed, "linkage_ran", rep->engine_ran,
			 "list_mapping", mapped ? "given" : "derived", "lists", lists, "left_out",
			 "no_reporting_consent", (json_int_t)rep->no_consent, "no_organization",
			 (json_int_t)rep->no_org, "unmapped", (json_int_t)rep->unmapped);
}

static int from_vault(const struct kith_cli_vault_args *va, const char *stratify, const char *lists_file,
		      const struct kith_estimate_opts *o, int json, const char *plot, const char *lang,
		      struct prog *pg)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_persons_listmap *map = NULL;
	if (lists_file) {
		struct kith_sbuf sb = KITH_SBUF_INIT;
		int rc = kith_io_read_file(lists_file, 1 << 20, &sb, &err);
		if (!rc)
			rc = kith_persons_listmap_parse(sb.buf ? sb.buf : "", sb.len, lists_file, &map, &err);
		kith_sbuf_release(&sb);
		if (rc)
			return kith_cli_fail(rc, &err);
	}
	struct kith_vault *v = NULL;
	int ex = kith_cli_open_vault("estimate", va, &v);
	if (ex) {
		kith_persons_listmap_free(map);
		return ex;
	}
	kith_cli_report_damage(v);
	struct kith_stats_memberships ms;
	struct kith_persons_report rep;
	struct kith_persons_opts po = {.stratify = stratify, .lists = map};
	int prc = kith_persons_memberships(v, &po, &ms, &rep, &err);
	kith_vault_close(v);
	kith_persons_listmap_free(map);
	if (prc)
		return kith_cli_fail(prc, &err);
	json_t *jcounted = json ? counted_json(&rep, lists_file != NULL) : NULL;
	if (!json)
		print_counted(&rep, lists_file != NULL);
	kith_persons_report_release(&rep);
	ex = KITH_EXIT_OK;
	struct kith_stats_table **tabs = NULL;
	size_t ntab = 0;
	int rc =
	    kith_stats_table_from_memberships(&tabs, &ntab, ms.m, ms.n, (const char *const *)ms.list_names,
					      ms.n_lists, stratify ? ms.n_strata : 0, &err);
	if (rc) {
		json_decref(jcounted);
		kith_stats_memberships_release(&ms);
		return kith_cli_fail(rc, &err);
	}
	json_t *jroot = json ? json_object() : NULL, *jstrata = json ? json_array() : NULL;
	ex = KITH_EXIT_OK;
	struct kith_estimate_result *total = NULL;
	/* coverage by stratum: observed and the main estimate of each */
	double *cov_obs = calloc(ntab ? ntab : 1, sizeof *cov_obs),
	       *cov_est = calloc(ntab ? ntab : 1, sizeof *cov_est);
	if (!cov_obs || !cov_est)
		ex = kith_cli_fail(KITH_E_NOMEM, NULL);
	for (size_t i = 0; i < ntab; i++)
		cov_obs[i] = cov_est[i] = NAN;
	for (size_t i = 0; i < ntab && ex == KITH_EXIT_OK; i++) {
		const char *sname = i == 0 ? "total" : ms.stratum_names[i - 1];
		struct kith_stats_table *use = NULL;
		struct kith_estimate_result *r = NULL;
		kith_err_clear(&err);
		if (!tabs[i]) {
			rc = kith_err_set(&err, KITH_E_INVALID, NULL, "no one recorded");
		} else {
			rc = i == 0 ? KITH_OK : kith_stats_table_drop_empty(&use, tabs[i], &err);
			if (!rc)
				rc = run_one(use ? use : tabs[i], o, &r, &err);
			progress_end(pg);
		}
		kith_stats_table_free(use);
		if (rc == KITH_E_NOMEM) {
			ex = kith_cli_fail(rc, &err);
			break;
		}
		if (rc && i == 0) {
			ex = kith_cli_fail(rc, &err);
			break;
		}
		if (json) {
			json_t *j = NULL;
			if (!rc && kith_estimate_json(r, &j, &err)) {
				kith_estimate_free(r);
				ex = kith_cli_fail(KITH_E_NOMEM, &err);
				break;
			}
			if (i == 0) {
				json_object_set_new(jroot, "total", j);
			} else {
				json_t *e = rc ? json_pack("{s:s, s:s}", "stratum", sname, "error", err.msg)
					       : json_pack("{s:s, s:o}", "stratum", sname, "result", j);
				json_array_append_new(jstrata, e);
			}
		} else if (rc) {
			printf("== %s %s\nno estimate: %s\n\n", stratify, sname, err.msg);
		} else {
			char head[256];
			snprintf(head, sizeof head, "%s%s%s", i == 0 ? "" : stratify, i == 0 ? "" : " ",
				 sname);
			ex = print_text(r, stratify ? head : NULL, lang);
			if (stratify)
				putchar('\n');
		}
		if (!rc && r) {
			const struct kith_estimate_row *mr = kith_estimate_main_row(r);
			cov_obs[i] = r->observed;
			cov_est[i] = mr ? mr->n_hat : NAN;
		}
		if (i == 0)
			total = r;
		else
			kith_estimate_free(r);
	}
	if (ex == KITH_EXIT_OK && !json && stratify && ntab > 2)
		print_coverage(stratify, (const char *const *)ms.stratum_names, ntab, cov_obs, cov_est);
	free(cov_obs);
	free(cov_est);
	if (ex == KITH_EXIT_OK && json) {
		if (stratify)
			json_object_set_new(jroot, "strata", jstrata);
		else
			json_decref(jstrata);
		jstrata = NULL;
		/* what was counted goes with the figures: beside the strata, or in the total */
		json_t *dst = stratify ? jroot : json_object_get(jroot, "total");
		json_object_set_new(dst, "counted", jcounted);
		jcounted = NULL;
		ex = kith_cli_print_json(dst);
	}
	if (ex == KITH_EXIT_OK && plot && total) {
		char title[160];
		snprintf(title, sizeof title, "Population estimates (all strata): %.0f observed on %u lists",
			 total->observed, total->k);
		ex = write_plot(plot, total, title);
	}
	json_decref(jcounted);
	json_decref(jstrata);
	json_decref(jroot);
	kith_estimate_free(total);
	kith_stats_tables_free(tabs, ntab);
	kith_stats_memberships_release(&ms);
	return ex;
}

int kith_cmd_estimate(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'},
	    {"json", no_argument, 0, OPT_JSON},
	    {"plot", required_argument, 0, OPT_PLOT},
	    {"max-order", required_argument, 0, OPT_MAXORDER},
	    {"all", no_argument, 0, OPT_ALL},
	    {"top", required_argument, 0, OPT_TOP},
	    {"pthresh", required_argument, 0, OPT_PTHRESH},
	    {"boot", required_argument, 0, OPT_BOOT},
	    {"seed", required_argument, 0, OPT_SEED},
	    {"threads", required_argument, 0, OPT_THREADS},
	    {"level", required_argument, 0, OPT_LEVEL},
	    {"lcm-classes", required_argument, 0, OPT_LCM_CLASSES},
	    {"lcm-iter", required_argument, 0, OPT_LCM_ITER},
	    {"lcm-burnin", required_argument, 0, OPT_LCM_BURNIN},
	    {"lcm-thin", required_argument, 0, OPT_LCM_THIN},
	    {"lcm-chains", required_argument, 0, OPT_LCM_CHAINS},
	    {"no-lcm", no_argument, 0, OPT_NO_LCM},
	    {"het-max", required_argument, 0, OPT_HET_MAX},
	    {"no-het", no_argument, 0, OPT_NO_HET},
	    {"lang", required_argument, 0, OPT_LANG},
	    {"stratify", required_argument, 0, OPT_STRATIFY},
	    {"lists", required_argument, 0, OPT_LISTS},
	    KITH_CLI_VAULT_LONGOPTS,
	    {0, 0, 0, 0},
	};
	struct kith_estimate_opts o = {0};
	struct kith_cli_vault_args va = {0};
	o.seed = 1234;
	int json = 0;
	const char *plot = NULL, *stratify = NULL, *lists = NULL, *lang = "en";
	uint64_t u;
	double d;
	kith_cli_getopt_reset();
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, c, optarg))
			continue;
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_PLOT:
			plot = optarg;
			break;
		case OPT_MAXORDER:
			if (parse_u64(optarg, 1, KITH_STATS_MAX_LISTS - 1, &u))
				return kith_cli_usage("estimate", "--max-order takes a number from 1 to %u",
						      KITH_STATS_MAX_LISTS - 1);
			o.max_order = (unsigned)u;
			break;
		case OPT_ALL:
			o.all_models = 1;
			break;
		case OPT_TOP:
			if (parse_u64(optarg, 1, 1000, &u))
				return kith_cli_usage("estimate", "--top takes a number from 1 to 1000");
			o.top = (size_t)u;
			break;
		case OPT_PTHRESH:
			if (parse_dbl(optarg, 1e-12, 1, &d))
				return kith_cli_usage("estimate", "--pthresh takes a probability in (0, 1]");
			o.pthresh = d;
			break;
		case OPT_BOOT:
			if (parse_u64(optarg, 0, 1000000, &u) || (u > 0 && u < 10))
				return kith_cli_usage("estimate",
						      "--boot takes 0 (none) or 10 to 1000000 replicates");
			if (u == 0)
				o.no_boot = 1;
			o.boot = (size_t)u;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &u))
				return kith_cli_usage("estimate", "--seed takes a non-negative integer");
			o.seed = u;
			break;
		case OPT_THREADS:
			if (parse_u64(optarg, 1, 256, &u))
				return kith_cli_usage("estimate", "--threads takes a number from 1 to 256");
			o.threads = (unsigned)u;
			break;
		case OPT_LEVEL:
			if (parse_dbl(optarg, 0.5, 0.999, &d))
				return kith_cli_usage("estimate", "--level takes a number from 0.5 to 0.999");
			o.level = d;
			break;
		case OPT_LCM_CLASSES:
			if (parse_u64(optarg, 2, 100, &u))
				return kith_cli_usage("estimate",
						      "--lcm-classes takes a number from 2 to 100");
			o.lcm.classes = (unsigned)u;
			break;
		case OPT_LCM_ITER:
			if (parse_u64(optarg, 1, 100000000, &u))
				return kith_cli_usage("estimate",
						      "--lcm-iter takes a number from 1 to 100000000");
			o.lcm.iter = (size_t)u;
			break;
		case OPT_LCM_BURNIN:
			if (parse_u64(optarg, 1, 100000000, &u))
				return kith_cli_usage("estimate",
						      "--lcm-burnin takes a number from 1 to 100000000");
			o.lcm.burnin = (size_t)u;
			break;
		case OPT_LCM_THIN:
			if (parse_u64(optarg, 1, 1000000, &u))
				return kith_cli_usage("estimate",
						      "--lcm-thin takes a number from 1 to 1000000");
			o.lcm.thin = (size_t)u;
			break;
		case OPT_LCM_CHAINS:
			if (parse_u64(optarg, 1, 64, &u))
				return kith_cli_usage("estimate", "--lcm-chains takes a number from 1 to 64");
			o.lcm.chains = (unsigned)u;
			break;
		case OPT_NO_LCM:
			o.no_lcm = 1;
			break;
		case OPT_HET_MAX:
			if (parse_dbl(optarg, 0.05, 2, &d))
				return kith_cli_usage("estimate", "--het-max takes a number from 0.05 to 2");
			o.hetero_vmax = d;
			break;
		case OPT_NO_HET:
			o.no_hetero = 1;
			break;
		case OPT_LANG:
			if (strcmp(optarg, "en") != 0 && strcmp(optarg, "ko") != 0)
				return kith_cli_usage("estimate", "--lang takes en or ko");
			lang = optarg;
			break;
		case OPT_STRATIFY:
			if (!*optarg)
				return kith_cli_usage("estimate", "--stratify takes a field name");
			stratify = optarg;
			break;
		case OPT_LISTS:
			lists = optarg;
			break;
		default:
			return kith_cli_usage("estimate", "unknown option");
		}
	}
	size_t thin = o.lcm.thin ? o.lcm.thin : 10, iter = o.lcm.iter ? o.lcm.iter : 50000;
	if (!o.no_lcm && thin > iter)
		return kith_cli_usage("estimate", "--lcm-thin is larger than --lcm-iter");
	int nfiles = argc - optind;
	int use_vault = va.vault != NULL || stratify != NULL || lists != NULL || va.passfile != NULL ||
			(nfiles == 0 && kith_cli_vault_path(NULL) != NULL);
	if (use_vault && nfiles > 0)
		return kith_cli_usage("estimate", "give a FILE or --vault, not both");
	if (!use_vault && nfiles != 1)
		return kith_cli_usage("estimate", nfiles ? "one FILE at a time"
							 : "no input: give a FILE or --vault PATH");
	struct prog pg = {0};
	o.progress = on_progress;
	o.pctx = &pg;
	if (use_vault)
		return from_vault(&va, stratify, lists, &o, json, plot, lang, &pg);
	return from_file(argv[optind], &o, json, plot, lang, &pg);
}
