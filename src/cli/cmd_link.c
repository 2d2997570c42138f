/*
 * kith link — find the same person across lists (CSV files or a vault), and
 * review merges in a vault: propose, review, confirm, reject, merge, undo,
 * persons; explain a pair.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "vault/vault.h"
#include "link/link.h"
#include "link/linkcfg.h"
#include "casework/linkstatus.h"
#include "casework/linkvault.h"
#include "casework/propose.h"

static const char help[] =
    "usage: kith link [FILE... | --vault PATH] [--out CLUSTERS.csv] [--pairs PAIRS.csv] [--json] [options]\n"
    "       kith link explain ID1 ID2 [FILE... | --vault PATH] [--json] [options]\n"
    "       kith link propose --vault PATH [--reviewer NAME] [options]\n"
    "       kith link review --vault PATH [--status S|--all] [--json]\n"
    "       kith link confirm|reject|undo LINK-ID --vault PATH [--note TEXT] [--reviewer NAME]\n"
    "       kith link merge REF1 REF2 --vault PATH [--note TEXT] [--reviewer NAME]\n"
    "       kith link persons --vault PATH [--json]\n"
    "       kith link history LINK-ID --vault PATH [--json]\n\n"
    "Finds records of the same person: Fellegi-Sunter linkage with blocking, u by\n"
    "random sampling and m by EM, term-frequency adjustment of surnames, and\n"
    "clustering with a guard against chaining (docs/linkage.md). Input is CSV\n"
    "files with a header (columns id, source, name, other_names, sex, birth_year,\n"
    "birth_date, origin, age, age_in_year; others declared in --config) or the\n"
    "cases of a vault (the list of a case is source.organization).\n\n"
    "In a vault a merge is a link record that a person reviews: propose stores\n"
    "proposed links, confirm/reject decide, undo reverses; nothing is deleted and\n"
    "`kith link history LINK-ID` shows who did what and when.\n\n"
    "  --config FILE            columns, fields, blocking rules, model settings\n"
    "  --out FILE               id,cluster,prob for every record ('-': stdout)\n"
    "  --pairs FILE             every compared pair with weight, probability, levels\n"
    "  --review FILE            the pairs for review: id1,id2,prob,cluster1,cluster2\n"
    "  --json                   a summary (or the command's data) as JSON on stdout\n"
    "  --threshold P            match probability of a link (default: chosen from the\n"
    "                           model's estimated precision and recall, at least 0.5)\n"
    "  --review-threshold P     lowest probability of the review tier (default: from\n"
    "                           the model, at least 0.1)\n"
    "  --max-pairs N            refuse blocking that compares more pairs (default 50000000)\n"
    "  --block RULE             a blocking rule (repeat; replaces the configuration's)\n"
    "  --mode dedupe|link       all pairs, or only pairs across lists\n"
    "  --guard lists|strict|none  chaining guard of the clustering (default lists)\n"
    "  --count                  only count each blocking rule's pairs, then stop\n"
    "  --train-records N        estimate the model on a random sample of N records\n"
    "                           (large data: strict --block rules for scoring, loose\n"
    "                           --train-block rules for EM; default 50000)\n"
    "  --train-block RULE       a blocking rule for training (repeat; default: name)\n"
    "  --seed N                 seed of the random sampling (default 0)\n"
    "  --threads N              threads (default: all processors)\n" KITH_CLI_REVIEWER_HELP
    "  --note TEXT              a note kept in the link's history\n"
    "  --status S               review: links with status S (default proposed)\n"
    "  --all                    review: links of every status\n" KITH_CLI_VAULT_HELP;

enum {
	OPT_THRESHOLD = 0x200,
	OPT_MAXPAIRS,
	OPT_BLOCK,
	OPT_MODE,
	OPT_GUARD,
	OPT_SEED,
	OPT_THREADS,
	OPT_STATUS,
	OPT_ALL,
	OPT_COUNT,
	OPT_TRAIN_RECORDS,
	OPT_TRAIN_BLOCK,
	OPT_REVIEW,
	OPT_REVIEW_THRESHOLD
};

struct args {
	struct kith_cli_common c; /* vault options, --json, the operands (CSV files, ids, refs) */
	const char *out, *pairs, *review, *status;
	int all, count;
	struct kith_propose_settings ps; /* every linkage setting, as casework/propose.h takes them */
	const char *blocks[KITH_LINKCFG_MAX_RULES];
	const char *train_blocks[KITH_LINKCFG_MAX_RULES];
};

static int link_opt(void *args, const char *cmd, int opt, const char *arg)
{
	struct args *a = args;
	switch (opt) {
	case 'c':
		a->ps.config = arg;
		break;
	case 'o':
		a->out = arg;
		break;
	case 'p':
		a->pairs = arg;
		break;
	case OPT_THRESHOLD: /* strictly between */
		if (kith_cli_parse_double(arg, 0, 1, &a->ps.threshold) || a->ps.threshold == 0 ||
		    a->ps.threshold == 1)
			return kith_cli_usage(cmd, "--threshold takes a probability between 0 and 1");
		break;
	case OPT_REVIEW:
		a->review = arg;
		break;
	case OPT_REVIEW_THRESHOLD:
		if (kith_cli_parse_double(arg, 0, 1, &a->ps.review_threshold) ||
		    a->ps.review_threshold == 0 || a->ps.review_threshold == 1)
			return kith_cli_usage(cmd, "--review-threshold takes a probability between 0 and 1");
		break;
	case OPT_MAXPAIRS:
		if (kith_cli_parse_u64(arg, 1, UINT64_MAX, &a->ps.max_pairs))
			return kith_cli_usage(cmd, "--max-pairs takes a positive integer");
		break;
	case OPT_BLOCK:
		if (a->ps.n_blocks == KITH_LINKCFG_MAX_RULES)
			return kith_cli_usage(cmd, "at most %d --block rules", KITH_LINKCFG_MAX_RULES);
		a->blocks[a->ps.n_blocks++] = arg;
		a->ps.blocks = a->blocks;
		break;
	case OPT_MODE:
		if (strcmp(arg, "dedupe") && strcmp(arg, "link"))
			return kith_cli_usage(cmd, "--mode takes dedupe or link");
		a->ps.mode = strcmp(arg, "link") == 0 ? KITH_LINKCFG_LINK : KITH_LINKCFG_DEDUPE;
		a->ps.mode_set = 1;
		break;
	case OPT_GUARD:
		if (!strcmp(arg, "lists"))
			a->ps.guard = KITH_CLUSTER_LISTS;
		else if (!strcmp(arg, "strict"))
			a->ps.guard = KITH_CLUSTER_STRICT;
		else if (!strcmp(arg, "none"))
			a->ps.guard = KITH_CLUSTER_NONE;
		else
			return kith_cli_usage(cmd, "--guard takes lists, strict or none");
		break;
	case OPT_SEED:
		if (kith_cli_parse_u64(arg, 0, UINT64_MAX, &a->ps.seed))
			return kith_cli_usage(cmd, "--seed takes a non-negative integer");
		a->ps.have_seed = 1;
		break;
	case OPT_THREADS: {
		uint64_t t;
		if (kith_cli_parse_u64(arg, 1, 64, &t))
			return kith_cli_usage(cmd, "--threads takes 1 to 64");
		a->ps.threads = (unsigned)t;
		break;
	}
	case OPT_STATUS:
		a->status = arg;
		break;
	case OPT_ALL:
		a->all = 1;
		break;
	case OPT_COUNT:
		a->count = 1;
		break;
	case OPT_TRAIN_RECORDS:
		if (kith_cli_parse_u64(arg, 100, 100000000, &a->ps.train_records))
			return kith_cli_usage(cmd, "--train-records takes an integer from 100 to 10^8");
		break;
	case OPT_TRAIN_BLOCK:
		if (a->ps.n_train_blocks == KITH_LINKCFG_MAX_RULES)
			return kith_cli_usage(cmd, "at most %d --train-block rules", KITH_LINKCFG_MAX_RULES);
		a->train_blocks[a->ps.n_train_blocks++] = arg;
		a->ps.train_blocks = a->train_blocks;
		break;
	default:
		return kith_cli_usage(cmd, "unknown option");
	}
	return 0;
}

/* Clears *a and parses options (kith_cli_getopt): -1 to go on, else the
 * exit code to return (0 after --help). */
static int parse_args(const char *cmd, int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
	    KITH_CLI_COMMON_LONGOPTS,
	    {"config", required_argument, 0, 'c'},
	    {"out", required_argument, 0, 'o'},
	    {"pairs", required_argument, 0, 'p'},
	    {"threshold", required_argument, 0, OPT_THRESHOLD},
	    {"max-pairs", required_argument, 0, OPT_MAXPAIRS},
	    {"block", required_argument, 0, OPT_BLOCK},
	    {"mode", required_argument, 0, OPT_MODE},
	    {"guard", required_argument, 0, OPT_GUARD},
	    {"seed", required_argument, 0, OPT_SEED},
	    {"threads", required_argument, 0, OPT_THREADS},
	    KITH_CLI_REVIEWER_LONGOPT,
	    KITH_CLI_NOTE_LONGOPT,
	    {"status", required_argument, 0, OPT_STATUS},
	    {"all", no_argument, 0, OPT_ALL},
	    {"count", no_argument, 0, OPT_COUNT},
	    {"train-records", required_argument, 0, OPT_TRAIN_RECORDS},
	    {"train-block", required_argument, 0, OPT_TRAIN_BLOCK},
	    {"review", required_argument, 0, OPT_REVIEW},
	    {"review-threshold", required_argument, 0, OPT_REVIEW_THRESHOLD},
	    {0, 0, 0, 0},
	};
	memset(a, 0, sizeof *a);
	return kith_cli_getopt(cmd, help, argc, argv, "hjc:o:p:", longopts, &a->c, link_opt, a);
}

/* The settings (*cfg: read before unlocking, so that a bad file costs no
 * Argon2id run), then the input: CSV files (the operands) or the vault (*v
 * opened here). An exit code. */
static int load_input(const char *cmd, const struct args *a, struct kith_linkcfg *cfg,
		      struct kith_dataset **ds, struct kith_vault **v, size_t **case_of_record)
{
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_propose_config(&a->ps, cfg, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	int vault = a->c.va.vault || (!a->c.n_pos && kith_cli_vault_path(NULL));
	if (vault && a->c.n_pos)
		return kith_cli_usage(cmd, "give CSV files or a vault, not both");
	if (!vault && !a->c.n_pos)
		return kith_cli_usage(cmd, "give CSV files or --vault PATH");
	if (vault) {
		int code = kith_cli_open_vault(cmd, &a->c.va, v);
		if (code)
			return code;
		kith_cli_report_damage(*v);
		rc = kith_link_vault_dataset(*v, cfg, ds, case_of_record, &err);
		return rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	}
	rc = kith_propose_files_dataset(cfg, (const char *const *)a->c.pos, a->c.n_pos, ds, &err);
	return rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
}

static void on_progress(enum kith_link_phase phase, uint64_t done, uint64_t total, void *arg)
{
	struct kith_cli_progress *p = arg;
	if (phase == KITH_LINK_PHASE_BLOCK)
		kith_cli_progress_update(p, (size_t)done, (size_t)total);
}

/* EM can settle on "every compared pair is a match" when no field tells
 * the people that blocking brings together apart: say so */
static void warn_match_share(double share)
{
	if (share > 0)
		fprintf(stderr,
			"kith: warning: the model takes %.0f%% of the compared pairs for matches: right if "
			"the blocking rules are that strict, else the fields do not tell these people apart "
			"(see the model in --json)\n",
			100.0 * share);
}

static int run(const struct args *a, const struct kith_dataset *ds, struct kith_link_result *r)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_cli_progress p;
	kith_cli_progress_init(&p, "comparing pairs");
	struct kith_propose_settings ps = a->ps;
	ps.progress = on_progress;
	ps.progress_arg = &p;
	int rc = kith_propose_link(ds, &ps, r, &err);
	kith_cli_progress_done(&p);
	if (rc)
		return kith_cli_fail(rc, &err);
	warn_match_share(kith_propose_match_share(r));
	return KITH_EXIT_OK;
}

/* Writes a file through kith_io_atomic (a temporary one in the same folder,
 * renamed at the end; "-" and special files written directly). */
typedef int (*writer_fn)(const struct kith_link_result *, const struct kith_dataset *, FILE *,
			 struct kith_err *);

static int write_out(const char *path, writer_fn fn, const struct kith_link_result *r,
		     const struct kith_dataset *ds)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_io_atomic *a = NULL;
	int rc = kith_io_atomic_open(&a, path, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	rc = fn(r, ds, kith_io_atomic_file(a), &err);
	struct kith_err cerr;
	kith_err_clear(&cerr);
	int crc = kith_io_atomic_close(a, rc == KITH_OK, &cerr);
	if (rc == KITH_OK && crc) {
		rc = crc;
		err = cerr;
	}
	if (rc && !err.where[0])
		snprintf(err.where, sizeof err.where, "%s", path);
	return rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
}

static void print_text_summary(const struct kith_link_result *r, const struct kith_dataset *ds)
{
	fprintf(stderr, "%zu records in %zu list%s; %s\n", r->n_records, kith_dataset_n_sources(ds),
		kith_dataset_n_sources(ds) == 1 ? "" : "s",
		r->link_only ? "pairs across lists only" : "every pair");
	for (size_t i = 0; i < r->n_rules; i++)
		fprintf(stderr, "  block %-32s %12llu candidates %12llu new pairs\n", r->reports[i].rule,
			(unsigned long long)r->reports[i].candidates,
			(unsigned long long)r->reports[i].pairs);
	if (r->n_train_rules) {
		fprintf(stderr, "  model estimated on a sample of %zu records:\n", r->train_records);
		for (size_t i = 0; i < r->n_train_rules; i++)
			fprintf(stderr, "  train %-32s %12llu candidates %12llu new pairs\n",
				r->train_reports[i].rule, (unsigned long long)r->train_reports[i].candidates,
				(unsigned long long)r->train_reports[i].pairs);
	}
	double total = 0;
	for (int p = 0; p < KITH_LINK_PHASES; p++)
		total += r->seconds[p];
	fprintf(
	    stderr,
	    "%zu pairs compared, %zu matches at probability >= %.3f, %zu persons (%zu links refused by the "
	    "guard), %.2f s\n",
	    r->n_pairs, r->n_matches, r->threshold, r->clusters.n_clusters, r->clusters.refused, total);
	fprintf(stderr,
		"tiers: %zu linked (p >= %.3f%s), %zu for review (p >= %.3f%s), the rest distinct; the model "
		"expects %.0f matches among the compared pairs: estimated precision %.3f, recall %.3f (%.3f "
		"with the review tier)\n",
		r->n_matches, r->threshold, r->threshold_auto ? ", chosen from the model" : "", r->n_review,
		r->review_threshold, r->review_auto ? ", chosen from the model" : "", r->est_matches,
		r->est_precision, r->est_recall, r->est_review_recall);
}

static int count_only(const struct kith_dataset *ds, const struct args *a)
{
	struct kith_block_report rep[KITH_LINKCFG_MAX_RULES];
	size_t n = 0;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_propose_count(ds, rep, &n, &err);
	json_t *arr = a->c.json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && rep[i].rule[0] == '\0')
			break; /* not reached: an earlier rule failed */
		if (arr)
			json_array_append_new(arr,
					      json_pack("{s:s,s:I,s:b,s:I}", "rule", rep[i].rule,
							"candidates", (json_int_t)rep[i].candidates, "exact",
							rep[i].exact, "records", (json_int_t)rep[i].records));
		else
			printf("%-40s %14llu%s candidate pairs (%zu records)\n", rep[i].rule,
			       (unsigned long long)rep[i].candidates, rep[i].exact ? "" : " at most",
			       rep[i].records);
	}
	if (rc) {
		json_decref(arr);
		return kith_cli_fail(rc, &err);
	}
	int code = arr ? kith_cli_print_json(arr) : KITH_EXIT_OK;
	json_decref(arr);
	return code;
}

static int cmd_run(int argc, char **argv)
{
	struct args a;
	int code = parse_args("link", argc, argv, &a);
	if (code >= 0)
		return code;
	struct kith_linkcfg cfg;
	struct kith_dataset *ds = NULL;
	struct kith_vault *v = NULL;
	size_t *cor = NULL;
	code = load_input("link", &a, &cfg, &ds, &v, &cor);
	if (code == KITH_EXIT_OK && a.count) {
		code = count_only(ds, &a);
	} else if (code == KITH_EXIT_OK) {
		struct kith_link_result r;
		code = run(&a, ds, &r);
		if (code == KITH_EXIT_OK) {
			if (a.out)
				code = write_out(a.out, kith_link_write_clusters, &r, ds);
			if (code == KITH_EXIT_OK && a.pairs)
				code = write_out(a.pairs, kith_link_write_pairs, &r, ds);
			if (code == KITH_EXIT_OK && a.review)
				code = write_out(a.review, kith_link_write_review, &r, ds);
			if (code == KITH_EXIT_OK && a.c.json) {
				code = kith_cli_print_json_new(kith_link_summary_json(&r, ds));
			} else if (code == KITH_EXIT_OK) {
				print_text_summary(&r, ds);
			}
			kith_link_result_release(&r);
		}
	}
	kith_dataset_free(ds);
	free(cor);
	kith_vault_close(v);
	return code;
}

static int cmd_explain(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.c.n_pos < 2)
		return kith_cli_usage(cmd, "give two record ids (then the CSV files, or --vault)");
	const char *id1 = a.c.pos[0], *id2 = a.c.pos[1];
	a.c.pos += 2;
	a.c.n_pos -= 2;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_linkcfg cfg;
	struct kith_dataset *ds = NULL;
	struct kith_vault *v = NULL;
	size_t *cor = NULL;
	code = load_input(cmd, &a, &cfg, &ds, &v, &cor);
	long ia = -1, ib = -1;
	if (code == KITH_EXIT_OK) {
		ia = kith_dataset_find(ds, id1);
		ib = kith_dataset_find(ds, id2);
		if (ia < 0 || ib < 0) {
			kith_err_set(&err, KITH_E_NOTFOUND, ia < 0 ? id1 : id2, "no record with this id");
			code = kith_cli_fail(KITH_E_NOTFOUND, &err);
		} else if (ia == ib) {
			code = kith_cli_usage(cmd, "give two different records");
		}
	}
	if (code == KITH_EXIT_OK) {
		struct kith_link_result r;
		code = run(&a, ds, &r);
		if (code == KITH_EXIT_OK) {
			struct kith_sbuf text = KITH_SBUF_INIT;
			json_t *j = NULL;
			int rc = kith_link_explain(&r, ds, (size_t)ia, (size_t)ib, a.c.json ? NULL : &text,
						   a.c.json ? &j : NULL, &err);
			if (rc)
				code = kith_cli_fail(rc, &err);
			else if (a.c.json)
				code = kith_cli_print_json(j);
			else
				fputs(text.buf ? text.buf : "", stdout);
			json_decref(j);
			kith_sbuf_release(&text);
			kith_link_result_release(&r);
		}
	}
	kith_dataset_free(ds);
	free(cor);
	kith_vault_close(v);
	return code;
}

/* Checks the `n` operands (else the usage error `what`), opens the vault and
 * reports its damage. -1 to go on with *v set, else the exit code. */
static int open_vault_only(const char *cmd, const struct args *a, size_t n, const char *what,
			   struct kith_vault **v)
{
	int code = kith_cli_open_operands(cmd, &a->c, n, what, v);
	if (code < 0)
		kith_cli_report_damage(*v);
	return code;
}

/* A review subcommand: its options, then open_vault_only. */
static int begin(const char *cmd, int argc, char **argv, size_t n, const char *what, struct args *a,
		 struct kith_vault **v)
{
	int code = parse_args(cmd, argc, argv, a);
	return code >= 0 ? code : open_vault_only(cmd, a, n, what, v);
}

static int cmd_propose(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.c.n_pos)
		return kith_cli_usage(cmd, "propose works on a vault: --vault PATH");
	if (!a.c.va.vault && !kith_cli_vault_path(NULL))
		return kith_cli_usage(cmd, "give --vault PATH");
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_linkcfg cfg; /* read before unlocking: a bad file costs no Argon2id run */
	int rc = kith_propose_config(&a.ps, &cfg, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	struct kith_vault *v = NULL;
	code = open_vault_only(cmd, &a, 0, "unexpected argument", &v);
	if (code >= 0)
		return code;
	struct kith_cli_progress p;
	kith_cli_progress_init(&p, "comparing pairs");
	struct kith_propose_settings ps = a.ps;
	ps.progress = on_progress;
	ps.progress_arg = &p;
	struct kith_propose_result res;
	rc = kith_propose_vault(v, &ps, kith_cli_reviewer(a.c.reviewer), &res, &err);
	kith_cli_progress_done(&p);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else {
		code = KITH_EXIT_OK;
		warn_match_share(res.match_share);
		if (a.c.json) {
			code = kith_cli_print_json_new(
			    json_pack("{s:I,s:I,s:I,s:I}", "cases", (json_int_t)res.cases, "proposed",
				      (json_int_t)res.proposed, "already_known",
				      (json_int_t)res.already_known, "persons", (json_int_t)res.persons));
		} else {
			printf("%zu link%s proposed for review (%zu already known); see 'kith link review'\n",
			       res.proposed, res.proposed == 1 ? "" : "s", res.already_known);
		}
	}
	kith_vault_close(v);
	return code;
}

static void print_link_text(const json_t *l)
{
	const json_t *score = json_object_get(l, "score");
	const char *id = json_string_value(json_object_get(l, "id"));
	printf("link %s  %s", id ? id : "?", json_string_value(json_object_get(l, "status")));
	if (json_is_number(score))
		printf("  score %.4f", json_number_value(score));
	const char *m = json_string_value(json_object_get(l, "method"));
	const char *rv = json_string_value(json_object_get(l, "reviewer"));
	printf("  (%s%s%s, version %lld)\n", m ? m : "?", rv ? ", by " : "", rv ? rv : "",
	       (long long)json_integer_value(json_object_get(l, "version")));
	const json_t *cases = json_object_get(l, "cases");
	for (size_t i = 0; i < json_array_size(cases); i++) {
		const json_t *c = json_array_get(cases, i);
		const char *ref = json_string_value(json_object_get(c, "ref"));
		const char *name = json_string_value(json_object_get(c, "name"));
		printf("    %-16s %s\n", ref ? ref : "(unreadable)", name ? name : "");
	}
	const json_t *ex = json_object_get(l, "explanations");
	for (size_t i = 0; i < json_array_size(ex); i++) {
		const json_t *e = json_array_get(ex, i);
		printf("    %s vs %s: weight %+.2f, probability %.4f (prior %+.2f)\n",
		       json_string_value(json_object_get(e, "id1")),
		       json_string_value(json_object_get(e, "id2")),
		       json_number_value(json_object_get(e, "weight")),
		       json_number_value(json_object_get(e, "prob")),
		       json_number_value(json_object_get(e, "prior")));
		const json_t *fs = json_object_get(e, "fields");
		for (size_t k = 0; k < json_array_size(fs); k++) {
			const json_t *f = json_array_get(fs, k);
			double tf = json_number_value(json_object_get(f, "tf_bits"));
			printf("      %-10s %-10s %+7.2f%s  %s\n",
			       json_string_value(json_object_get(f, "field")),
			       json_string_value(json_object_get(f, "level")),
			       json_number_value(json_object_get(f, "bits")), tf != 0 ? " (tf)" : "",
			       json_string_value(json_object_get(f, "comparison")));
		}
	}
}

static int cmd_review(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.status && !kith_linkstatus_valid(a.status))
		return kith_cli_usage(cmd, "--status takes " KITH_LINKSTATUS_WORDS);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_linkcfg cfg;
	int rc = kith_propose_config(&a.ps, &cfg, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	struct kith_vault *v = NULL;
	code = open_vault_only(cmd, &a, 0, "unexpected argument", &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	json_t *links = NULL;
	const char *status = a.all ? NULL : a.status ? a.status : "proposed";
	rc = kith_link_vault_links_json(v, status, 1, &cfg, &links, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (a.c.json) {
		code = kith_cli_print_json(links);
	} else {
		for (size_t i = 0; i < json_array_size(links); i++)
			print_link_text(json_array_get(links, i));
		fprintf(stderr, "%zu link%s%s%s\n", json_array_size(links),
			json_array_size(links) == 1 ? "" : "s", status ? " " : "", status ? status : "");
	}
	json_decref(links);
	kith_vault_close(v);
	return code;
}

static int cmd_status(int argc, char **argv, const struct kith_cli_sub *sub)
{
	static const char *const said[] = {"confirmed", "rejected", "undone"};
	const char *cmd = sub->name, *status = said[sub->arg];
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 1, "give one LINK-ID", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	const char *id = a.c.pos[0];
	struct kith_err err;
	kith_err_clear(&err);
	char full[KITH_VAULT_ID_HEX];
	int rc =
	    kith_link_vault_set_status(v, id, status, kith_cli_reviewer(a.c.reviewer), a.c.note, full, &err);
	if (rc)
		code = kith_cli_fail(rc, &err);
	else
		printf("link %s %s\n", full, status);
	kith_vault_close(v);
	return code;
}

static int cmd_merge(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 2, "give two case refs", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	const char *r1 = a.c.pos[0], *r2 = a.c.pos[1];
	struct kith_err err;
	kith_err_clear(&err);
	char id[KITH_VAULT_ID_HEX];
	int rc = kith_link_vault_merge(v, r1, r2, kith_cli_reviewer(a.c.reviewer), a.c.note, id, &err);
	if (rc)
		code = kith_cli_fail(rc, &err);
	else
		printf("link %s confirmed (manual merge)\n", id);
	kith_vault_close(v);
	return code;
}

static int cmd_history(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 1, "give one LINK-ID", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	const char *id = a.c.pos[0];
	struct kith_err err;
	kith_err_clear(&err);
	json_t *h = NULL;
	int rc = kith_link_vault_history_json(v, id, &h, &err);
	if (h && a.c.json) {
		code = kith_cli_print_json(h);
	} else if (h) {
		for (size_t i = 0; i < json_array_size(h); i++) {
			const json_t *o = json_array_get(h, i);
			char when[64];
			kith_cli_format_time((long long)json_integer_value(json_object_get(o, "at")), when,
					     sizeof when);
			const char *st = json_string_value(json_object_get(o, "status"));
			const char *rv = json_string_value(json_object_get(o, "reviewer"));
			const char *note = json_string_value(json_object_get(o, "note"));
			printf("v%-4lld %s  %-8s %-10s by %s%s%s\n",
			       (long long)json_integer_value(json_object_get(o, "version")), when,
			       json_string_value(json_object_get(o, "action")), st ? st : "?", rv ? rv : "?",
			       note && *note ? "  note: " : "", note ? note : "");
		}
	}
	if (rc)
		code = kith_cli_fail(rc, &err);
	json_decref(h);
	kith_vault_close(v);
	return code;
}

static int cmd_persons(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 0, "unexpected argument", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	json_t *p = kith_link_vault_persons_json(v, &err);
	size_t n_cases = 0;
	kith_vault_records(v, "case", &n_cases);
	if (!p) {
		code = kith_cli_fail(err.status ? err.status : KITH_E_NOMEM, &err);
	} else if (a.c.json) {
		code = kith_cli_print_json(p);
	} else {
		size_t joined = 0;
		for (size_t i = 0; i < json_array_size(p); i++) {
			const json_t *o = json_array_get(p, i);
			const json_t *cs = json_object_get(o, "cases");
			joined += json_array_size(cs);
			printf("person %lld:", (long long)json_integer_value(json_object_get(o, "person")));
			for (size_t k = 0; k < json_array_size(cs); k++) {
				const char *ref =
				    json_string_value(json_object_get(json_array_get(cs, k), "ref"));
				printf(" %s", ref ? ref : "?");
			}
			printf("\n");
		}
		fprintf(stderr, "%zu cases; %zu persons of two cases or more (%zu cases); %zu alone\n",
			n_cases, json_array_size(p), joined, n_cases - joined);
	}
	json_decref(p);
	kith_vault_close(v);
	return code;
}

int kith_cmd_link(int argc, char **argv)
{
	static const struct kith_cli_sub subs[] = {
	    {"explain", cmd_explain, "link explain", 0},
	    {"propose", cmd_propose, "link propose", 0},
	    {"review", cmd_review, "link review", 0},
	    {"confirm", cmd_status, "link confirm", 0}, /* the status: cmd_status's said[arg] */
	    {"reject", cmd_status, "link reject", 1},
	    {"undo", cmd_status, "link undo", 2},
	    {"merge", cmd_merge, "link merge", 0},
	    {"persons", cmd_persons, "link persons", 0},
	    {"history", cmd_history, "link history", 0},
	    {0, 0, 0, 0},
	};
	int code = kith_cli_dispatch(subs, argc, argv);
	return code >= 0 ? code : cmd_run(argc, argv);
}
