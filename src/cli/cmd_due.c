/*
 * kith due — the open cases whose follow-up is today or past, overdue first
 * (casework/workflow.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "casework/workflow.h"
#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith due [--assigned NAME | --mine] [--today DATE] [--json]\n"
    "                [--vault PATH] [--passphrase-file FILE]\n\n"
    "Lists the cases due: a follow-up date (`kith assign --follow-up`) today or\n"
    "past, and a status that is not closed. Overdue cases first, oldest\n"
    "follow-up first, then those due today. The count is on stderr.\n\n"
    "  --assigned NAME          only the cases assigned to NAME\n"
    "  --mine                   only mine: assigned to the person who unlocked (kith\n"
    "                           user), else to $KITH_REVIEWER (or $USER)\n"
    "  --today DATE             count from this day, YYYY-MM-DD (default: today)\n"
    "  --json                   {today, assigned, overdue: [cases], due_today: [cases],\n"
    "                           total} as `kith list --json` prints cases\n" KITH_CLI_VAULT_HELP;

enum { OPT_ASSIGNED = 0x300, OPT_MINE, OPT_TODAY, OPT_JSON };

static void print_cases(const json_t *a, const char *label)
{
	size_t i;
	const json_t *s;
	json_array_foreach(a, i, s)
	{
		printf("%-8s %-10s %-14s %-24s %s\n", label,
		       json_string_value(json_object_get(s, "follow_up")),
		       json_string_value(json_object_get(s, "ref")),
		       json_string_value(json_object_get(s, "name")),
		       json_string_value(json_object_get(s, "assigned")));
	}
}

int kith_cmd_due(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"help", no_argument, 0, 'h'},
	    {"assigned", required_argument, 0, OPT_ASSIGNED},
	    {"mine", no_argument, 0, OPT_MINE},
	    {"today", required_argument, 0, OPT_TODAY},
	    {"json", no_argument, 0, OPT_JSON},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *assigned = NULL, *today = NULL;
	int json = 0, mine = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_ASSIGNED:
			assigned = optarg;
			break;
		case OPT_MINE:
			mine = 1;
			break;
		case OPT_TODAY:
			today = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		default:
			return kith_cli_usage("due", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("due", "unexpected argument");
	if (mine && assigned)
		return kith_cli_usage("due", "give --assigned or --mine, not both");
	if (mine)
		assigned = kith_cli_reviewer(NULL);
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("due", &va, &v);
	char me[KITH_PEOPLE_NAME_MAX]; /* casework/people.h: a named person's own name */
	if (!code && mine)
		assigned = kith_people_reviewer(v, assigned, me, sizeof me);
	if (code)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	json_t *out = NULL;
	int rc = kith_workflow_due(v, today, assigned, &out, &err);
	kith_vault_close(v);
	if (rc == KITH_E_INVALID) {
		fprintf(stderr, "kith due: --%s: %s\n", err.where, err.msg);
		return KITH_EXIT_USAGE;
	}
	if (rc)
		return kith_cli_fail(rc, &err);
	if (json) {
		code = kith_cli_print_json(out);
	} else {
		print_cases(json_object_get(out, "overdue"), "overdue");
		print_cases(json_object_get(out, "due_today"), "today");
		fprintf(stderr, "%zu overdue, %zu due today\n",
			json_array_size(json_object_get(out, "overdue")),
			json_array_size(json_object_get(out, "due_today")));
	}
	json_decref(out);
	return code;
}
