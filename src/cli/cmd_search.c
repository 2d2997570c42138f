/*
 * kith search — ranked search of cases by name, in any script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/cases.h"
#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "casework/search.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith search QUERY [--json] [--limit N] [--offset N] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Finds cases by name or other name, best first. The query may be in Hangul\n"
    "or any romanization (Revised, McCune-Reischauer with or without diacritics,\n"
    "North Korean style, common English spellings), Hanja, pinyin or Cyrillic,\n"
    "whole or only a surname, a given name, a surname and the start of a given\n"
    "name, or any word of a name that is not Korean: 'Pang Mi-son', 'Bang Mi Sun'\n"
    "and '방미선' find the same case. A query with a digit is a case number\n"
    "('R0000031'): the case of that ref, then refs that contain it.\n\n"
    "  --json                   {total, offset, limit, items: [{ref, name, matched, score}]}\n"
    "  --limit N                at most N results (default 20)\n"
    "  --offset N               skip the N best (the next page: --offset 20)\n"
    "Without --json the last line says which results of how many were shown.\n" KITH_CLI_VAULT_HELP;

int kith_cmd_search(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"json", no_argument, 0, 'j'},
	    {"limit", required_argument, 0, 'n'},
	    {"offset", required_argument, 0, 'o'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	int as_json = 0, opt;
	size_t limit = 20, offset = 0;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hjn:o:", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'j':
			as_json = 1;
			break;
		case 'n': {
			uint64_t l;
			if (kith_cli_parse_u64(optarg, 1, 100000, &l))
				return kith_cli_usage("search", "--limit takes a number from 1 to 100000");
			limit = (size_t)l;
			break;
		}
		case 'o': {
			uint64_t o;
			if (kith_cli_parse_u64(optarg, 0, 100000000, &o))
				return kith_cli_usage("search",
						      "--offset takes a number from 0 to 100000000");
			offset = (size_t)o;
			break;
		}
		default:
			return kith_cli_usage("search", "unknown option");
		}
	}
	if (argc - optind != 1)
		return kith_cli_usage("search", "give exactly one QUERY (quote it if it has spaces)");
	const char *q = argv[optind];
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("search", &va, &v);
	if (code)
		return code;
	kith_cli_report_damage(v);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_search *s = NULL;
	struct kith_search_opts so = {limit, offset, 0};
	struct kith_search_result r = {NULL, 0, 0};
	int rc = kith_people_allow(v, KITH_PEOPLE_NAMES, &err); /* people.h */
	if (!rc)
		rc = kith_search_new(&s, v, &err);
	if (!rc)
		kith_search_tune(s, kith_cli_threads(), 0);
	if (!rc)
		rc = kith_search_query(s, q, strlen(q), &so, &r, &err);
	const struct kith_search_hit *hits = r.hits;
	size_t n = r.n;
	struct kith_person me; /* a caseworker sees their own cases only */
	kith_people_me(v, &me);
	struct kith_search_hit *mine = NULL;
	if (!rc && me.role == KITH_ROLE_CASEWORKER && n) {
		if (!(mine = malloc(n * sizeof *mine))) {
			rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
		} else {
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (kith_people_sees(&me, hits[i].view))
					mine[k++] = hits[i];
			hits = mine;
			r.total -= n - k;
			n = k;
		}
	}
	/* one person across merged cases: the other records of each hit */
	json_t *ann = rc ? NULL : json_array();
	for (size_t i = 0; ann && i < n; i++)
		if (json_array_append_new(ann, kith_cases_summary(hits[i].view))) {
			json_decref(ann);
			ann = NULL;
		}
	if (!rc && (!ann || kith_cases_add_persons(v, ann, &err)))
		rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (as_json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			json_t *o =
			    json_pack("{s:s, s:s, s:s, s:f, s:O}", "ref", hits[i].view->ref, "name",
				      hits[i].name, "matched", hits[i].matched, "score", hits[i].score,
				      "same_person", json_object_get(json_array_get(ann, i), "same_person"));
			if (!o || json_array_append_new(arr, o))
				code = KITH_EXIT_INTERNAL;
		}
		json_t *top = arr ? json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)r.total, "offset",
					      (json_int_t)offset, "limit", (json_int_t)limit, "items", arr)
				  : NULL;
		if (!top)
			code = KITH_EXIT_INTERNAL;
		if (!code)
			code = kith_cli_print_json(top);
		json_decref(top);
	} else {
		for (size_t i = 0; i < n; i++) {
			printf("%5.3f  %-14s %s%s%s%s", hits[i].score, hits[i].view->ref, hits[i].name,
			       strcmp(hits[i].name, hits[i].matched) ? "  (" : "",
			       strcmp(hits[i].name, hits[i].matched) ? hits[i].matched : "",
			       strcmp(hits[i].name, hits[i].matched) ? ")" : "");
			const json_t *same = json_object_get(json_array_get(ann, i), "same_person"), *x;
			size_t k;
			json_array_foreach(same, k, x)
			    printf("%s%s", k ? "," : "  same person: ", json_string_value(x));
			putchar('\n');
		}
		if (r.total == 0)
			fprintf(stderr, "no case matches\n");
		else if (n == 0)
			printf("(no results past %zu: %zu in all)\n", offset, r.total);
		else
			printf("(%zu-%zu of %zu)\n", offset + 1, offset + n, r.total);
	}
	json_decref(ann);
	free(mine);
	kith_search_free(s);
	if (!code)
		code = kith_cli_damage_exit(v);
	kith_vault_close(v);
	return code;
}
