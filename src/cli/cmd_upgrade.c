/*
 * kith upgrade — converts a format-1 vault to format 2 in place (issue 12
 * item 5; docs/vault-format.md *Upgrade*).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] = "usage: kith upgrade [--vault PATH] [--passphrase-file FILE]\n\n"
			   "Converts a format-1 vault to format 2 (one signed manifest per batch of\n"
			   "versions; docs/vault-format.md), all or nothing. Every version the vault\n"
			   "can read is re-sealed into one signed batch; versions it cannot read stay\n"
			   "as they are. A field vault re-seals only the versions it wrote and has not\n"
			   "sent to headquarters yet: the ones it sent stay as headquarters holds them,\n"
			   "and its bundles go on to headquarters as before. The new file is written\n"
			   "beside the vault (PATH.format2.tmp), opened and compared record by record\n"
			   "with the old one, and only then put in place; the old file is kept as\n"
			   "PATH.format1. When the new vault reads as it should, destroy the old\n"
			   "file's keys with kith panic --vault PATH.format1 and delete it: it holds\n"
			   "the same records under the same passphrase.\n\n"
			   "Run it while no other kith process (kith serve) has the vault open.\n"
			   "Exit status: 0 converted; 1 refused, nothing changed (already format 2,\n"
			   "PATH.format1 exists, wrong passphrase, a damaged file, a copy that did not\n"
			   "verify); 4 an I/O error (nothing changed).\n\n" KITH_CLI_VAULT_HELP;

int kith_cmd_upgrade(int argc, char **argv)
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
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		default:
			return kith_cli_usage("upgrade", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("upgrade", "unexpected argument");
	const char *path = va.vault ? va.vault : kith_cli_vault_path(NULL);
	if (!path)
		return kith_cli_usage("upgrade", "no vault: give --vault PATH or set KITH_VAULT");
	struct kith_err err;
	kith_err_clear(&err);
	char *pass = NULL;
	size_t len = 0;
	int rc = kith_cli_read_pass(va.passfile, "passphrase: ", &pass, &len, &err);
	struct kith_vault_upgraded u = {0};
	if (!rc)
		rc = kith_vault_upgrade_with(path, pass, len, &u, &err);
	kith_cli_pass_free(pass, len);
	if (rc)
		return kith_cli_fail(rc, &err);
	size_t n = u.resealed;
	printf("upgraded to format 2: %zu version%s re-sealed into one signed batch\n", n, n == 1 ? "" : "s");
	if (u.kept)
		printf("%zu version%s kept as %s (a field vault: sent to headquarters, or sent by it)\n",
		       u.kept, u.kept == 1 ? "" : "s", u.kept == 1 ? "it was" : "they were");
	printf("the old file is kept as %s.format1: once the vault reads as it should, run\n"
	       "  kith panic --vault %s.format1\n"
	       "and delete it (it holds the same records under the same passphrase)\n",
	       path, path);
	return KITH_EXIT_OK;
}
