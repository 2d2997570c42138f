/*
 * kith history — every version of a record, oldest first.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith history REF [--json] [--views] [--kind KIND] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Lists every version of the record REF, oldest first: version, time, the\n"
    "person and the device that wrote it, the action and the note. Versions are\n"
    "never overwritten; an edit adds one. \"(signed by this person)\": the version's\n"
    "batch carries that person's own signature (format 2, written with their\n"
    "passphrase); without it, only the device signed.\n\n"
    "  --json                   an array of versions, each with its body\n"
    "  --views                  who opened the case and when, instead (admins only)\n"
    "  --kind KIND              another record kind (trace, link); default case\n" KITH_CLI_VAULT_HELP;

/* "person": the version's batch carries its person's own signature;
 * "device": the device's only; "other": a person key not that person's. */
static const char *signed_word(int sig)
{
	return sig == KITH_VAULT_SIGNED_PERSON	? "person"
	       : sig == KITH_VAULT_SIGNED_OTHER ? "other"
						: "device";
}

/* --views: who opened case ref (admins only). Closes v. */
static int views_print(struct kith_vault *v, const char *ref, int json)
{
	struct kith_err err;
	kith_err_clear(&err);
	json_t *views = NULL;
	int rc = kith_people_views(v, ref, &views, &err);
	int code = KITH_EXIT_OK;
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else if (json) {
		code = kith_cli_print_json(views);
	} else {
		size_t i;
		json_t *x;
		json_array_foreach(views, i, x)
		{
			char when[64];
			kith_cli_format_time(json_integer_value(json_object_get(x, "at")), when, sizeof when);
			const char *name = json_string_value(json_object_get(x, "name"));
			const char *pid = json_string_value(json_object_get(x, "person"));
			printf("%s  %-24s %-10s %s\n", when,
			       name && *name ? name
			       : pid && *pid ? pid
					     : "admin",
			       json_string_value(json_object_get(x, "role")),
			       json_string_value(json_object_get(x, "what")));
		}
		if (json_array_size(views) == 0)
			printf("no views recorded (views are recorded once the vault has people)\n");
	}
	json_decref(views);
	kith_vault_close(v);
	return code;
}

int kith_cmd_history(int argc, char **argv)
{
	struct kith_cli_read_args a;
	int code = kith_cli_read_args("history", help, argc, argv, &a);
	if (code >= 0)
		return code;
	if (argc - optind != 1)
		return kith_cli_usage("history", "give exactly one REF");
	const char *ref = argv[optind];
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault("history", &a.va, &v);
	if (code)
		return code;
	const struct kith_record_view *r = kith_vault_find(v, a.kind, ref);
	const struct kith_vault_damage *d = r ? NULL : kith_vault_find_damaged(v, a.kind, ref);
	const char *id = r ? r->id : d ? d->id : NULL;
	if (!id) {
		fprintf(stderr, "kith: %s: no such %s\n", ref, a.kind);
		kith_vault_close(v);
		return KITH_EXIT_USER;
	}
	struct kith_err perr; /* people.h: who may read it; the view is recorded */
	kith_err_clear(&perr);
	if (a.views)
		return views_print(v, ref, a.json);
	char idc[KITH_VAULT_ID_HEX];
	snprintf(idc, sizeof idc, "%s", id);
	id = idc;
	if (kith_people_allow(v, KITH_PEOPLE_NAMES, &perr) ||
	    (r && kith_people_allow_case(v, KITH_PEOPLE_NAMES, r, &perr)) ||
	    (r && !strcmp(a.kind, "case") &&
	     kith_people_viewed(v, r, "history", (int64_t)time(NULL), &perr))) {
		code = kith_cli_fail(perr.status, &perr);
		kith_vault_close(v);
		return code;
	}
	struct kith_record_view *vers = NULL;
	size_t n = 0;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_history(v, id, &vers, &n, &err);
	json_t *arr = a.json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		char when[64];
		kith_cli_format_time(vers[i].at, when, sizeof when);
		int sig = kith_vault_version_signer(v, vers[i].id, vers[i].version, vers[i].person);
		if (a.json) {
			json_t *body = kith_record_view_json(&vers[i]);
			json_t *pj = kith_people_json(v, vers[i].person);
			json_t *o = json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "version",
					      (int)vers[i].version, "at", (json_int_t)vers[i].at, "time",
					      when, "device", vers[i].device, "action", vers[i].action,
					      "note", vers[i].note, "body", body ? body : json_null(),
					      "person", pj ? pj : json_null(), "signed", signed_word(sig));
			if (!o || json_array_append_new(arr, o))
				code = KITH_EXIT_INTERNAL;
		} else {
			char by[KITH_PEOPLE_NAME_MAX];
			printf("v%-4u %s  by %s%s  device %s  %-8s %s\n", vers[i].version, when,
			       kith_people_display(v, vers[i].person, by, sizeof by),
			       sig == KITH_VAULT_SIGNED_PERSON	? " (signed by this person)"
			       : sig == KITH_VAULT_SIGNED_OTHER ? " (signed by ANOTHER person's key)"
								: "",
			       vers[i].device, vers[i].action, vers[i].note);
		}
	}
	if (a.json && !code)
		code = kith_cli_print_json(arr);
	json_decref(arr);
	kith_vault_history_free(vers, n);
	if (rc && !code)
		code = kith_cli_fail(rc, &err);
	kith_vault_close(v);
	return code;
}
