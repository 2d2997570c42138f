/*
 * kith verify — what the check of the vault's file found (format 2: signed
 * batches, chains, rollback anchors; every format: damaged records), the
 * same list the web UI's integrity page shows (vault/integrity.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith verify [--json] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Unlocks the vault and prints what the check of its file found, one line\n"
    "each, naming batches and devices by id prefix and records by ref, never\n"
    "their content: in a format-2 vault a changed or deleted version, a dropped\n"
    "batch, a broken chain, a rolled-back log, an altered or missing rollback\n"
    "anchor; in any vault a damaged record. A file rewritten from format 2 to\n"
    "format 1 does not unlock at all (the error says so). Exits 4 when anything\n"
    "was found, 0 when nothing was (admins only when people are enrolled).\n\n"
    "What no check inside one file can see: the whole file replaced by an older\n"
    "copy of itself (docs/threat-model.md).\n\n"
    "  --json    the list as JSON (as GET /api/integrity of kith serve)\n" KITH_CLI_VAULT_HELP;

enum { OPT_JSON = 1 };

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

int kith_cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"json", no_argument, 0, OPT_JSON},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	int json = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_JSON:
			json = 1;
			break;
		default:
			return kith_cli_usage("verify", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("verify", "unexpected argument");
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("verify", &va, &v);
	if (code)
		return code;
	json_t *j = NULL;
	if (kith_vault_integrity_json(v, &j)) {
		kith_vault_close(v);
		fprintf(stderr, "kith: error: out of memory\n");
		return KITH_EXIT_INTERNAL;
	}
	int ok = json_is_true(json_object_get(j, "ok"));
	if (json) {
		code = kith_cli_print_json(j);
	} else {
		const json_t *f;
		size_t i;
		json_array_foreach(json_object_get(j, "findings"), i, f)
		    printf("%s: %s\n", json_string_value(json_object_get(f, "kind")),
			   json_string_value(json_object_get(f, "text")));
		json_array_foreach(json_object_get(j, "damaged"), i, f)
		{
			const char *ref = json_string_value(json_object_get(f, "ref"));
			printf("%s: record %s version %lld: %s\n",
			       json_string_value(json_object_get(f, "kind")),
			       ref && ref[0] ? ref : json_string_value(json_object_get(f, "id")),
			       num(f, "version"), json_string_value(json_object_get(f, "text")));
		}
		if (num(j, "missing"))
			printf("missing: %lld records the file lists could not be read\n", num(j, "missing"));
		if (ok)
			printf("no finding: format %lld, %lld batches, %lld records checked\n",
			       num(j, "format"), num(j, "batches"), num(j, "records"));
	}
	json_decref(j);
	kith_vault_close(v);
	if (code)
		return code;
	return ok ? KITH_EXIT_OK : KITH_EXIT_IO;
}
