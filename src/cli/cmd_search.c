/*
 * kith search — ranked search of cases by name, in any script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "casework/search.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith search QUERY [--json] [--limit N] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Finds cases by name or other name, best first. The query may be in Hangul\n"
    "or any romanization (Revised, McCune-Reischauer with or without diacritics,\n"
    "North Korean style, common English spellings), whole or only a surname or\n"
    "given name: 'Pang Mi-son', 'Bang Mi Sun' and '방미선' find the same case.\n\n"
    "  --json                   an array, best first, of {ref, name, matched, score}\n"
    "  --limit N                at most N results (default 20)\n" KITH_CLI_VAULT_HELP;

int kith_cmd_search(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"json", no_argument, 0, 'j'},
	    {"limit", required_argument, 0, 'n'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	int as_json = 0, opt;
	size_t limit = 20;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hjn:", longopts, NULL)) != -1) {
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
			char *end;
			long l = strtol(optarg, &end, 10);
			if (*end || l < 1 || l > 100000)
				return kith_cli_usage("search", "--limit takes a number from 1 to 100000");
			limit = (size_t)l;
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
	const struct kith_search_hit *hits = NULL;
	size_t n = 0;
	int rc = kith_search_new(&s, v, &err);
	if (!rc)
		rc = kith_search_run(s, q, strlen(q), limit, 0, &hits, &n, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (as_json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			json_t *o =
			    json_pack("{s:s, s:s, s:s, s:f}", "ref", hits[i].view->ref, "name", hits[i].name,
				      "matched", hits[i].matched, "score", hits[i].score);
			if (!o || json_array_append_new(arr, o))
				code = KITH_EXIT_INTERNAL;
		}
		if (!arr)
			code = KITH_EXIT_INTERNAL;
		if (!code)
			code = kith_cli_print_json(arr);
		json_decref(arr);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%5.3f  %-14s %s%s%s%s\n", hits[i].score, hits[i].view->ref, hits[i].name,
			       strcmp(hits[i].name, hits[i].matched) ? "  (" : "",
			       strcmp(hits[i].name, hits[i].matched) ? hits[i].matched : "",
			       strcmp(hits[i].name, hits[i].matched) ? ")" : "");
		if (n == 0)
			fprintf(stderr, "no case matches\n");
	}
	kith_search_free(s);
	kith_vault_close(v);
	return code;
}
