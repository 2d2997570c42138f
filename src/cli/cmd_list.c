/*
 * kith list — one line per case.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith list [--json] [--kind KIND] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Lists the current version of every case: ref, name, sex, birth, origin,\n"
    "status and version. Records that fail verification are reported on stderr.\n\n"
    "  --json                   an array of objects (ref, id, name, sex, birth,\n"
    "                           province, status, version, at)\n"
    "  --kind KIND              another record kind (trace, link); default case\n" KITH_CLI_VAULT_HELP;

static const char *str_at(const json_t *j, const char *a, const char *b)
{
	const json_t *x = json_object_get(j, a);
	if (b)
		x = json_object_get(x, b);
	return json_is_string(x) ? json_string_value(x) : "";
}

int kith_cmd_list(int argc, char **argv)
{
	struct kith_cli_read_args a;
	int code = kith_cli_read_args("list", help, argc, argv, &a);
	if (code >= 0)
		return code;
	if (optind < argc)
		return kith_cli_usage("list", "unexpected argument");
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault("list", &a.va, &v);
	if (code)
		return code;
	kith_cli_report_damage(v);
	size_t n = 0;
	const struct kith_record_view *recs = kith_vault_records(v, a.kind, &n);
	json_t *arr = a.json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&recs[i]);
		if (!b) {
			code = KITH_EXIT_INTERNAL;
			break;
		}
		const json_t *p = json_object_get(b, "person");
		const char *name = str_at(b, "person", "name");
		if (!p) /* other kinds: their own main fields */
			name = str_at(b, "status", NULL);
		const char *birth = str_at(p, "birth", NULL);
		const char *prov =
		    json_is_object(json_object_get(p, "origin")) ? str_at(p, "origin", "province") : "";
		if (a.json) {
			json_t *o =
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "ref", recs[i].ref,
				      "id", recs[i].id, "name", name, "sex", str_at(p, "sex", NULL), "birth",
				      birth, "province", prov, "status", str_at(b, "status", NULL), "version",
				      (int)recs[i].version, "at", (json_int_t)recs[i].at);
			if (!o || json_array_append_new(arr, o)) {
				json_decref(b);
				code = KITH_EXIT_INTERNAL;
				break;
			}
		} else {
			printf("%-14s %-24s %-7s %-10s %-16s %-10s v%u\n", recs[i].ref, name,
			       str_at(p, "sex", NULL), birth, prov, str_at(b, "status", NULL),
			       recs[i].version);
		}
		json_decref(b);
	}
	if (a.json && !code)
		code = kith_cli_print_json(arr);
	else if (!a.json)
		fprintf(stderr, "%zu %s%s\n", n, a.kind, n == 1 ? "" : "s");
	json_decref(arr);
	kith_vault_close(v);
	return code;
}
