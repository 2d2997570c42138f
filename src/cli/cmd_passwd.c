/*
 * kith passwd — change the passphrase without re-encrypting records.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith passwd [--vault PATH] [--passphrase-file FILE] [--new-passphrase-file FILE]\n"
    "                   [--duress-passphrase-file FILE]\n\n"
    "Changes the vault's passphrase. Only the wrapped keys change; no record is\n"
    "re-encrypted. A duress passphrase must be given again (or it is removed).\n\n"
    "  --new-passphrase-file FILE     the new passphrase (default: asked twice)\n"
    "  --duress-passphrase-file FILE  keep or set a duress passphrase\n" KITH_CLI_VAULT_HELP;

enum { OPT_NEW = 1, OPT_DURESS };

int kith_cmd_passwd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"new-passphrase-file", required_argument, 0, OPT_NEW},
	    {"duress-passphrase-file", required_argument, 0, OPT_DURESS},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *new_file = NULL, *duress_file = NULL;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_NEW:
			new_file = optarg;
			break;
		case OPT_DURESS:
			duress_file = optarg;
			break;
		default:
			return kith_cli_usage("passwd", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("passwd", "unexpected argument");
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("passwd", &va, &v);
	if (code)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	char *np = NULL, *dp = NULL;
	size_t nl = 0, dl = 0;
	int rc = kith_cli_read_new_pass(new_file, "new passphrase: ", &np, &nl, &err);
	if (!rc && duress_file)
		rc = kith_cli_read_pass(duress_file, "duress passphrase: ", &dp, &dl, &err);
	if (!rc)
		rc = kith_vault_passwd(v, np, nl, dp, dl, &err);
	code = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	if (!rc)
		printf("passphrase changed\n");
	if (!rc && err.msg[0]) /* changed, with a warning (the old slots may remain) */
		fprintf(stderr, "kith: warning: %s\n", err.msg);
	kith_cli_pass_free(np, nl);
	kith_cli_pass_free(dp, dl);
	kith_vault_close(v);
	return code;
}
