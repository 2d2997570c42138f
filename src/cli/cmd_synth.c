/*
 * kith synth — fictional labelled data for linkage, estimation and tracing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "synth/synth.h"
#include "stats/sim.h"

static const char help[] =
    "usage: kith synth --out DIR [--people N] [--lists K] [--seed S] [--families] [--cases FILE.jsonl] "
    "[--json]\n\n"
    "Generates an invented population of North Korean refugees (Korean names from\n"
    "syllable tables, surnames by census shares, mostly women, mostly from North\n"
    "Hamgyong and Ryanggang) and K lists that record it with heterogeneous and\n"
    "dependent capture, each in its own spellings (Hangul with North or South\n"
    "initial sounds, Revised Romanization, McCune-Reischauer with and without\n"
    "breves, North Korean style, common English; Western order; typos; birth years\n"
    "off by one; ages instead of birth years; missing fields), with the habits of\n"
    "fast typing and naming (letters inserted, deleted or swapped, l/I, stray\n"
    "spaces, a given name alone, a woman recorded under another name).\n"
    "Deterministic for a seed. Every name is invented.\n\n"
    "Writes DIR/records.csv (id,source,name,other_names,sex,birth_year,birth_date,\n"
    "origin,age,age_in_year) and DIR/truth.csv (record,person); with --families\n"
    "also DIR/families.csv (mother,child,separation_place,separation_year,trace)\n"
    "and DIR/trace_requests.jsonl (\"trace\" records).\n\n"
    "  --out DIR                the folder (made if missing)\n"
    "  --people N               the true population (default 1000)\n"
    "  --lists K                lists that record it (default 4, at most 16)\n"
    "  --seed S                 the seed (default 1)\n"
    "  --families               mothers and children separated in Yanbian around 2003\n"
    "  --cases FILE.jsonl       the records also as \"case\" records (ref = record id),\n"
    "                           for `kith import` (the demo vault, benchmarks)\n"
    "  --mse-het FILE           instead: only a capture table (CSV, `kith estimate`'s\n"
    "                           format; - for standard output) of N people on K\n"
    "                           lists with individual\n"
    "                           heterogeneity (probabilities 0.10, 0.15, ... times\n"
    "                           a person factor in [0.4, 1.6]; docs/estimate.md)\n"
    "  --json                   print the summary as JSON\n";

/* An output file written atomically (base/io); f is NULL while not open. */
struct outfile {
	struct kith_io_atomic *a;
	FILE *f;
};

static int out_open(struct outfile *o, const char *dir, const char *name)
{
	memset(o, 0, sizeof *o);
	size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
	char *path = malloc(n);
	if (!path)
		return -1;
	snprintf(path, n, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	int rc = kith_io_atomic_open(&o->a, path, NULL);
	free(path);
	if (rc)
		return -1;
	o->f = kith_io_atomic_file(o->a);
	return 0;
}

/* Closes; renames into place when ok, removes the temporary file otherwise. */
static int out_close(struct outfile *o, int ok)
{
	int rc = kith_io_atomic_close(o->a, ok, NULL) ? -1 : 0;
	memset(o, 0, sizeof *o);
	return rc;
}

/* --mse-het: the capture table of src/stats/sim.h, its truth in the comment line. */
static int write_mse_het(const char *path, const struct kith_synth_opts *opt)
{
	struct kith_stats_sim_opts so = {.people = opt->people, .lists = opt->lists, .seed = opt->seed};
	struct kith_stats_table *t = NULL;
	size_t unseen = 0;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_stats_sim_het(&so, &t, &unseen, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	int to_stdout = strcmp(path, "-") == 0;
	struct outfile f;
	memset(&f, 0, sizeof f);
	int ok = to_stdout ? 1 : out_open(&f, NULL, path) == 0;
	FILE *o = to_stdout ? stdout : f.f;
	unsigned k = kith_stats_table_lists(t);
	const double *cnt = kith_stats_table_counts(t);
	if (ok) {
		fprintf(o, "# dataset=synth-het seed=%llu people=%llu unseen=%zu\n",
			(unsigned long long)opt->seed, (unsigned long long)opt->people, unseen);
		for (unsigned j = 0; j < k; j++)
			fprintf(o, "%s,", kith_stats_table_list_name(t, j));
		fprintf(o, "count\n");
		for (size_t c = 1; c < ((size_t)1 << k); c++) {
			for (unsigned j = 0; j < k; j++)
				fprintf(o, "%u,", (unsigned)(c >> j & 1u));
			fprintf(o, "%.0f\n", cnt[c]);
		}
		ok = !ferror(o) && fflush(o) == 0;
	}
	int cbad = to_stdout ? 0 : out_close(&f, ok);
	double seen = kith_stats_table_observed(t);
	kith_stats_table_free(t);
	if (!ok || cbad) {
		fprintf(stderr, "kith: %s: cannot write the table\n", path);
		return KITH_EXIT_IO;
	}
	fprintf(to_stdout ? stderr : stdout,
		"%llu people, %.0f recorded on at least one of %u lists, %zu on none\n",
		(unsigned long long)opt->people, seen, k, unseen);
	return KITH_EXIT_OK;
}

int kith_cmd_synth(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"out", required_argument, 0, 'o'},	  {"people", required_argument, 0, 'n'},
	    {"lists", required_argument, 0, 'k'}, {"seed", required_argument, 0, 's'},
	    {"families", no_argument, 0, 'f'},	  {"cases", required_argument, 0, 'c'},
	    {"json", no_argument, 0, 'j'},	  {"mse-het", required_argument, 0, 'm'},
	    {"help", no_argument, 0, 'h'},	  {0, 0, 0, 0},
	};
	const char *dir = NULL, *cases = NULL, *mse_het = NULL;
	struct kith_synth_opts o = {.people = 1000, .lists = 4, .seed = 1};
	int as_json = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "ho:n:k:s:fc:j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'o':
			dir = optarg;
			break;
		case 'n':
			if (kith_cli_parse_u64(optarg, 2, KITH_SYNTH_MAX_PEOPLE, &o.people))
				return kith_cli_usage("synth", "--people takes 2 to %u",
						      KITH_SYNTH_MAX_PEOPLE);
			break;
		case 'k': {
			uint64_t k;
			if (kith_cli_parse_u64(optarg, 1, KITH_SYNTH_MAX_LISTS, &k))
				return kith_cli_usage("synth", "--lists takes 1 to %d", KITH_SYNTH_MAX_LISTS);
			o.lists = (unsigned)k;
			break;
		}
		case 's':
			if (kith_cli_parse_u64(optarg, 0, UINT64_MAX, &o.seed))
				return kith_cli_usage("synth", "--seed takes a non-negative integer");
			break;
		case 'f':
			o.families = 1;
			break;
		case 'c':
			cases = optarg;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'm':
			mse_het = optarg;
			break;
		default:
			return kith_cli_usage("synth", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("synth", "unexpected argument");
	if (mse_het)
		return dir || cases || o.lists < 2
			   ? kith_cli_usage("synth", "--mse-het takes 2 or more lists "
						     "and neither --out nor --cases")
			   : write_mse_het(mse_het, &o);
	if (!dir && !cases)
		return kith_cli_usage("synth", "give --out DIR (and/or --cases FILE)");
	if (dir && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "kith: %s: cannot make the folder: %s\n", dir, strerror(errno));
		return KITH_EXIT_IO;
	}
	struct outfile rec, tru, fam, tra, cas;
	memset(&rec, 0, sizeof rec);
	memset(&tru, 0, sizeof tru);
	memset(&fam, 0, sizeof fam);
	memset(&tra, 0, sizeof tra);
	memset(&cas, 0, sizeof cas);
	int bad = 0;
	if (dir) {
		bad |= out_open(&rec, dir, "records.csv") || out_open(&tru, dir, "truth.csv");
		if (o.families)
			bad |= out_open(&fam, dir, "families.csv") ||
			       out_open(&tra, dir, "trace_requests.jsonl");
	}
	if (cases && !bad) {
		/* the folder of FILE is made if missing (one level, as --out) */
		const char *slash = strrchr(cases, '/');
		if (slash && slash != cases) {
			char *parent = strndup(cases, (size_t)(slash - cases));
			if (!parent || (mkdir(parent, 0700) != 0 && errno != EEXIST)) {
				fprintf(stderr, "kith: %s: cannot make the folder: %s\n",
					parent ? parent : cases, strerror(errno));
				free(parent);
				out_close(&rec, 0);
				out_close(&tru, 0);
				out_close(&fam, 0);
				out_close(&tra, 0);
				return KITH_EXIT_IO;
			}
			free(parent);
		}
		bad |= out_open(&cas, NULL, cases);
	}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_synth_summary s;
	int rc = KITH_OK;
	if (bad) {
		fprintf(stderr, "kith: cannot create the output files: %s\n", strerror(errno));
	} else {
		rc = kith_synth_write(&o, rec.f, tru.f, fam.f, tra.f, cas.f, &s, &err);
	}
	int ok = !bad && rc == KITH_OK;
	int cbad = out_close(&rec, ok) | out_close(&tru, ok) | out_close(&fam, ok) | out_close(&tra, ok) |
		   out_close(&cas, ok);
	if (bad || cbad) {
		if (!bad)
			fprintf(stderr, "kith: cannot write the output files\n");
		return KITH_EXIT_IO;
	}
	if (rc)
		return kith_cli_fail(rc, &err);
	if (as_json) {
		json_t *lists = json_array();
		for (unsigned l = 0; lists && l < s.lists; l++)
			json_array_append_new(lists, json_pack("{s:s,s:I}", "name", s.list_names[l],
							       "records", (json_int_t)s.per_list[l]));
		json_t *j =
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "seed", (json_int_t)o.seed, "people",
			      (json_int_t)s.people, "recorded", (json_int_t)s.recorded, "records",
			      (json_int_t)s.records, "true_pairs", (json_int_t)s.true_pairs, "families",
			      (json_int_t)s.families, "traces", (json_int_t)s.traces, "lists", lists);
		int code = j ? kith_cli_print_json(j) : KITH_EXIT_INTERNAL;
		json_decref(j);
		return code;
	}
	printf(
	    "%llu people, %llu recorded on at least one of %u lists, %llu records (%llu pairs of one person)",
	    (unsigned long long)s.people, (unsigned long long)s.recorded, s.lists,
	    (unsigned long long)s.records, (unsigned long long)s.true_pairs);
	if (o.families)
		printf(", %llu mother-child pairs, %llu tracing requests", (unsigned long long)s.families,
		       (unsigned long long)s.traces);
	printf("\n");
	return KITH_EXIT_OK;
}
