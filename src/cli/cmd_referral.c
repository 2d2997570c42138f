/*
 * kith referral — a redacted referral sheet for a partner organization,
 * recorded in the case's history (casework/workflow.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "casework/workflow.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith referral REF --to PARTNER --fields FIELD,... [--by NAME] [--date DATE]\n"
    "                     [--json] [--vault PATH] [--passphrase-file FILE]\n"
    "       kith referral --list-fields\n\n"
    "Prints the referral sheet of case REF for the partner organization: the\n"
    "case number and only the fields chosen, nothing else (never consent,\n"
    "source or earlier referrals). Only a case whose consent allows sharing\n"
    "with other organizations (consent.sharing) can be referred. The referral\n"
    "(date, partner, fields, who) is recorded in the case as a new version\n"
    "(action \"referral\"): `kith history REF` shows it.\n\n"
    "  --to PARTNER             the partner organization\n"
    "  --fields FIELD,...       the fields to share (see --list-fields), e.g.\n"
    "                           person.name,needs,services\n"
    "  --by NAME                who refers (default $KITH_REVIEWER, $USER)\n"
    "  --date DATE              the referral's date, YYYY-MM-DD (default: today)\n"
    "  --json                   the sheet as {ref, partner, date, by, fields:\n"
    "                           [{field, en, ko, value}]}\n"
    "  --list-fields            the fields a referral may carry\n" KITH_CLI_VAULT_HELP;

enum { OPT_TO = 0x300, OPT_FIELDS, OPT_BY, OPT_DATE, OPT_JSON, OPT_LIST };

static void print_value(const json_t *v)
{
	if (json_is_null(v)) {
		puts("-");
		return;
	}
	if (json_is_string(v)) {
		puts(json_string_value(v));
		return;
	}
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	puts(s ? s : "?");
	kith_wipe_free_str(s);
}

int kith_cmd_referral(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"help", no_argument, 0, 'h'},
	    {"to", required_argument, 0, OPT_TO},
	    {"fields", required_argument, 0, OPT_FIELDS},
	    {"by", required_argument, 0, OPT_BY},
	    {"date", required_argument, 0, OPT_DATE},
	    {"json", no_argument, 0, OPT_JSON},
	    {"list-fields", no_argument, 0, OPT_LIST},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *to = NULL, *fields = NULL, *by = NULL, *date = NULL;
	int json = 0, list = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_TO:
			to = optarg;
			break;
		case OPT_FIELDS:
			fields = optarg;
			break;
		case OPT_BY:
			by = optarg;
			break;
		case OPT_DATE:
			date = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_LIST:
			list = 1;
			break;
		default:
			return kith_cli_usage("referral", "unknown option");
		}
	}
	if (list) {
		json_t *f = kith_workflow_referral_fields();
		if (!f)
			return kith_cli_fail(KITH_E_NOMEM, NULL);
		size_t i;
		const json_t *x;
		json_array_foreach(f, i, x)
		    printf("%-22s %s\n", json_string_value(json_object_get(x, "field")),
			   json_string_value(json_object_get(x, "en")));
		json_decref(f);
		return KITH_EXIT_OK;
	}
	if (argc - optind != 1)
		return kith_cli_usage("referral", "give one case REF");
	if (!to || !*to)
		return kith_cli_usage("referral", "name the partner organization with --to");
	if (!fields || !*fields)
		return kith_cli_usage("referral", "choose the fields to share with --fields");
	/* split the comma list */
	char *copy = strdup(fields);
	const char **list_f = calloc(strlen(fields) / 2 + 2, sizeof *list_f);
	if (!copy || !list_f) {
		free(copy);
		free(list_f);
		return kith_cli_fail(KITH_E_NOMEM, NULL);
	}
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		list_f[n++] = t;
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("referral", &va, &v);
	if (code) {
		free(copy);
		free(list_f);
		return code;
	}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_workflow_referral r = {
	    .partner = to, .fields = list_f, .n_fields = n, .by = kith_cli_reviewer(by), .date = date};
	json_t *sheet = NULL;
	int rc = kith_workflow_referral(v, argv[optind], &r, &sheet, &err);
	kith_vault_close(v);
	free(list_f);
	if (rc) {
		free(copy);
		return kith_cli_fail(rc, &err);
	}
	free(copy);
	if (json) {
		code = kith_cli_print_json(sheet);
	} else {
		printf("Referral of case %s to %s, %s, by %s\n",
		       json_string_value(json_object_get(sheet, "ref")),
		       json_string_value(json_object_get(sheet, "partner")),
		       json_string_value(json_object_get(sheet, "date")),
		       json_string_value(json_object_get(sheet, "by")));
		size_t i;
		const json_t *f;
		json_array_foreach(json_object_get(sheet, "fields"), i, f)
		{
			printf("%s: ", json_string_value(json_object_get(f, "en")));
			print_value(json_object_get(f, "value"));
		}
	}
	json_decref(sheet);
	return code;
}
