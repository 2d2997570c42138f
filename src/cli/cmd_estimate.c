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
#include "casework/figures.h"
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

static int print_sbuf(struct kith_sbuf *sb)
{
	int ex = KITH_EXIT_OK;
	if (fwrite(sb->buf ? sb->buf : "", 1, sb->len, stdout) != sb->len || fflush(stdout)) {
		fprintf(stderr, "kith: cannot write to standard output\n");
		ex = KITH_EXIT_IO;
	}
	kith_sbuf_reset(sb);
	return ex;
}

/* The vault's persons, estimated by casework/figures.h: the same call as the
 * web's figures page. What was counted is shown before any figure. */
static int from_vault(const struct kith_cli_vault_args *va, const char *stratify, const char *lists_file,
		      const struct kith_estimate_opts *o, int json, const char *plot, const char *lang,
		      struct prog *pg)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf lists = KITH_SBUF_INIT;
	if (lists_file) {
		int rc = kith_io_read_file(lists_file, 1 << 20, &lists, &err);
		if (rc) {
			kith_sbuf_release(&lists);
			return kith_cli_fail(rc, &err);
		}
	}
	struct kith_vault *v = NULL;
	int ex = kith_cli_open_vault("estimate", va, &v);
	if (ex) {
		kith_sbuf_release(&lists);
		return ex;
	}
	kith_cli_report_damage(v);
	struct kith_figures_estimate_opts fo = {.stratify = stratify,
						.lists = lists_file ? (lists.buf ? lists.buf : "") : NULL,
						.lists_len = lists.len,
						.lists_name = lists_file,
						.est = o};
	struct kith_figures_estimate *e = NULL;
	int rc = kith_figures_estimate_run(v, &fo, &e, &err);
	progress_end(pg);
	kith_vault_close(v);
	kith_sbuf_release(&lists);
	if (rc)
		return kith_cli_fail(rc, &err);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	if (json) {
		json_t *j = kith_figures_estimate_json(e);
		ex = j ? kith_cli_print_json(j) : kith_cli_fail(KITH_E_NOMEM, NULL);
		json_decref(j);
	} else {
		rc = kith_figures_estimate_counted_text(e, "en", &sb, &err);
		if (!rc && !kith_sbuf_addc(&sb, '\n'))
			ex = print_sbuf(&sb);
		else
			ex = kith_cli_fail(rc ? rc : KITH_E_NOMEM, &err);
		for (size_t i = 0; ex == KITH_EXIT_OK && i < kith_figures_estimate_count(e); i++) {
			const char *why = kith_figures_estimate_error(e, i);
			if (!stratify && i > 0)
				break;
			if (stratify)
				rc = i == 0 ? kith_sbuf_adds(&sb, "== total\n")
					    : kith_sbuf_addf(&sb, "== %s %s\n", stratify,
							     kith_figures_estimate_name(e, i));
			if (!rc && why)
				rc = kith_sbuf_addf(&sb, "no estimate: %s\n", why);
			else if (!rc)
				rc = kith_figures_estimate_text(e, i, lang, &sb, &err);
			if (!rc && stratify)
				rc = kith_sbuf_addc(&sb, '\n');
			ex = rc ? kith_cli_fail(rc, &err) : print_sbuf(&sb);
		}
		/* coverage by stratum: how evenly the lists reached each stratum */
		if (ex == KITH_EXIT_OK && stratify) {
			rc = kith_figures_estimate_coverage(e, lang, &sb, &err);
			ex = rc ? kith_cli_fail(rc, &err) : print_sbuf(&sb);
		}
	}
	if (ex == KITH_EXIT_OK && plot) {
		rc = kith_figures_estimate_svg(e, &sb, &err);
		if (!rc)
			rc = kith_io_write_atomic(plot, sb.buf, sb.len, &err);
		ex = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	}
	kith_sbuf_release(&sb);
	kith_figures_estimate_free(e);
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
			if (kith_cli_parse_u64(optarg, 1, KITH_STATS_MAX_LISTS - 1, &u))
				return kith_cli_usage("estimate", "--max-order takes a number from 1 to %u",
						      KITH_STATS_MAX_LISTS - 1);
			o.max_order = (unsigned)u;
			break;
		case OPT_ALL:
			o.all_models = 1;
			break;
		case OPT_TOP:
			if (kith_cli_parse_u64(optarg, 1, 1000, &u))
				return kith_cli_usage("estimate", "--top takes a number from 1 to 1000");
			o.top = (size_t)u;
			break;
		case OPT_PTHRESH:
			if (kith_cli_parse_double(optarg, 1e-12, 1, &d))
				return kith_cli_usage("estimate", "--pthresh takes a probability in (0, 1]");
			o.pthresh = d;
			break;
		case OPT_BOOT:
			if (kith_cli_parse_u64(optarg, 0, 1000000, &u) || (u > 0 && u < 10))
				return kith_cli_usage("estimate",
						      "--boot takes 0 (none) or 10 to 1000000 replicates");
			if (u == 0)
				o.no_boot = 1;
			o.boot = (size_t)u;
			break;
		case OPT_SEED:
			if (kith_cli_parse_u64(optarg, 0, UINT64_MAX, &u))
				return kith_cli_usage("estimate", "--seed takes a non-negative integer");
			o.seed = u;
			break;
		case OPT_THREADS:
			if (kith_cli_parse_u64(optarg, 1, 256, &u))
				return kith_cli_usage("estimate", "--threads takes a number from 1 to 256");
			o.threads = (unsigned)u;
			break;
		case OPT_LEVEL:
			if (kith_cli_parse_double(optarg, 0.5, 0.999, &d))
				return kith_cli_usage("estimate", "--level takes a number from 0.5 to 0.999");
			o.level = d;
			break;
		case OPT_LCM_CLASSES:
			if (kith_cli_parse_u64(optarg, 2, 100, &u))
				return kith_cli_usage("estimate",
						      "--lcm-classes takes a number from 2 to 100");
			o.lcm.classes = (unsigned)u;
			break;
		case OPT_LCM_ITER:
			if (kith_cli_parse_u64(optarg, 1, 100000000, &u))
				return kith_cli_usage("estimate",
						      "--lcm-iter takes a number from 1 to 100000000");
			o.lcm.iter = (size_t)u;
			break;
		case OPT_LCM_BURNIN:
			if (kith_cli_parse_u64(optarg, 1, 100000000, &u))
				return kith_cli_usage("estimate",
						      "--lcm-burnin takes a number from 1 to 100000000");
			o.lcm.burnin = (size_t)u;
			break;
		case OPT_LCM_THIN:
			if (kith_cli_parse_u64(optarg, 1, 1000000, &u))
				return kith_cli_usage("estimate",
						      "--lcm-thin takes a number from 1 to 1000000");
			o.lcm.thin = (size_t)u;
			break;
		case OPT_LCM_CHAINS:
			if (kith_cli_parse_u64(optarg, 1, 64, &u))
				return kith_cli_usage("estimate", "--lcm-chains takes a number from 1 to 64");
			o.lcm.chains = (unsigned)u;
			break;
		case OPT_NO_LCM:
			o.no_lcm = 1;
			break;
		case OPT_HET_MAX:
			if (kith_cli_parse_double(optarg, 0.05, 2, &d))
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
