/*
 * kith list — one line per case (or record of another kind), filtered,
 * sorted and paged by the casework layer as the web UI's list is.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/cases.h"
#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith list [--status S] [--province P] [--sex S] [--need N] [--assigned NAME]\n"
    "                 [--has-conflict] [--due [--today DATE]] [--sort recent|ref|name|follow-up]\n"
    "                 [--reverse] [--offset N] [--limit N] [--json] [--kind KIND]\n"
    "                 [--vault PATH] [--passphrase-file FILE]\n\n"
    "Lists the current version of the cases: ref, name, sex, birth, origin,\n"
    "status and version, most recently written first; a case that confirmed\n"
    "links join to others says \"same person: REF,...\" (and \"records disagree\"\n"
    "when they differ on sex, birth year or origin). Records that fail\n"
    "verification are reported on stderr, and so is the total (with --json\n"
    "only when a page leaves cases out).\n\n"
    "  --status S, --province P, --sex S, --need N\n"
    "                           only cases with this value (an id or a label in\n"
    "                           English or Korean: 'follow_up', 'Follow-up', '양강도')\n"
    "  --assigned NAME          only cases assigned to this caseworker (\"\": unassigned)\n"
    "  --has-conflict           only cases whose person's records disagree\n"
    "  --due                    only open cases whose follow-up date is today or past\n"
    "  --today DATE             the day --due counts from (default: today)\n"
    "  --sort recent|ref|name|follow-up\n"
    "                           most recently written first (default), by case\n"
    "                           number (R2 before R10), by name as given, or by\n"
    "                           follow-up date (earliest first)\n"
    "  --reverse                the other way round\n"
    "  --offset N, --limit N    a page: skip N, then at most N (default: all)\n"
    "  --json                   an array of {ref, id, name, sex, birth, province,\n"
    "                           status, needs, assigned, follow_up, same_person,\n"
    "                           conflict, version, at}\n"
    "  --kind KIND              another record kind (trace, link): every record,\n"
    "                           without filters\n" KITH_CLI_VAULT_HELP;

enum {
	OPT_STATUS = 0x300,
	OPT_PROVINCE,
	OPT_SEX,
	OPT_NEED,
	OPT_SORT,
	OPT_REVERSE,
	OPT_OFFSET,
	OPT_LIMIT,
	OPT_ASSIGNED,
	OPT_CONFLICT,
	OPT_DUE,
	OPT_TODAY
};

/* An offset or a limit: 0 to 2^40. */
static int parse_size(const char *s, size_t *out)
{
	uint64_t v;
	if (kith_cli_parse_u64(s, 0, 1ULL << 40, &v))
		return -1;
	*out = (size_t)v;
	return 0;
}

static const char *str_at(const json_t *j, const char *a)
{
	const json_t *x = json_object_get(j, a);
	return json_is_string(x) ? json_string_value(x) : "";
}

/* Records of a kind other than case: every one, as stored. */
static int list_kind(struct kith_vault *v, const char *kind, int json)
{
	struct kith_err perr;
	kith_err_clear(&perr);
	if (kith_people_allow(
		v, !strcmp(kind, "person") || !strcmp(kind, "view") ? KITH_PEOPLE_ADMIN : KITH_PEOPLE_NAMES,
		&perr))
		return kith_cli_fail(perr.status, &perr);
	size_t n = 0;
	const struct kith_record_view *recs = kith_vault_records(v, kind, &n);
	json_t *arr = json ? json_array() : NULL;
	int code = KITH_EXIT_OK;
	for (size_t i = 0; i < n && !code; i++) {
		json_t *b = kith_record_view_json(&recs[i]);
		if (!b)
			return KITH_EXIT_INTERNAL;
		if (json) {
			json_t *o =
			    json_pack("{s:s, s:s, s:s, s:i, s:I}", "ref", recs[i].ref ? recs[i].ref : "",
				      "id", recs[i].id, "status", str_at(b, "status"), "version",
				      (int)recs[i].version, "at", (json_int_t)recs[i].at);
			if (!o || json_array_append_new(arr, o))
				code = KITH_EXIT_INTERNAL;
		} else {
			printf("%-14s %-32s %-10s v%u\n", recs[i].ref ? recs[i].ref : "", recs[i].id,
			       str_at(b, "status"), recs[i].version);
		}
		json_decref(b);
	}
	if (json && !code)
		code = kith_cli_print_json(arr);
	else if (!json)
		fprintf(stderr, "%zu %s%s\n", n, kind, n == 1 ? "" : "s");
	json_decref(arr);
	return code;
}

int kith_cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"json", no_argument, 0, 'j'},
	    {"kind", required_argument, 0, 'k'},
	    {"help", no_argument, 0, 'h'},
	    {"status", required_argument, 0, OPT_STATUS},
	    {"province", required_argument, 0, OPT_PROVINCE},
	    {"sex", required_argument, 0, OPT_SEX},
	    {"need", required_argument, 0, OPT_NEED},
	    {"sort", required_argument, 0, OPT_SORT},
	    {"reverse", no_argument, 0, OPT_REVERSE},
	    {"offset", required_argument, 0, OPT_OFFSET},
	    {"limit", required_argument, 0, OPT_LIMIT},
	    {"assigned", required_argument, 0, OPT_ASSIGNED},
	    {"has-conflict", no_argument, 0, OPT_CONFLICT},
	    {"due", no_argument, 0, OPT_DUE},
	    {"today", required_argument, 0, OPT_TODAY},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	struct kith_cases_query q = {0};
	const char *kind = "case";
	int json = 0, filtered = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hjk:", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'j':
			json = 1;
			break;
		case 'k':
			kind = optarg;
			break;
		case OPT_STATUS:
			q.status = optarg;
			filtered = 1;
			break;
		case OPT_PROVINCE:
			q.province = optarg;
			filtered = 1;
			break;
		case OPT_SEX:
			q.sex = optarg;
			filtered = 1;
			break;
		case OPT_NEED:
			q.need = optarg;
			filtered = 1;
			break;
		case OPT_SORT:
			if (kith_cases_sort_parse(optarg, &q.sort))
				return kith_cli_usage("list", "--sort takes recent, ref, name or follow-up");
			filtered = 1;
			break;
		case OPT_REVERSE:
			q.reverse = 1;
			filtered = 1;
			break;
		case OPT_OFFSET:
			if (parse_size(optarg, &q.offset))
				return kith_cli_usage("list", "--offset takes a number");
			filtered = 1;
			break;
		case OPT_LIMIT:
			if (parse_size(optarg, &q.limit))
				return kith_cli_usage("list", "--limit takes a number");
			filtered = 1;
			break;
		case OPT_ASSIGNED:
			q.assigned = optarg;
			filtered = 1;
			break;
		case OPT_CONFLICT:
			q.has_conflict = 1;
			filtered = 1;
			break;
		case OPT_DUE:
			q.due = 1;
			filtered = 1;
			break;
		case OPT_TODAY:
			q.today = optarg;
			filtered = 1;
			break;
		default:
			return kith_cli_usage("list", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("list", "unexpected argument");
	if (strcmp(kind, "case") && filtered)
		return kith_cli_usage("list", "filters, sorting and pages are for cases");
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("list", &va, &v);
	if (code)
		return code;
	kith_cli_report_damage(v);
	if (strcmp(kind, "case")) {
		code = list_kind(v, kind, json);
		if (!code)
			code = kith_cli_damage_exit(v);
		kith_vault_close(v);
		return code;
	}
	struct kith_err err;
	kith_err_clear(&err);
	json_t *items = NULL;
	size_t total = 0;
	int rc = kith_cases_list(v, &q, &items, &total, &err);
	int damaged = kith_cli_damage_exit(v); /* a damaged file: print what reads, then fail */
	kith_vault_close(v);
	if (rc == KITH_E_INVALID) {
		fprintf(stderr, "kith list: --%s: %s\n", err.where, err.msg);
		return KITH_EXIT_USAGE;
	}
	if (rc)
		return kith_cli_fail(rc, &err);
	size_t i;
	const json_t *s;
	if (json)
		code = kith_cli_print_json(items);
	else
		json_array_foreach(items, i, s)
		{
			printf("%-14s %-24s %-7s %-10s %-16s %-10s v%d", str_at(s, "ref"), str_at(s, "name"),
			       str_at(s, "sex"), str_at(s, "birth"), str_at(s, "province"),
			       str_at(s, "status"), (int)json_integer_value(json_object_get(s, "version")));
			if (*str_at(s, "assigned"))
				printf("  assigned: %s", str_at(s, "assigned"));
			if (*str_at(s, "follow_up"))
				printf("  follow-up: %s", str_at(s, "follow_up"));
			const json_t *same = json_object_get(s, "same_person"), *r;
			size_t k;
			json_array_foreach(same, k, r)
			    printf("%s%s", k ? "," : "  same person: ", json_string_value(r));
			if (json_is_true(json_object_get(s, "conflict")))
				printf("  (records disagree)");
			putchar('\n');
		}
	if (json_array_size(items) < total) /* a page: say where it is, in both forms */
		fprintf(stderr, "%zu of %zu cases (from %zu)\n", json_array_size(items), total, q.offset + 1);
	else if (!json)
		fprintf(stderr, "%zu case%s\n", total, total == 1 ? "" : "s");
	json_decref(items);
	return code ? code : damaged;
}
