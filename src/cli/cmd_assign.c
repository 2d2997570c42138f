/*
 * kith assign — give a case to a caseworker and set its follow-up date
 * (casework/workflow.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "casework/workflow.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] = "usage: kith assign REF [NAME] [--follow-up DATE] [--unassign] [--no-follow-up]\n"
			   "                   [--by NAME] [--vault PATH] [--passphrase-file FILE]\n"
			   "       kith assign --names [--json] [--vault PATH] [--passphrase-file FILE]\n\n"
			   "Assigns the case REF to the caseworker NAME (free text: the names used\n"
			   "before are listed by --names) and sets its follow-up date, as a new\n"
			   "version of the case (action \"assign\"; `kith history` shows it). A case\n"
			   "is due (`kith due`) from its follow-up date until it is closed.\n\n"
			   "  NAME                     the caseworker (at most 200 bytes)\n"
			   "  --follow-up DATE         the next follow-up, YYYY-MM-DD\n"
			   "  --unassign               remove the assignment\n"
			   "  --no-follow-up           remove the follow-up date\n"
			   "  --by NAME                who assigns, in the history (default $KITH_REVIEWER,\n"
			   "                           $USER)\n"
			   "  --names                  list the caseworker names used, with their cases\n"
			   "  --json                   with --names: [{name, cases}]\n" KITH_CLI_VAULT_HELP;

enum { OPT_FOLLOW = 0x300, OPT_UNASSIGN, OPT_NOFOLLOW, OPT_BY, OPT_NAMES, OPT_JSON };

int kith_cmd_assign(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"help", no_argument, 0, 'h'},
	    {"follow-up", required_argument, 0, OPT_FOLLOW},
	    {"unassign", no_argument, 0, OPT_UNASSIGN},
	    {"no-follow-up", no_argument, 0, OPT_NOFOLLOW},
	    {"by", required_argument, 0, OPT_BY},
	    {"names", no_argument, 0, OPT_NAMES},
	    {"json", no_argument, 0, OPT_JSON},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	struct kith_workflow_assign wa = {0};
	int names = 0, json = 0, unassign = 0, opt;
	const char *by = NULL;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_FOLLOW:
			wa.follow_up = optarg;
			break;
		case OPT_UNASSIGN:
			unassign = 1;
			break;
		case OPT_NOFOLLOW:
			wa.follow_up = "";
			break;
		case OPT_BY:
			by = optarg;
			break;
		case OPT_NAMES:
			names = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		default:
			return kith_cli_usage("assign", "unknown option");
		}
	}
	int nargs = argc - optind;
	if (names ? nargs != 0 : (nargs < 1 || nargs > 2))
		return kith_cli_usage("assign", names ? "--names takes no REF" : "give REF and a NAME");
	if (!names) {
		if (unassign && nargs == 2)
			return kith_cli_usage("assign", "give a NAME or --unassign, not both");
		if (nargs == 2 && !*argv[optind + 1])
			return kith_cli_usage("assign", "the NAME is empty (use --unassign)");
		wa.assigned = unassign ? "" : nargs == 2 ? argv[optind + 1] : NULL;
		if (!wa.assigned && !wa.follow_up)
			return kith_cli_usage("assign",
					      "nothing to change: give a NAME, --follow-up or --unassign");
	}
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("assign", &va, &v);
	if (code)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	if (names) {
		json_t *a = kith_workflow_assignees(v);
		kith_vault_close(v);
		if (!a)
			return kith_cli_fail(KITH_E_NOMEM, NULL);
		if (json) {
			code = kith_cli_print_json(a);
		} else {
			size_t i;
			const json_t *x;
			json_array_foreach(a, i, x)
			    printf("%s\t%lld\n", json_string_value(json_object_get(x, "name")),
				   (long long)json_integer_value(json_object_get(x, "cases")));
		}
		json_decref(a);
		return code;
	}
	wa.by = kith_cli_reviewer(by);
	int rc = kith_workflow_assign(v, argv[optind], &wa, 0, &err);
	kith_vault_close(v);
	if (rc)
		return kith_cli_fail(rc, &err);
	return KITH_EXIT_OK;
}
