/*
 * kith edit — a new version of a case from JSON.
 */
#include <stdio.h>
#include <string.h>

#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "record/caseio.h"
#include "record/record.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith edit REF FILE [--note TEXT] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Replaces the case REF with the case in FILE (a whole JSON object, as\n"
    "`kith show REF --json` prints it; - is standard input) as a new version.\n"
    "Nothing is overwritten: `kith history REF` lists every version.\n\n"
    "  --note TEXT              why the case changed (kept, encrypted, in the history)\n" KITH_CLI_VAULT_HELP;

int kith_cmd_edit(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"note", required_argument, 0, 'm'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *note = NULL;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'm':
			note = optarg;
			break;
		default:
			return kith_cli_usage("edit", "unknown option");
		}
	}
	if (argc - optind != 2)
		return kith_cli_usage("edit", "give REF and FILE");
	const char *ref = argv[optind], *file = argv[optind + 1];
	if (!strcmp(file, "-") && !va.passfile)
		return kith_cli_usage("edit", "reading the case from standard input needs --passphrase-file");

	struct kith_err err;
	kith_err_clear(&err);
	json_t **bodies = NULL;
	size_t n = 0;
	int rc = kith_caseio_read_file(file, KITH_CASEIO_JSON, "case", &bodies, &n, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	int code = KITH_EXIT_OK;
	struct kith_vault *v = NULL;
	if (n != 1) {
		fprintf(stderr, "kith: %s: expected one case as a JSON object\n", file);
		code = KITH_EXIT_USER;
		goto out;
	}
	const char *body_ref = kith_record_ref(bodies[0]);
	if (body_ref && strcmp(body_ref, ref) != 0) {
		fprintf(stderr, "kith: %s:ref: differs from the case being edited (%s)\n", file, ref);
		code = KITH_EXIT_USER;
		goto out;
	}
	code = kith_cli_open_vault("edit", &va, &v);
	if (code)
		goto out;
	const struct kith_record_view *cur = kith_vault_find(v, "case", ref);
	if (!cur) {
		fprintf(stderr, "kith: %s: no such case\n", ref);
		code = KITH_EXIT_USER;
		goto out;
	}
	if ((rc = kith_people_allow_case(v, KITH_PEOPLE_WRITE, cur, &err))) { /* people.h */
		code = kith_cli_fail(rc, &err);
		goto out;
	}
	if (!body_ref && kith_record_set_ref(bodies[0], ref)) {
		code = KITH_EXIT_INTERNAL;
		goto out;
	}
	struct kith_vault_put_opts po = {
	    .id = cur->id, .action = "edit", .note = note, .expect_version = cur->version};
	uint32_t newv = cur->version + 1;
	rc = kith_vault_put_alone(v, "case", bodies[0], &po, NULL, NULL, NULL, NULL, &err);
	if (rc) {
		kith_err_prefix_where(&err, file);
		code = kith_cli_fail(rc, &err);
	} else {
		printf("%s version %u\n", ref, newv);
	}
out:
	kith_caseio_free(bodies, n);
	kith_vault_close(v);
	return code;
}
