/*
 * kith resolve — a person's resolution of a conflict between versions of one
 * record written apart on two devices (issue 12; casework/conflicts.h).
 */
#include <stdio.h>
#include <string.h>

#include "casework/conflicts.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith resolve [REF] [--take FIELD=SIDE]... [--all SIDE] [--kind KIND] [--json]\n"
    "                    [--vault PATH] [--passphrase-file FILE]\n\n"
    "Two devices that edited the same record apart bring two versions with the\n"
    "same parent: both are kept and the record is marked as having a conflict\n"
    "(kith list --has-conflict). Without REF: lists the records with a conflict.\n"
    "With REF alone: shows the versions side by side, field by field (side A is\n"
    "the version this vault shows, B the other device's). With --take or --all:\n"
    "writes a new version whose parents are all the sides: A's fields, and for\n"
    "each field where they differ the side chosen. Every differing field must be\n"
    "chosen; nothing is overwritten (kith history shows every version).\n\n"
    "  --take FIELD=SIDE  take FIELD (a top-level field: person, journey, notes,\n"
    "                     ...) from SIDE (A or B); repeat for each field\n"
    "  --all SIDE         take every field not named by --take from SIDE\n"
    "  --kind KIND        the record's kind (case, default; trace)\n"
    "  --json             print the conflict (or the list) as JSON\n" KITH_CLI_VAULT_HELP;

enum { OPT_TAKE = 1, OPT_ALL, OPT_KIND, OPT_JSON };

#define MAX_TAKES 64

static void show(const json_t *c)
{
	printf("%s %s: %zu versions written apart\n", json_string_value(json_object_get(c, "kind")),
	       json_string_value(json_object_get(c, "ref")), json_array_size(json_object_get(c, "sides")));
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(c, "sides"), i, s)
	    printf("  side %s: version %lld by device %s\n", json_string_value(json_object_get(s, "side")),
		   (long long)json_integer_value(json_object_get(s, "version")),
		   json_string_value(json_object_get(s, "device")));
	json_t *f;
	json_array_foreach(json_object_get(c, "fields"), i, f)
	{
		const char *field = json_string_value(f);
		printf("\n%s\n", field);
		size_t k;
		json_array_foreach(json_object_get(c, "sides"), k, s)
		{
			json_t *val = json_object_get(json_object_get(s, "body"), field);
			char *txt =
			    val ? json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
			printf("  %s: %s\n", json_string_value(json_object_get(s, "side")),
			       txt ? txt : "(absent)");
			free(txt);
		}
	}
	printf("\nresolve with: kith resolve %s --take FIELD=A|B ... (or --all A|B)\n",
	       json_string_value(json_object_get(c, "ref")));
}

int kith_cmd_resolve(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"take", required_argument, 0, OPT_TAKE},
	    {"all", required_argument, 0, OPT_ALL},
	    {"kind", required_argument, 0, OPT_KIND},
	    {"json", no_argument, 0, OPT_JSON},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	static const char *takes[MAX_TAKES];
	size_t ntakes = 0;
	const char *all = NULL, *kind = "case";
	int as_json = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_TAKE:
			if (ntakes == MAX_TAKES)
				return kith_cli_usage("resolve", "more than 64 --take");
			takes[ntakes++] = optarg;
			break;
		case OPT_ALL:
			all = optarg;
			break;
		case OPT_KIND:
			kind = optarg;
			break;
		case OPT_JSON:
			as_json = 1;
			break;
		default:
			return kith_cli_usage("resolve", "unknown option");
		}
	}
	const char *ref = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return kith_cli_usage("resolve", "unexpected argument");
	if (!ref && (ntakes || all))
		return kith_cli_usage("resolve", "--take and --all need a REF");
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("resolve", &va, &v);
	if (code)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	json_t *j = NULL;
	int rc;
	if (!ref) {
		rc = kith_conflicts_list(v, &j, &err);
		if (!rc && as_json) {
			code = kith_cli_print_json(j);
		} else if (!rc) {
			size_t i;
			json_t *it;
			if (!json_array_size(j))
				printf("no conflicts\n");
			json_array_foreach(j, i, it)
			    printf("%s %s\n", json_string_value(json_object_get(it, "kind")),
				   json_string_value(json_object_get(it, "ref")));
		}
	} else if (!ntakes && !all) {
		rc = kith_conflicts_get(v, kind, ref, &j, &err);
		if (!rc && as_json)
			code = kith_cli_print_json(j);
		else if (!rc)
			show(j);
	} else {
		uint32_t version = 0;
		rc = kith_conflicts_resolve(v, kind, ref, takes, ntakes, all, &version, &err);
		if (!rc)
			printf("%s resolved: version %u joins the versions written apart\n", ref, version);
	}
	if (rc)
		code = kith_cli_fail(rc, &err);
	json_decref(j);
	kith_vault_close(v);
	return code;
}
