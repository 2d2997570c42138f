/*
 * kith trace — family tracing: add requests, list them, match one against
 * every case, review a candidate (possible, confirm, reject, undo), and
 * re-run every open request to notice new cases (`kith trace --all`).
 * The library side is src/link/trace.h; docs/tracing.md is the guide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "record/caseio.h"
#include "base/io.h"
#include "vault/vault.h"
#include "casework/trace.h"
#include "casework/tracelist.h"

static const char help[] =
    "usage: kith trace add [FILE|-] [--format json|jsonl]\n"
    "       kith trace list [--status S] [--query TEXT] [--offset N] [--limit N] [--json]\n"
    "       kith trace match REF [--json] [--limit N] [--min-score P] [--rejected]\n"
    "       kith trace possible|confirm|reject|undo REF CASE [--note TEXT] [--reviewer NAME]\n"
    "       kith trace close|reopen REF [--note TEXT] [--reviewer NAME]\n"
    "       kith trace edit REF FILE [--reviewer NAME]\n"
    "       kith trace --all [--json] [--limit N] [--min-score P] [--dry-run]\n\n"
    "Family tracing (docs/tracing.md). A tracing request (a record of kind \"trace\",\n"
    "docs/data-model.md) describes who is looking (their case, or a description)\n"
    "and who is sought: names in any script, sex, birth or age at a known time\n"
    "(\"7 in 2003\"), place and date of separation, relation, details.\n\n"
    "  add       reads requests (a JSON object or JSON Lines) and stores them; an\n"
    "            impossible age, a relation that contradicts the birth years, an\n"
    "            unknown seeker case or a request that identifies no one is refused\n"
    "            with FILE:LINE:field; nothing is stored then. Prints each ref.\n"
    "  list      the requests with their status and reviewed candidates, oldest\n"
    "            first; --query TEXT keeps those whose ref, seeker's case or a\n"
    "            name holds TEXT, or (TEXT without a digit) whose sought's or\n"
    "            seeker's names the names engine matches in any spelling or\n"
    "            script (Bang Mi Sun finds 방미선), as the web's tracing list\n"
    "            does; --offset and --limit page it; stderr gives the total.\n"
    "  match     scores request REF against every case whose consent allows\n"
    "            tracing; prints candidates best first with ref, score and the\n"
    "            weight of each field. A case without tracing consent never appears.\n"
    "  possible  marks case CASE a possible match of request REF.\n"
    "  confirm   confirms it: the request is confirmed and both cases get a family\n"
    "            link to each other (new versions; see kith history).\n"
    "  reject    rejects it; it is not shown again (match --rejected shows it).\n"
    "  undo      undoes the candidate's review; undoing a confirmation removes\n"
    "            the family links again (as new versions).\n"
    "  close     closes request REF (not matched by --all, no reviews); reopen\n"
    "            opens it again.\n"
    "  edit      replaces the description of request REF (seeker, sought,\n"
    "            consent) with the JSON object in FILE, checked as add checks it;\n"
    "            its status and reviewed candidates stay (a new version).\n"
    "  --all     re-runs every open request and reports candidates (score at least\n"
    "            --min-score, default 0.5) not reported before; records what it\n"
    "            reported in each request's history unless --dry-run.\n\n"
    "  --json                   print JSON\n"
    "  --limit N                candidates per request (default 10); list:\n"
    "                           requests on the page (default all)\n"
    "  --offset N               list: requests to skip (default 0)\n"
    "  --query TEXT             list: a ref, a case number or a name\n"
    "  --min-score P            leave out candidates scoring below P (0..1)\n"
    "  --rejected               match: also show rejected candidates\n"
    "  --status S               list: only requests with status S\n"
    "                           (open, possible_match, confirmed, closed)\n"
    "  --format F               add: json or jsonl (default: by extension/content)\n"
    "  --note TEXT              a note kept in the history\n" KITH_CLI_REVIEWER_HELP
    "  --dry-run                --all: report, record nothing\n" KITH_CLI_VAULT_HELP;

enum {
	OPT_LIMIT = 0x200,
	OPT_MIN,
	OPT_REJECTED,
	OPT_STATUS,
	OPT_FORMAT,
	OPT_ALL,
	OPT_DRY,
	OPT_OFFSET,
	OPT_QUERY
};

struct args {
	struct kith_cli_common c; /* vault options, --json, the operands */
	int rejected, all, dry;
	size_t limit, offset;
	double min_score;
	int min_score_set;
	const char *status, *format, *query;
};

static int trace_opt(void *args, const char *cmd, int opt, const char *arg)
{
	struct args *a = args;
	switch (opt) {
	case OPT_LIMIT: {
		uint64_t l;
		if (kith_cli_parse_u64(arg, 1, KITH_TRACE_MAX_LIMIT, &l))
			return kith_cli_usage(cmd, "--limit takes 1 to %d", KITH_TRACE_MAX_LIMIT);
		a->limit = (size_t)l;
		break;
	}
	case OPT_MIN:
		if (kith_cli_parse_double(arg, 0, 1, &a->min_score))
			return kith_cli_usage(cmd, "--min-score takes a number between 0 and 1");
		a->min_score_set = 1;
		break;
	case OPT_REJECTED:
		a->rejected = 1;
		break;
	case OPT_STATUS:
		if (strcmp(arg, "open") && strcmp(arg, "possible_match") && strcmp(arg, "confirmed") &&
		    strcmp(arg, "closed"))
			return kith_cli_usage(cmd,
					      "--status takes open, possible_match, confirmed or closed");
		a->status = arg;
		break;
	case OPT_FORMAT:
		if (strcmp(arg, "json") && strcmp(arg, "jsonl"))
			return kith_cli_usage(cmd, "--format takes json or jsonl");
		a->format = arg;
		break;
	case OPT_ALL:
		a->all = 1;
		break;
	case OPT_DRY:
		a->dry = 1;
		break;
	case OPT_OFFSET: {
		uint64_t o;
		if (kith_cli_parse_u64(arg, 0, 1ULL << 40, &o))
			return kith_cli_usage(cmd, "--offset takes a number from 0");
		a->offset = (size_t)o;
		break;
	}
	case OPT_QUERY:
		a->query = arg;
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
	    {"limit", required_argument, 0, OPT_LIMIT},
	    {"min-score", required_argument, 0, OPT_MIN},
	    {"rejected", no_argument, 0, OPT_REJECTED},
	    {"status", required_argument, 0, OPT_STATUS},
	    {"format", required_argument, 0, OPT_FORMAT},
	    KITH_CLI_NOTE_LONGOPT,
	    KITH_CLI_REVIEWER_LONGOPT,
	    {"all", no_argument, 0, OPT_ALL},
	    {"dry-run", no_argument, 0, OPT_DRY},
	    {"offset", required_argument, 0, OPT_OFFSET},
	    {"query", required_argument, 0, OPT_QUERY},
	    {0, 0, 0, 0},
	};
	memset(a, 0, sizeof *a);
	return kith_cli_getopt(cmd, help, argc, argv, "hj", longopts, &a->c, trace_opt, a);
}

/* A subcommand on the vault: its options, `n` operands (else the usage error
 * `what`), then the vault opened. -1 to go on, else the exit code. */
static int begin(const char *cmd, int argc, char **argv, size_t n, const char *what, struct args *a,
		 struct kith_vault **v)
{
	int code = parse_args(cmd, argc, argv, a);
	return code >= 0 ? code : kith_cli_open_operands(cmd, &a->c, n, what, v);
}

static int cmd_add(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.c.n_pos > 1)
		return kith_cli_usage(cmd, "give one FILE (or - for standard input)");
	const char *file = a.c.n_pos ? a.c.pos[0] : "-";
	if (!strcmp(file, "-") && !a.c.va.passfile)
		return kith_cli_usage(cmd, "reading requests from standard input needs --passphrase-file");
	const char *name = strcmp(file, "-") ? file : "stdin";
	struct kith_err err;
	kith_err_clear(&err);
	enum kith_caseio_format fmt = KITH_CASEIO_AUTO;
	if (a.format && kith_caseio_format_parse(a.format, &fmt))
		return kith_cli_usage(cmd, "--format takes json or jsonl");
	if (fmt == KITH_CASEIO_AUTO)
		fmt = kith_caseio_format_of_path(file);
	if (fmt == KITH_CASEIO_CSV)
		return kith_cli_usage(cmd, "tracing requests are JSON or JSON Lines, not CSV");
	/* parse before unlocking: a bad file costs no Argon2id run */
	struct kith_sbuf data = KITH_SBUF_INIT;
	int rc = kith_io_read_file(file, KITH_CASEIO_MAX_FILE, &data, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	json_t **bodies = NULL;
	size_t n = 0, *lines = NULL;
	rc = kith_caseio_parse_lines(fmt, "trace", data.buf, data.len, name, 0, &bodies, &lines, &n, &err);
	kith_sbuf_release(&data);
	if (rc) {
		kith_sbuf_release(&data);
		return kith_cli_fail(rc, &err);
	}
	if (!n) {
		fprintf(stderr, "kith: %s: no tracing request\n", name);
		return KITH_EXIT_USER;
	}
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault(cmd, &a.c.va, &v);
	if (code) {
		kith_caseio_free(bodies, n);
		free(lines);
		return code;
	}
	char(*refs)[KITH_VAULT_REF_MAX] = calloc(n, sizeof *refs);
	size_t bad = 0;
	if (!refs)
		rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	else
		rc = kith_trace_add(v, bodies, n, refs, &bad, &err);
	if (rc) {
		if (rc == KITH_E_INVALID || rc == KITH_E_NOTFOUND || rc == KITH_E_CONSENT ||
		    rc == KITH_E_EXISTS) {
			char where[64];
			snprintf(where, sizeof where, "%zu", bad < n ? lines[bad] : lines[n - 1]);
			kith_err_prefix_where(&err, where);
			kith_err_prefix_where(&err, name);
		}
		code = kith_cli_fail(rc, &err);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", refs[i]);
	}
	free(refs);
	kith_caseio_free(bodies, n);
	free(lines);
	kith_vault_close(v);
	return code;
}

/* kith trace list: a page of the requests, searched (casework/tracelist.h). */
static int cmd_list(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 0, "takes no arguments", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	kith_cli_report_damage(v);
	struct kith_err err;
	kith_err_clear(&err);
	json_t *list = NULL;
	size_t total = 0;
	struct kith_tracelist_query q = {
	    .status = a.status, .text = a.query, .offset = a.offset, .limit = a.limit};
	int rc = kith_tracelist_query(v, &q, &list, &total, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (a.c.json) {
		code = kith_cli_print_json(list);
	} else {
		printf("%-16s %-15s %-16s %-8s %s\n", "REF", "STATUS", "SEEKER", "RELATION", "REVIEWED");
		size_t i;
		json_t *o;
		json_array_foreach(list, i, o)
		{
			const json_t *sk = json_object_get(o, "seeker");
			const json_t *c = json_object_get(o, "candidates");
			const char *scase = json_string_value(json_object_get(sk, "case"));
			const char *rel =
			    json_string_value(json_object_get(json_object_get(o, "sought"), "relation"));
			printf("%-16s %-15s %-16s %-8s %lld possible, %lld confirmed, %lld rejected\n",
			       json_string_value(json_object_get(o, "ref")),
			       json_string_value(json_object_get(o, "status")), scase ? scase : "(described)",
			       rel ? rel : "-", (long long)json_integer_value(json_object_get(c, "possible")),
			       (long long)json_integer_value(json_object_get(c, "confirmed")),
			       (long long)json_integer_value(json_object_get(c, "rejected")));
		}
		if (!json_array_size(list))
			printf("(no tracing requests)\n");
	}
	if (!rc) {
		size_t shown = json_array_size(list);
		if (shown < total) /* a page: say where it is, as kith list does */
			fprintf(stderr, "%zu of %zu requests (from %zu)\n", shown, total, a.offset + 1);
		else
			fprintf(stderr, "%zu request%s\n", total, total == 1 ? "" : "s");
	}
	json_decref(list);
	kith_vault_close(v);
	return code;
}

static void print_result(const struct kith_trace_result *r)
{
	printf("request %s: %zu cases considered, %zu left out (no tracing consent), %zu impossible by age\n",
	       r->ref, r->considered, r->no_consent, r->impossible);
	if (!r->n) {
		printf("  no candidates\n");
		return;
	}
	printf("  %-4s %-16s %-7s %-8s %-10s %s\n", "RANK", "CASE", "SCORE", "WEIGHT", "REVIEW",
	       "WHY (field: level weight)");
	for (size_t i = 0; i < r->n; i++) {
		const struct kith_trace_candidate *c = &r->c[i];
		printf("  %-4zu %-16s %-7.4f %-8.2f %-10s", i + 1, c->ref, c->score, c->weight,
		       c->state ? c->state : (c->is_new ? "new" : "-"));
		for (size_t k = 0; k < c->n_parts; k++) {
			const struct kith_trace_part *p = &c->parts[k];
			if (!strcmp(p->level, "missing") || !strcmp(p->level, "not checked"))
				continue;
			printf(" %s: %s %+.1f;", p->field, p->level, p->weight);
		}
		printf("\n");
	}
}

static int cmd_match(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 1, "give one request REF", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_trace_opts o = {
	    .limit = a.limit, .min_score = a.min_score, .include_rejected = a.rejected};
	struct kith_trace_result *r = NULL;
	int rc = kith_trace_match(v, a.c.pos[0], &o, &r, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (a.c.json) {
		code = kith_cli_print_json_new(kith_trace_result_json(r));
	} else {
		print_result(r);
	}
	kith_trace_result_free(r);
	kith_vault_close(v);
	return code;
}

static int cmd_review(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	enum kith_trace_verb verb = (enum kith_trace_verb)sub->arg;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 2, "give a request REF and a CASE ref", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_trace_review(v, a.c.pos[0], a.c.pos[1], verb, kith_cli_reviewer(a.c.reviewer), a.c.note,
				   &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else {
		static const char *const said[] = {"marked possible", "confirmed", "rejected",
						   "review undone"};
		printf("request %s case %s %s\n", a.c.pos[0], a.c.pos[1], said[verb]);
		const struct kith_record_view *tv = kith_vault_find(v, "trace", a.c.pos[0]);
		json_t *b = tv ? kith_record_view_json(tv) : NULL;
		const char *st = b ? json_string_value(json_object_get(b, "status")) : NULL;
		if (st)
			printf("request %s is now %s\n", a.c.pos[0], st);
		json_decref(b);
	}
	kith_vault_close(v);
	return code;
}

static int cmd_close(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	int reopen = sub->arg;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 1, "give one request REF", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_trace_close(v, a.c.pos[0], reopen, kith_cli_reviewer(a.c.reviewer), a.c.note, &err);
	if (rc)
		code = kith_cli_fail(rc, &err);
	else
		printf("request %s %s\n", a.c.pos[0], reopen ? "reopened" : "closed");
	kith_vault_close(v);
	return code;
}

/* kith trace edit REF FILE: a request's new description (casework/tracelist.h). */
static int cmd_edit(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.c.n_pos != 2)
		return kith_cli_usage(cmd, "give the request REF and one FILE");
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf data = KITH_SBUF_INIT;
	int rc = kith_io_read_file(a.c.pos[1], KITH_CASEIO_MAX_FILE, &data, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	json_error_t je;
	json_t *body = json_loadb(data.buf ? data.buf : "", data.len, JSON_REJECT_DUPLICATES, &je);
	kith_sbuf_release(&data);
	if (!json_is_object(body)) {
		json_decref(body);
		fprintf(stderr, "kith: %s:%d: not a JSON object\n", a.c.pos[1], body ? 1 : je.line);
		return KITH_EXIT_USER;
	}
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault(cmd, &a.c.va, &v);
	if (code) {
		json_decref(body);
		return code;
	}
	rc = kith_tracelist_edit(v, a.c.pos[0], body, 0, kith_cli_reviewer(a.c.reviewer), &err);
	json_decref(body);
	if (rc) {
		if (err.where[0] && strcmp(err.where, "ref")) { /* a field of the file */
			char where[sizeof err.where];
			snprintf(where, sizeof where, "%s", err.where);
			snprintf(err.where, sizeof err.where, "%.100s:1:%.100s", a.c.pos[1], where);
		}
		code = kith_cli_fail(rc, &err);
	} else {
		printf("request %s edited\n", a.c.pos[0]);
	}
	kith_vault_close(v);
	return code;
}

static int cmd_all(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, 0, "takes no arguments", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_trace_opts o = {
	    .limit = a.limit, .min_score = a.min_score, .min_score_set = a.min_score_set};
	json_t *out = NULL;
	int rc = kith_trace_run_all(v, &o, !a.dry, &out, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (a.c.json) {
		code = kith_cli_print_json(out);
	} else {
		printf("%lld open requests matched, %lld skipped (no tracing consent), %lld with new "
		       "candidates\n",
		       (long long)json_integer_value(json_object_get(out, "requests")),
		       (long long)json_integer_value(json_object_get(out, "skipped_consent")),
		       (long long)json_integer_value(json_object_get(out, "with_new")));
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(out, "results"), i, r)
		{
			printf("request %s:", json_string_value(json_object_get(r, "ref")));
			size_t k;
			json_t *c;
			json_array_foreach(json_object_get(r, "candidates"), k, c)
			    printf(" %s (%.3f)", json_string_value(json_object_get(c, "ref")),
				   json_number_value(json_object_get(c, "score")));
			printf("\n");
		}
		json_array_foreach(json_object_get(out, "failed"), i, r) fprintf(
		    stderr, "kith: request %s: %s: %s\n", json_string_value(json_object_get(r, "ref")),
		    json_string_value(json_object_get(r, "where")),
		    json_string_value(json_object_get(r, "error")));
	}
	json_decref(out);
	kith_vault_close(v);
	return code;
}

int kith_cmd_trace(int argc, char **argv)
{
	static const struct kith_cli_sub subs[] = {
	    {"add", cmd_add, "trace add", 0},
	    {"list", cmd_list, "trace list", 0},
	    {"match", cmd_match, "trace match", 0},
	    {"possible", cmd_review, "trace possible", KITH_TRACE_POSSIBLE},
	    {"confirm", cmd_review, "trace confirm", KITH_TRACE_CONFIRM},
	    {"reject", cmd_review, "trace reject", KITH_TRACE_REJECT},
	    {"undo", cmd_review, "trace undo", KITH_TRACE_UNDO},
	    {"close", cmd_close, "trace close", 0},
	    {"reopen", cmd_close, "trace reopen", 1},
	    {"all", cmd_all, "trace --all", 0},
	    {"edit", cmd_edit, "trace edit", 0},
	    {0, 0, 0, 0},
	};
	int code = kith_cli_dispatch(subs, argc, argv);
	if (code >= 0)
		return code;
	struct args a;
	code = parse_args("trace", argc, argv, &a);
	if (code >= 0)
		return code;
	static const struct kith_cli_sub all = {"--all", cmd_all, "trace --all", 0};
	if (a.all)
		return cmd_all(argc, argv, &all);
	if (a.c.n_pos)
		return kith_cli_usage("trace", "unknown subcommand");
	return kith_cli_usage("trace", "give a subcommand (add, list, match, confirm, ...) or --all");
}
