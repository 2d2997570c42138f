/*
 * kith add — add one case from JSON.
 */
#include <stdio.h>
#include <string.h>

#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "record/caseio.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith add [FILE|-] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Adds one case, read as a JSON object from FILE or standard input (docs/formats.md).\n"
    "The case is validated against the schema; an unknown field, a wrong type or a\n"
    "value outside its vocabulary is refused with the field's path. Without a\n"
    "\"ref\" the vault assigns one. Prints the case's ref.\n" KITH_CLI_VAULT_HELP;

int kith_cmd_add(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		if (opt == 'h') {
			fputs(help, stdout);
			return KITH_EXIT_OK;
		}
		return kith_cli_usage("add", "unknown option");
	}
	if (argc - optind > 1)
		return kith_cli_usage("add", "give one FILE (or - for standard input)");
	const char *file = optind < argc ? argv[optind] : "-";
	if (!strcmp(file, "-") && !va.passfile)
		return kith_cli_usage("add", "reading the case from standard input needs --passphrase-file");

	struct kith_err err;
	kith_err_clear(&err);
	json_t **bodies = NULL;
	size_t n = 0;
	/* parse before unlocking: a bad file costs no Argon2id run */
	int rc = kith_caseio_read_file(file, KITH_CASEIO_JSON, "case", &bodies, &n, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	if (n != 1) {
		kith_caseio_free(bodies, n);
		fprintf(stderr, "kith: %s: expected one case as a JSON object\n", file);
		return KITH_EXIT_USER;
	}
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("add", &va, &v);
	if (code) {
		kith_caseio_free(bodies, n);
		return code;
	}
	if ((rc = kith_people_allow(v, KITH_PEOPLE_WRITE, &err))) { /* people.h */
		kith_caseio_free(bodies, n);
		kith_vault_close(v);
		return kith_cli_fail(rc, &err);
	}
	char ref[KITH_VAULT_REF_MAX];
	struct kith_vault_put_opts po = {.create_only = 1};
	/* another process may write between the unlock and the commit: the
	 * commit is then refused ("concurrent") and the vault re-read; the put
	 * is tried again against the fresh index */
	for (int tries = 0; tries < 5; tries++) {
		kith_err_clear(&err);
		rc = kith_vault_put_alone(v, "case", bodies[0], &po, ref, NULL, NULL, NULL, &err);
		if (!(rc == KITH_E_EXISTS && !strcmp(err.where, "concurrent")))
			break;
		if ((rc = kith_vault_refresh(v, &err)))
			break;
	}
	if (rc) {
		kith_err_prefix_where(&err, file);
		code = kith_cli_fail(rc, &err);
	} else {
		printf("%s\n", ref);
	}
	kith_caseio_free(bodies, n);
	kith_vault_close(v);
	return code;
}
