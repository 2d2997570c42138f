/*
 * kith show — print one case, readable or as JSON.
 */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/sbuf.h"
#include "casework/sameperson.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith show REF [--json] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Prints the current version of the case REF: readable, or with --json its\n"
    "canonical JSON body (the form `kith add` and `kith edit` read). When\n"
    "confirmed links make the case one person with other cases, the readable\n"
    "form ends with \"same person: REF, ...\" and the links (`kith link undo ID`\n"
    "separates them again).\n\n"
    "  --json                   print JSON\n"
    "  --kind KIND              another record kind (trace, link); default case\n" KITH_CLI_VAULT_HELP;

/* Prints a JSON value as indented "key: value" lines. */
static void print_value(const json_t *j, int depth, const char *key);

static void indent(int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", stdout);
}

static void print_value(const json_t *j, int depth, const char *key)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (key) {
			indent(depth);
			printf("%s:\n", key);
			depth++;
		}
		const char *k;
		json_t *val;
		json_object_foreach((json_t *)j, k, val) print_value(val, depth, k);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *val;
		indent(depth);
		printf("%s:", key ? key : "");
		int scalars = 1;
		json_array_foreach(j, i, val) scalars &= !json_is_object(val) && !json_is_array(val);
		if (scalars) {
			json_array_foreach(j, i, val)
			{
				char *s = json_is_string(val) ? NULL : json_dumps(val, JSON_ENCODE_ANY);
				printf("%s %s", i ? "," : "", s ? s : json_string_value(val));
				kith_wipe_free_str(s);
			}
			putchar('\n');
			break;
		}
		putchar('\n');
		json_array_foreach(j, i, val)
		{
			char label[32];
			snprintf(label, sizeof label, "- %zu", i + 1);
			print_value(val, depth + 1, label);
		}
		break;
	}
	case JSON_STRING:
		indent(depth);
		printf("%s: %s\n", key ? key : "", json_string_value(j));
		break;
	default: {
		char *s = json_dumps(j, JSON_ENCODE_ANY);
		indent(depth);
		printf("%s: %s\n", key ? key : "", s ? s : "?");
		kith_wipe_free_str(s);
	}
	}
}

int kith_cmd_show(int argc, char **argv)
{
	struct kith_cli_read_args a;
	int code = kith_cli_read_args("show", help, argc, argv, &a);
	if (code >= 0)
		return code;
	if (argc - optind != 1)
		return kith_cli_usage("show", "give exactly one REF");
	const char *ref = argv[optind];
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault("show", &a.va, &v);
	if (code)
		return code;
	struct kith_err perr; /* people.h: the role first, then the case, then the view is recorded */
	kith_err_clear(&perr);
	const struct kith_record_view *r = NULL;
	if (kith_people_allow(v, KITH_PEOPLE_NAMES, &perr) ||
	    ((r = kith_vault_find(v, a.kind, ref)) &&
	     kith_people_allow_case(v, KITH_PEOPLE_NAMES, r, &perr)) ||
	    (r && kith_people_viewed(v, r, "show", (int64_t)time(NULL), &perr))) {
		code = kith_cli_fail(perr.status, &perr);
		kith_vault_close(v);
		return code;
	}
	r = kith_vault_find(v, a.kind, ref); /* recording the view re-read the index */
	if (!r) {
		const struct kith_vault_damage *d = kith_vault_find_damaged(v, a.kind, ref);
		if (d)
			fprintf(stderr,
				"kith: %s: version %u failed verification (%s): tampered or corrupted\n", ref,
				d->version, d->reason);
		else
			fprintf(stderr, "kith: %s: no such %s\n", ref, a.kind);
		code = kith_cli_damage_exit(v); /* it may be among the records that could not be read */
		kith_vault_close(v);
		return code ? code : KITH_EXIT_USER;
	}
	json_t *body = kith_record_view_json(r);
	if (!body) {
		kith_vault_close(v);
		fprintf(stderr, "kith: out of memory\n");
		return KITH_EXIT_INTERNAL;
	}
	if (a.json) {
		code = kith_cli_print_json(body);
	} else {
		char when[64];
		kith_cli_format_time(r->at, when, sizeof when);
		char by[KITH_PEOPLE_NAME_MAX];
		printf("%s  (version %u, %s, by %s, device %s)\n", r->ref, r->version, when,
		       kith_people_display(v, r->person, by, sizeof by), r->device);
		json_t *copy = json_deep_copy(body);
		if (copy) {
			json_object_del(copy, "ref");
			print_value(copy, 0, NULL);
			json_decref(copy);
		}
		json_t *sp = NULL;
		struct kith_err err;
		kith_err_clear(&err);
		if (!strcmp(a.kind, "case") && kith_sameperson_of(v, ref, &sp, &err) == KITH_OK) {
			const json_t *cases = json_object_get(sp, "cases"), *x;
			size_t i;
			json_array_foreach(cases, i, x) if (i)
			    printf("%s%s", i == 1 ? "same person: " : ", ",
				   json_string_value(json_object_get(x, "ref")));
			if (json_array_size(cases) > 1)
				putchar('\n');
			json_array_foreach(json_object_get(sp, "links"), i, x)
			    printf("  link %s (undo: kith link undo %.12s)\n",
				   json_string_value(json_object_get(x, "id")),
				   json_string_value(json_object_get(x, "id")));
		}
		json_decref(sp);
	}
	json_decref(body);
	kith_vault_close(v);
	return code;
}
