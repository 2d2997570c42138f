/*
 * kith names — the names engine from the command line: romanize a Hangul
 * name, compare two names, show a name's blocking keys, read a romanized
 * name into Hangul.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "base/sbuf.h"
#include "names/batch.h"
#include "names/names.h"

static const char help[] =
    "usage: kith names romanize NAME [--system rr|mr|mr-plain|nk|common|all] [--json]\n"
    "       kith names compare A B [--json]\n"
    "       kith names keys NAME [--json]\n"
    "       kith names read NAME [--max N] [--json]\n"
    "       kith names SUBCOMMAND --batch FILE   (FILE '-': standard input)\n\n"
    "The names engine: one person, every spelling. NAME is in Hangul or any\n"
    "romanization (Revised, McCune-Reischauer with or without breves, North\n"
    "Korean style, common English spellings), surname first or last.\n\n"
    "  romanize   a Hangul name in each system (default: all of them)\n"
    "  compare    the similarity of two names in [0, 1] and whether they are\n"
    "             taken as the same name\n"
    "  keys       the blocking keys of a name (two spellings of one name share one)\n"
    "  read       candidate Hangul readings of a romanized name, best first\n\n"
    "With --batch FILE each subcommand reads one NAME per line (compare: A and B\n"
    "separated by a tab) and writes one result per line, in order (--json: one\n"
    "JSON value per line). The first bad line stops the batch, with its line\n"
    "number, and nothing is written.\n"
    "Run 'kith names SUBCOMMAND --help' for each one's options.\n";

static const char help_romanize[] =
    "usage: kith names romanize NAME [--system rr|mr|mr-plain|nk|common|all] [--json]\n\n"
    "Romanizes a name written in Hangul, surname first:\n"
    "  rr        Revised Romanization (South, 2000)      Bang Mi-seon\n"
    "  mr        McCune-Reischauer with breves           Pang Mi-s\xC5\x8Fn\n"
    "  mr-plain  McCune-Reischauer without diacritics    Pang Mi-son\n"
    "  nk        North Korean official style             Pang Mi Son\n"
    "  common    common English spellings                Bang Mi-sun\n"
    "  all       every one of them, one per line (default)\n"
    "  --json    an object {system: spelling}\n"
    "  --batch FILE  one NAME per line ('-': standard input); all systems are\n"
    "                written tab-separated on each line\n";

static const char help_compare[] =
    "usage: kith names compare A B [--json]\n\n"
    "Prints the similarity of two names (0 to 1) and 'same' or 'different' by\n"
    "the engine's threshold. Exit 0 either way; 1 when a name is not valid.\n"
    "  --json    {\"score\": S, \"same\": true|false, \"threshold\": T}\n"
    "  --batch FILE  one pair per line, A<TAB>B ('-': standard input)\n";

static const char help_keys[] = "usage: kith names keys NAME [--json]\n\n"
				"Prints the name's blocking keys (hexadecimal), its surname key and the\n"
				"surname's share of the South Korean population (2015 census).\n"
				"  --json    {\"keys\": [...], \"surname_key\": K, \"surname_share\": S}\n"
				"  --batch FILE  one NAME per line ('-': standard input)\n";

static const char help_read[] = "usage: kith names read NAME [--max N] [--json]\n\n"
				"Reads a romanized name into candidate Hangul readings, surname first, best\n"
				"first, each with a score (the readings' scores add up to at most 1).\n"
				"  --max N   at most N readings (default 5, at most 50)\n"
				"  --json    an array of {hangul, score, western}\n"
				"  --batch FILE  one NAME per line ('-': standard input)\n";

static const struct {
	const char *name;
	enum kith_names_system sys;
} systems[] = {
    {"rr", KITH_NAMES_RR}, {"mr", KITH_NAMES_MR},	  {"mr-plain", KITH_NAMES_MR_PLAIN},
    {"nk", KITH_NAMES_NK}, {"common", KITH_NAMES_COMMON},
};
#define N_SYSTEMS (sizeof systems / sizeof systems[0])

/* Parses the options shared by the subcommands; returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, const char *cmd, const char *hlp, int *json, const char **sys,
		 long *max, int want_args, const char **batch)
{
	static const struct option longopts[] = {
	    {"json", no_argument, 0, 'j'},	   {"batch", required_argument, 0, 'b'},
	    {"system", required_argument, 0, 's'}, {"max", required_argument, 0, 'm'},
	    {"help", no_argument, 0, 'h'},	   {0, 0, 0, 0},
	};
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hjs:m:b:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(hlp, stdout);
			return KITH_EXIT_OK;
		case 'j':
			*json = 1;
			break;
		case 'b':
			*batch = optarg;
			break;
		case 's':
			if (!sys)
				return kith_cli_usage(cmd, "--system is an option of 'romanize' only");
			*sys = optarg;
			break;
		case 'm': {
			if (!max)
				return kith_cli_usage(cmd, "--max is an option of 'read' only");
			uint64_t l;
			if (kith_cli_parse_u64(optarg, 1, 50, &l))
				return kith_cli_usage(cmd, "--max takes a number from 1 to 50");
			*max = (long)l;
			break;
		}
		default:
			return kith_cli_usage(cmd, "unknown option");
		}
	}
	if (*batch) {
		if (argc - optind != 0)
			return kith_cli_usage(cmd, "--batch FILE takes the names from FILE: give no name");
		return -1;
	}
	if (argc - optind != want_args)
		return kith_cli_usage(cmd, want_args == 1
					       ? "give exactly one NAME (quote it if it has spaces)"
					       : "give exactly two names A and B (quote them)");
	return -1;
}

#define BATCH_MAX ((size_t)1 << 30) /* bytes of batch input, at most */

/* Runs a batch from file (or stdin) and writes its output whole. */
static int run_batch(const char *file, const struct kith_names_batch_opts *o)
{
	struct kith_sbuf in = KITH_SBUF_INIT, out = KITH_SBUF_INIT;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_io_read_file(file, BATCH_MAX, &in, &err);
	struct kith_names_batch_opts bo = *o;
	bo.file = strcmp(file, "-") == 0 ? "stdin" : file;
	if (!rc)
		rc = kith_names_batch(in.buf ? in.buf : "", in.len, &bo, &out, &err);
	int code = KITH_EXIT_OK;
	if (rc)
		code = kith_cli_fail(rc, &err);
	else if (out.len && fwrite(out.buf, 1, out.len, stdout) != out.len)
		code = KITH_EXIT_INTERNAL;
	kith_sbuf_release(&in);
	kith_sbuf_release(&out);
	return code;
}

static int fail(int rc, struct kith_err *err, const char *which)
{
	if (which && err->where[0] && strcmp(err->where, "name") == 0)
		snprintf(err->where, sizeof err->where, "%s", which);
	return kith_cli_fail(rc, err);
}

static int cmd_romanize(int argc, char **argv)
{
	int json = 0;
	const char *sysname = "all", *batch = NULL;
	int code = parse(argc, argv, "names romanize", help_romanize, &json, &sysname, NULL, 1, &batch);
	if (code >= 0)
		return code;
	int all = strcmp(sysname, "all") == 0;
	size_t pick = N_SYSTEMS;
	for (size_t i = 0; i < N_SYSTEMS; i++)
		if (strcmp(sysname, systems[i].name) == 0)
			pick = i;
	if (!all && pick == N_SYSTEMS)
		return kith_cli_usage("names romanize",
				      "--system is one of rr, mr, mr-plain, nk, common, all");
	if (batch) {
		struct kith_names_batch_opts o = {
		    KITH_NAMES_BATCH_ROMANIZE, all ? KITH_NAMES_RR : systems[pick].sys, all, json, 0, NULL};
		return run_batch(batch, &o);
	}
	const char *name = argv[optind];
	json_t *obj = json ? json_object() : NULL;
	if (json && !obj)
		return KITH_EXIT_INTERNAL;
	struct kith_err err;
	kith_err_clear(&err);
	code = KITH_EXIT_OK;
	for (size_t i = 0; i < N_SYSTEMS && !code; i++) {
		if (!all && i != pick)
			continue;
		struct kith_sbuf o = KITH_SBUF_INIT;
		int rc = kith_names_romanize(name, strlen(name), systems[i].sys, &o, &err);
		if (rc) {
			code = fail(rc, &err, "NAME");
		} else if (json) {
			if (json_object_set_new(obj, systems[i].name, json_string(o.buf ? o.buf : "")))
				code = KITH_EXIT_INTERNAL;
		} else if (all) {
			printf("%-9s %s\n", systems[i].name, o.buf ? o.buf : "");
		} else {
			printf("%s\n", o.buf ? o.buf : "");
		}
		kith_sbuf_release(&o);
	}
	if (json && !code)
		code = kith_cli_print_json(obj);
	json_decref(obj);
	return code;
}

static int cmd_compare(int argc, char **argv)
{
	int json = 0;
	const char *batch = NULL;
	int code = parse(argc, argv, "names compare", help_compare, &json, NULL, NULL, 2, &batch);
	if (code >= 0)
		return code;
	if (batch) {
		struct kith_names_batch_opts o = {KITH_NAMES_BATCH_COMPARE, KITH_NAMES_RR, 0, json, 0, NULL};
		return run_batch(batch, &o);
	}
	const char *a = argv[optind], *b = argv[optind + 1];
	struct kith_name ea, eb;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_names_encode(&ea, a, strlen(a), &err);
	if (rc)
		return fail(rc, &err, "A");
	rc = kith_names_encode(&eb, b, strlen(b), &err);
	if (rc)
		return fail(rc, &err, "B");
	double s = kith_names_similarity(&ea, &eb), t = kith_names_same_threshold();
	if (json) {
		json_t *o = json_pack("{s:f, s:b, s:f}", "score", s, "same", s >= t, "threshold", t);
		if (!o)
			return KITH_EXIT_INTERNAL;
		code = kith_cli_print_json(o);
		json_decref(o);
		return code;
	}
	printf("%.3f %s\n", s, s >= t ? "same" : "different");
	return KITH_EXIT_OK;
}

static int cmd_keys(int argc, char **argv)
{
	int json = 0;
	const char *batch = NULL;
	int code = parse(argc, argv, "names keys", help_keys, &json, NULL, NULL, 1, &batch);
	if (code >= 0)
		return code;
	if (batch) {
		struct kith_names_batch_opts o = {KITH_NAMES_BATCH_KEYS, KITH_NAMES_RR, 0, json, 0, NULL};
		return run_batch(batch, &o);
	}
	const char *name = argv[optind];
	struct kith_name e;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_names_encode(&e, name, strlen(name), &err);
	if (rc)
		return fail(rc, &err, "NAME");
	uint64_t keys[KITH_NAMES_MAX_KEYS];
	size_t n = kith_names_keys(&e, keys);
	uint64_t sk = kith_names_surname_key(&e);
	double share = kith_names_surname_share(&e);
	char hex[24];
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			snprintf(hex, sizeof hex, "%016llx", (unsigned long long)keys[i]);
			if (json_array_append_new(arr, json_string(hex))) {
				json_decref(arr);
				arr = NULL;
			}
		}
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)sk);
		json_t *o = arr ? json_pack("{s:o, s:s, s:f}", "keys", arr, "surname_key", hex,
					    "surname_share", share)
				: NULL;
		if (!o)
			return KITH_EXIT_INTERNAL;
		code = kith_cli_print_json(o);
		json_decref(o);
		return code;
	}
	for (size_t i = 0; i < n; i++)
		printf("%016llx\n", (unsigned long long)keys[i]);
	printf("surname %016llx share %.4f\n", (unsigned long long)sk, share);
	return KITH_EXIT_OK;
}

static int cmd_read(int argc, char **argv)
{
	int json = 0;
	long max = 5;
	const char *batch = NULL;
	int code = parse(argc, argv, "names read", help_read, &json, NULL, &max, 1, &batch);
	if (code >= 0)
		return code;
	if (batch) {
		struct kith_names_batch_opts o = {KITH_NAMES_BATCH_READ, KITH_NAMES_RR, 0, json,
						  (size_t)max,		 NULL};
		return run_batch(batch, &o);
	}
	const char *name = argv[optind];
	struct kith_names_reading r[50];
	size_t n = 0;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_names_read(name, strlen(name), r, (size_t)max, &n, &err);
	if (rc)
		return fail(rc, &err, "NAME");
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			json_t *o = json_pack("{s:s, s:f, s:b}", "hangul", r[i].hangul, "score", r[i].score,
					      "western", r[i].western);
			if (!o || json_array_append_new(arr, o)) {
				json_decref(arr);
				arr = NULL;
			}
		}
		if (!arr)
			return KITH_EXIT_INTERNAL;
		code = kith_cli_print_json(arr);
		json_decref(arr);
		return code;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s %.3f%s\n", r[i].hangul, r[i].score,
		       i == 0 && r[i].western ? " (given name first)" : "");
	return KITH_EXIT_OK;
}

int kith_cmd_names(int argc, char **argv)
{
	if (argc < 2) {
		fputs(help, stderr);
		return KITH_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		fputs(help, stdout);
		return KITH_EXIT_OK;
	}
	if (strcmp(sub, "romanize") == 0)
		return cmd_romanize(argc - 1, argv + 1);
	if (strcmp(sub, "compare") == 0)
		return cmd_compare(argc - 1, argv + 1);
	if (strcmp(sub, "keys") == 0)
		return cmd_keys(argc - 1, argv + 1);
	if (strcmp(sub, "read") == 0)
		return cmd_read(argc - 1, argv + 1);
	return kith_cli_usage("names", "unknown subcommand '%s' (romanize, compare, keys, read)", sub);
}
